'use strict';
/** The files a single-node KRaft broker needs, written into the stack's state folder. */

/**
 * @param {{kafkaPort: number, controllerPort: number, dataDir: string, listeners?: string}} options
 *   listeners: the listener block (default: PLAINTEXT for clients and the broker; secure.js has the SASL_SSL one)
 */
function serverProperties({kafkaPort, controllerPort, dataDir, listeners}) {
  return `# Written by scripts/stack: single-node KRaft broker for tests and local runs. 127.0.0.1 only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
${listeners ?? plaintextListeners(kafkaPort, controllerPort)}
log.dirs=${dataDir}
# One node: replication factor and min ISR 1 for the internal topics, or group and transaction
# coordinators never become available.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
num.partitions=1
group.initial.rebalance.delay.ms=0
# Topics are created explicitly (admin.createTopics with waitForLeaders): no auto-create race.
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
log.segment.bytes=16777216
`;
}

/** @param {number} kafkaPort @param {number} controllerPort */
function plaintextListeners(kafkaPort, controllerPort) {
  return `listeners=PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${kafkaPort},CONTROLLER://127.0.0.1:${controllerPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT`;
}

/**
 * log4j2 for a JVM of ours: warnings to stdout (the log file), plus the loggers named in `infoLoggers` at info
 * (for the broker, the "Kafka Server started" line).
 * @param {string[]} [infoLoggers]
 */
function log4j2Properties(infoLoggers = ['kafka.server.KafkaRaftServer', 'kafka.Kafka']) {
  const loggers = infoLoggers.map((name, i) => `logger.l${i}.name = ${name}\nlogger.l${i}.level = info\n`);
  return `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
${loggers.join('')}`;
}

module.exports = {serverProperties, log4j2Properties};
