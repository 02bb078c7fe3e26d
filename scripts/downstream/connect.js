'use strict';
/**
 * The Kafka Connect worker of the downstream setup: its configuration is the user-facing example
 * (examples/jdbc-sink/worker.properties and jdbc-sink.properties) as it is, its ${env:...} placeholders filled
 * through the worker's environment, plus a few overrides that only a test run needs (appended: in a properties
 * file the last value of a key wins). Also the REST probes: is the connector and every task RUNNING.
 */
const fs = require('node:fs');
const path = require('node:path');

const {log4j2Properties} = require('../stack/config-files');
const {StackError} = require('../stack/errors');
const {httpGet} = require('../stack/net');

const WORKER_CLASS = 'org.apache.kafka.connect.cli.ConnectStandalone';

/**
 * @param {string} exampleFile
 * @param {Record<string, string>} overrides
 */
function withOverrides(exampleFile, overrides) {
  const lines = Object.entries(overrides).map(([key, value]) => `${key}=${escapeValue(value)}`);
  return `${fs.readFileSync(exampleFile, 'utf8').trimEnd()}\n\n# Overrides for this run (scripts/downstream)\n${lines.join('\n')}\n`;
}

/** A properties value: backslashes doubled (Properties.load unescapes them), leading blanks kept. @param {string} value */
function escapeValue(value) {
  return value.replace(/\\/g, '\\\\').replace(/^\s/, (blank) => `\\${blank}`);
}

/**
 * Writes the worker's files into `dir`; returns their paths.
 * @param {{dir: string, rootDir: string, pluginPath: string, restPort: number,
 *   connectorOverrides: Record<string, string>}} options
 */
function writeWorkerFiles({dir, rootDir, pluginPath, restPort, connectorOverrides}) {
  const example = path.join(rootDir, 'examples', 'jdbc-sink');
  const worker = path.join(dir, 'worker.properties');
  const connector = path.join(dir, 'jdbc-sink.properties');
  const log4j2 = path.join(dir, 'connect-log4j2.properties');
  fs.writeFileSync(
    worker,
    withOverrides(path.join(example, 'worker.properties'), {
      'plugin.path': pluginPath,
      'offset.storage.file.filename': path.join(dir, 'connect.offsets'),
      listeners: `http://127.0.0.1:${restPort}`,
      // Every plugin here has a ServiceLoader manifest (see manifest-jar.js): no 11 s reflection scan.
      'plugin.discovery': 'service_load',
      // Sink offsets are committed every minute by default; the test waits for them to reach the topics' ends.
      'offset.flush.interval.ms': '1000',
    })
  );
  fs.writeFileSync(connector, withOverrides(path.join(example, 'jdbc-sink.properties'), connectorOverrides));
  // Warnings, plus the lines that say the worker started and what the sink created.
  fs.writeFileSync(
    log4j2,
    log4j2Properties(['org.apache.kafka.connect.runtime.Connect', 'io.debezium.connector.jdbc'])
  );
  return {worker, connector, log4j2};
}

/**
 * The java command line of the worker.
 * @param {{workerLibs: string, marker: string, files: {worker: string, connector: string, log4j2: string}}} options
 */
function workerArgs({workerLibs, marker, files}) {
  return [
    '-Xms128m',
    '-Xmx512m',
    // A short-lived worker with little data: the C1 compiler alone and one GC thread. On 2 busy cores the worker
    // ran its task after 14-20 s with these flags, 45-46 s without (C2 compiler threads competing for CPU).
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    marker,
    `-Dlog4j2.configurationFile=${files.log4j2}`,
    '-cp',
    path.join(workerLibs, '*'),
    WORKER_CLASS,
    files.worker,
    files.connector,
  ];
}

/**
 * @typedef {{state: string, trace?: string}} TaskState
 * @typedef {{connector: TaskState, tasks: Array<TaskState & {id: number}>}} ConnectorStatus
 */

/**
 * GET /connectors/<name>/status, or undefined while the REST server or the connector is not there yet.
 * @param {string} restUrl @param {string} name
 * @returns {Promise<ConnectorStatus | undefined>}
 */
async function connectorStatus(restUrl, name) {
  try {
    const res = await httpGet(`${restUrl}/connectors/${encodeURIComponent(name)}/status`, 3000);
    return res.status === 200 ? JSON.parse(res.body) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True once the connector and at least one task run; throws when the connector or a task FAILED (with its trace).
 * @param {ConnectorStatus | undefined} status @param {string} name
 */
function isRunning(status, name) {
  if (!status) return false;
  const failed = [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
  if (failed) throw new StackError(`Kafka Connect: ${name} FAILED:\n${failed.trace ?? '(no trace)'}`);
  return (
    status.connector.state === 'RUNNING' &&
    status.tasks.length > 0 &&
    status.tasks.every((t) => t.state === 'RUNNING')
  );
}

/**
 * The registry's native v2 API (what Apicurio's 2.x converter reads) from the ccompat base the service uses.
 * @param {string} ccompatUrl e.g. http://127.0.0.1:8080/apis/ccompat/v7
 */
function registryV2Url(ccompatUrl) {
  const match = /^(.*)\/apis\/ccompat\/v\d+\/?$/.exec(ccompatUrl);
  if (!match) {
    throw new StackError(
      `SCHEMA_REGISTRY_URL=${ccompatUrl} is not an Apicurio ccompat base (.../apis/ccompat/v7): the JDBC sink's ` +
        'Avro converter (Apicurio 2.6) needs the same registry through its native /apis/registry/v2 API'
    );
  }
  return `${match[1]}/apis/registry/v2`;
}

module.exports = {writeWorkerFiles, workerArgs, connectorStatus, isRunning, registryV2Url};
