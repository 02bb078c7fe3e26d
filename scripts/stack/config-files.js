'use strict';
/** The files a KRaft broker needs (one node, or each node of a small cluster), written into the stack's state folder. */

/**
 * Replication of the internal topics and the broker defaults the service's topics take (it creates them with
 * replication factor -1 = `default.replication.factor`): one node can only have 1; a cluster of three gets 3
 * with `min.insync.replicas` 2, so one broker may be down without stopping writes (acks=all) or losing any.
 * @param {number} nodes
 */
function replicationSettings(nodes) {
  const replicas = Math.min(nodes, 3);
  const minIsr = replicas >= 3 ? 2 : 1;
  return {replicas, minIsr};
}

/**
 * @param {{kafkaPort: number, controllerPort: number, dataDir: string, listeners?: string, nodeId?: number,
 *   voters?: Array<{id: number, controllerPort: number}>}} options
 *   listeners: the listener block (default: PLAINTEXT for clients and the broker; secure.js has the SASL_SSL one);
 *   nodeId and voters: this node and every controller of the cluster (default: node 1 alone)
 */
function serverProperties({kafkaPort, controllerPort, dataDir, listeners, nodeId = 1, voters}) {
  const quorum = voters ?? [{id: nodeId, controllerPort}];
  const {replicas, minIsr} = replicationSettings(quorum.length);
  const shape =
    quorum.length === 1
      ? '# One node: replication factor and min ISR 1 for the internal topics, or group and transaction\n' +
        '# coordinators never become available.'
      : `# ${quorum.length} nodes, each broker and controller: every topic on ${replicas} of them, ${minIsr} in sync to\n` +
        '# accept a write, so one broker can be stopped (scripts/stack: stopBroker) without losing or refusing any.';
  return `# Written by scripts/stack: KRaft node ${nodeId} of ${quorum.length} for tests and local runs. 127.0.0.1 only.
process.roles=broker,controller
node.id=${nodeId}
controller.quorum.voters=${quorum.map((v) => `${v.id}@127.0.0.1:${v.controllerPort}`).join(',')}
${listeners ?? plaintextListeners(kafkaPort, controllerPort)}
log.dirs=${dataDir}
${shape}
offsets.topic.replication.factor=${replicas}
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${minIsr}
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=${replicas}
share.coordinator.state.topic.min.isr=${minIsr}
default.replication.factor=${replicas}
min.insync.replicas=${minIsr}
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

module.exports = {serverProperties, log4j2Properties, replicationSettings};
