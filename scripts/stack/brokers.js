'use strict';
/**
 * Where each Kafka node of a stack keeps its files and how its JVM is started: one node by default (the files
 * keep their single-broker names), or a small KRaft cluster (`startStack({brokers: 3})`) where node N has
 * server-N.properties, logs/kafka-N.log and data/broker-N. The same command line starts a node again after
 * stopBroker, on the data it left (index.js: startBroker).
 */
const path = require('node:path');

/** A cluster bigger than this gains nothing on one machine (replication is capped at 3). */
const MAX_BROKERS = 5;

/**
 * @param {unknown} value e.g. the `--brokers` argument
 * @returns {number}
 */
function brokerCount(value) {
  const count = value === undefined ? 1 : Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_BROKERS) {
    throw new RangeError(`the number of brokers must be an integer 1..${MAX_BROKERS}, not ${String(value)}`);
  }
  return count;
}

/**
 * @param {string} dir the stack's state folder
 * @param {number} id node id, 1-based
 * @param {number} count nodes in the cluster
 * @returns {{dataDir: string, serverProperties: string, log: string}}
 */
function brokerFiles(dir, id, count) {
  const suffix = count === 1 ? '' : `-${id}`;
  return {
    dataDir: count === 1 ? path.join(dir, 'data') : path.join(dir, 'data', `broker-${id}`),
    serverProperties: path.join(dir, `server${suffix}.properties`),
    log: path.join(dir, 'logs', `kafka${suffix}.log`),
  };
}

/**
 * The JVM arguments of one node (the stack's marker first among the -D flags, so stopProcess can tell it is ours).
 * @param {{marker: string, dir: string, heap: string, classpath: string, log4j2: string, serverProperties: string}} o
 * @returns {string[]}
 */
function brokerJvmArgs(o) {
  return [
    '-Xms256m',
    `-Xmx${o.heap}`,
    '-XX:+UseG1GC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    o.marker,
    `-Dpinterest.cdc.stack.dir=${o.dir}`,
    `-Dkafka.logs.dir=${path.join(o.dir, 'logs')}`,
    `-Dlog4j2.configurationFile=${o.log4j2}`,
    '-cp',
    o.classpath,
    'kafka.Kafka',
    o.serverProperties,
  ];
}

/**
 * The brokers a state file records: `brokers` since multi-broker stacks, else the single `kafka` entry of older
 * state files.
 * @param {import('./index').StackState} state
 * @returns {import('./index').BrokerState[]}
 */
function brokersOf(state) {
  if (state.brokers && state.brokers.length > 0) return state.brokers;
  return [
    {
      id: 1,
      pid: state.kafka.pid,
      port: state.kafka.port,
      controllerPort: state.kafka.controllerPort,
      log: state.kafka.log,
      serverProperties: path.join(state.dir, 'server.properties'),
      dataDir: path.join(state.dir, 'data'),
    },
  ];
}

/**
 * @param {import('./index').StackState} state
 * @param {number} id
 */
function brokerById(state, id) {
  const broker = brokersOf(state).find((b) => b.id === id);
  if (!broker) {
    const ids = brokersOf(state).map((b) => b.id);
    throw new RangeError(`the stack in ${state.dir} has no broker ${id} (its brokers: ${ids.join(', ')})`);
  }
  return broker;
}

module.exports = {MAX_BROKERS, brokerCount, brokerFiles, brokerJvmArgs, brokersOf, brokerById};
