'use strict';
/**
 * The downstream of pinterest-cdc, as a data team would run it: a Kafka Connect 4.1 standalone worker with the
 * Debezium JDBC sink and Apicurio's Avro converter (examples/jdbc-sink/, used as they are), writing into a
 * throwaway PostgreSQL cluster. Everything comes from Maven Central and Debian, resolved on first use; no Docker.
 * Used by test/integration/downstream:
 *
 *   const downstream = await startDownstream({dir, kafkaBrokers, schemaRegistryUrl, connectorOverrides});
 *   await downstream.postgres.query('select 1'); await downstream.stop();
 *
 * It points at a running Kafka and Apicurio (scripts/stack, or any other). The state folder `dir` holds
 * state.json (PIDs, ports, markers), the worker's files and logs/; the cluster lives in a temporary folder (see
 * postgres.js). Processes are signalled only when their command line carries this start's marker; a watcher
 * (scripts/stack/reaper.js) stops everything once `ownerPid` is gone.
 */
const {setTimeout: sleep} = require('node:timers/promises');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const {ROOT_DIR, readJsonFile, waitFor, writeJsonFile} = require('../stack');
const {StackError, StackPrerequisiteError} = require('../stack/errors');
const {findKafkaJava} = require('../stack/java');
const {withLock} = require('../stack/lock');
const {HOST, freePorts, httpGet, isPortFree} = require('../stack/net');
const {spawnDetached, stopProcess} = require('../stack/processes');
const {ensureConnectArtifacts} = require('./artifacts');
const {connectorStatus, isRunning, registryV2Url, workerArgs, writeWorkerFiles} = require('./connect');
const {ensurePostgres, initCluster, jdbcUrl, psql, serverArgs, serverUser, SUPERUSER} = require('./postgres');

const STATE_FILE = 'state.json';
const DEFAULT_TIMEOUT_MS = 180_000;

/** @param {string} msg */
function defaultLog(msg) {
  process.stderr.write(`[downstream] ${msg}\n`);
}

/**
 * @typedef {import('./index').DownstreamState} DownstreamState
 * @typedef {import('./index').StartDownstreamOptions} StartDownstreamOptions
 * @typedef {import('./index').RunningDownstream} RunningDownstream
 */

/**
 * Resolves what is missing, starts PostgreSQL and the worker with its connector, and waits until the connector
 * and its task run (a FAILED one fails the start with its trace).
 * @param {StartDownstreamOptions} options
 * @returns {Promise<RunningDownstream>}
 */
async function startDownstream(options) {
  const started = Date.now();
  const rootDir = options.rootDir ?? ROOT_DIR;
  const dir = path.resolve(rootDir, options.dir);
  const cacheDir = path.resolve(rootDir, options.cacheDir ?? '.cache');
  const log = options.log ?? defaultLog;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const registryUrl = registryV2Url(options.schemaRegistryUrl);
  await checkRegistryV2(registryUrl);
  const java = findKafkaJava();
  if (!java) throw new StackPrerequisiteError('No Java 17+ found: the Kafka Connect 4.1 worker needs it.');

  fs.mkdirSync(path.join(dir, 'logs'), {recursive: true});
  const stackId = crypto.randomUUID();
  const [postgresPort, restPort] = /** @type {[number, number]} */ (await freePorts(2));
  /** @type {DownstreamState} */
  const state = {
    version: 1,
    stackId,
    dir,
    startedAt: new Date().toISOString(),
    ownerPid: options.ownerPid ?? null,
    reaperPid: null,
    postgres: {
      pid: 0,
      port: postgresPort,
      marker: `pinterest_cdc.downstream=${stackId}`,
      home: '',
      binDir: '',
      major: 0,
      log: path.join(dir, 'logs', 'postgres.log'),
    },
    connect: {
      pid: 0,
      port: restPort,
      marker: `-Dpinterest.cdc.downstream=${stackId}`,
      connectorName: options.connectorOverrides.name ?? 'pinterest-cdc-postgres',
      log: path.join(dir, 'logs', 'connect.log'),
    },
  };
  writeState(dir, state);
  if (options.ownerPid) {
    state.reaperPid = spawnDetached(
      process.execPath,
      [
        path.join(__dirname, '..', 'stack', 'reaper.js'),
        dir,
        String(options.ownerPid),
        stackId,
        path.join(__dirname, 'index.js'),
      ],
      {logFile: path.join(dir, 'logs', 'reaper.log'), cwd: dir}
    );
    writeState(dir, state);
  }

  /** @type {RunningDownstream['timings']} */
  const timings = {artifactsMs: 0, postgresMs: 0, connectMs: 0, totalMs: 0};
  const deadline = () => Date.now() + timeoutMs;
  try {
    // Maven (CPU) and PostgreSQL (mostly waiting) side by side; the worker needs both.
    const [artifacts] = await settleAll([
      timed(
        () => ensureConnectArtifacts({rootDir, cacheDir, log}),
        (ms) => (timings.artifactsMs = ms)
      ),
      timed(
        () => startPostgres(state, dir, cacheDir, log, deadline(), timeoutMs),
        (ms) => (timings.postgresMs = ms)
      ),
    ]);
    await timed(
      () =>
        startWorker(state, dir, {
          rootDir,
          java: java.java,
          workerLibs: artifacts.workerLibs,
          pluginPath: artifacts.pluginPath,
          connectorOverrides: options.connectorOverrides,
          env: {
            KAFKA_BOOTSTRAP_SERVERS: options.kafkaBrokers.join(','),
            APICURIO_REGISTRY_V2_URL: registryUrl,
            POSTGRES_JDBC_URL: jdbcUrl(state.postgres.port),
            POSTGRES_USER: SUPERUSER,
            POSTGRES_PASSWORD: '',
          },
          deadline: deadline(),
          timeoutMs,
        }),
      (ms) => (timings.connectMs = ms)
    );
  } catch (error) {
    await stopFromState(state, log);
    throw error;
  }
  timings.totalMs = Date.now() - started;
  log(
    `ready in ${timings.totalMs} ms: PostgreSQL ${state.postgres.major} on ${HOST}:${state.postgres.port}, ` +
      `Kafka Connect on ${HOST}:${state.connect.port} (connector ${state.connect.connectorName}); logs in ${dir}/logs`
  );
  const server = {
    binaries: {binDir: state.postgres.binDir, major: state.postgres.major},
    port: state.postgres.port,
  };
  const restUrl = `http://${HOST}:${state.connect.port}`;
  return {
    state,
    timings,
    postgres: {
      port: state.postgres.port,
      major: state.postgres.major,
      jdbcUrl: jdbcUrl(state.postgres.port),
      query: (sql) => psql(server, sql),
    },
    connect: {
      restUrl,
      connectorName: state.connect.connectorName,
      consumerGroup: `connect-${state.connect.connectorName}`,
      status: () => connectorStatus(restUrl, state.connect.connectorName),
    },
    stop: () => stopDownstream({dir, log, removeDir: options.removeDirOnStop ?? false}),
  };
}

/**
 * @param {DownstreamState} state @param {string} dir @param {string} cacheDir
 * @param {(msg: string) => void} log @param {number} deadline @param {number} timeoutMs
 */
async function startPostgres(state, dir, cacheDir, log, deadline, timeoutMs) {
  const binaries = await ensurePostgres({cacheDir, log});
  const runAs = serverUser();
  const {home, dataDir} = await initCluster({binaries, runAs});
  Object.assign(state.postgres, {home, binDir: binaries.binDir, major: binaries.major});
  state.postgres.pid = spawnDetached(
    path.join(binaries.binDir, 'postgres'),
    serverArgs({dataDir, port: state.postgres.port, marker: state.postgres.marker}),
    {logFile: state.postgres.log, cwd: home, uid: runAs?.uid, gid: runAs?.gid}
  );
  writeState(dir, state);
  const ms = await waitFor('PostgreSQL', state.postgres.pid, state.postgres.log, deadline, timeoutMs, () =>
    psql({binaries, port: state.postgres.port}, 'select 1').then(
      () => true,
      () => false
    )
  );
  log(
    `PostgreSQL ${binaries.major} ready on ${HOST}:${state.postgres.port} (${ms} ms, as ${runAs?.name ?? 'this user'})`
  );
}

/**
 * @param {DownstreamState} state @param {string} dir
 * @param {{rootDir: string, java: string, workerLibs: string, pluginPath: string,
 *   connectorOverrides: Record<string, string>, env: Record<string, string>, deadline: number, timeoutMs: number}} o
 */
async function startWorker(state, dir, o) {
  const files = writeWorkerFiles({
    dir,
    rootDir: o.rootDir,
    pluginPath: o.pluginPath,
    restPort: state.connect.port,
    connectorOverrides: o.connectorOverrides,
  });
  state.connect.pid = spawnDetached(
    o.java,
    workerArgs({workerLibs: o.workerLibs, marker: state.connect.marker, files}),
    {
      logFile: state.connect.log,
      cwd: dir,
      env: {...process.env, ...o.env},
    }
  );
  writeState(dir, state);
  const restUrl = `http://${HOST}:${state.connect.port}`;
  const name = state.connect.connectorName;
  await waitFor('Kafka Connect', state.connect.pid, state.connect.log, o.deadline, o.timeoutMs, async () =>
    isRunning(await connectorStatus(restUrl, name), name)
  );
}

/**
 * Apicurio's 2.x converter reads the registry's v2 API: check that it answers before starting anything.
 * @param {string} url
 */
async function checkRegistryV2(url) {
  const res = await httpGet(`${url}/system/info`, 5000).catch((error) => ({status: 0, body: String(error)}));
  if (res.status !== 200) {
    throw new StackPrerequisiteError(
      `${url}/system/info answered ${res.status || res.body}: the JDBC sink's Avro converter needs Apicurio's ` +
        'registry v2 API there (a Confluent Schema Registry cannot serve it)'
    );
  }
}

/**
 * Runs every start side by side; when one fails, waits for the others before throwing (so what they started is
 * in the state and gets stopped).
 * @template T
 * @param {[Promise<T>, Promise<unknown>]} promises
 * @returns {Promise<[T, unknown]>}
 */
async function settleAll(promises) {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw /** @type {PromiseRejectedResult} */ (failed).reason;
  return /** @type {[T, unknown]} */ (
    results.map((r) => /** @type {PromiseFulfilledResult<any>} */ (r).value)
  );
}

/**
 * @template T
 * @param {() => Promise<T>} fn @param {(ms: number) => void} record
 * @returns {Promise<T>}
 */
async function timed(fn, record) {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    record(Date.now() - started);
  }
}

/**
 * Stops what `dir` records (worker first: it holds connections to the database), removes the cluster and
 * state.json; logs stay unless `removeDir`.
 * @param {{dir: string, rootDir?: string, log?: (msg: string) => void, removeDir?: boolean}} options
 */
async function stopDownstream(options) {
  const dir = path.resolve(options.rootDir ?? ROOT_DIR, options.dir);
  const log = options.log ?? defaultLog;
  if (!fs.existsSync(dir)) return;
  await withLock(
    path.join(dir, '.lock'),
    async () => {
      const state = readState(dir);
      if (state) await stopFromState(state, log);
    },
    {log}
  );
  if (options.removeDir) fs.rmSync(dir, {recursive: true, force: true});
}

/** @param {DownstreamState} state @param {(msg: string) => void} log */
async function stopFromState(state, log) {
  if (state.reaperPid && state.reaperPid !== process.pid) {
    await stopProcess(state.reaperPid, state.stackId, {graceMs: 3000, log, name: 'reaper'});
  }
  await stopProcess(state.connect.pid, state.connect.marker, {graceMs: 20_000, log, name: 'Kafka Connect'});
  await stopProcess(state.postgres.pid, state.postgres.marker, {graceMs: 15_000, log, name: 'PostgreSQL'});
  const deadline = Date.now() + 30_000;
  for (const port of [state.connect.port, state.postgres.port]) {
    while (!(await isPortFree(port))) {
      if (Date.now() > deadline)
        throw new StackError(`port ${port} is still in use after stopping ${state.dir}`);
      await sleep(200);
    }
  }
  if (state.postgres.home) fs.rmSync(state.postgres.home, {recursive: true, force: true});
  fs.rmSync(path.join(state.dir, STATE_FILE), {force: true});
}

/** @param {string} dir @returns {DownstreamState | undefined} */
function readState(dir) {
  return /** @type {DownstreamState | undefined} */ (readJsonFile(path.join(dir, STATE_FILE)));
}

/** @param {string} dir @param {DownstreamState} state */
function writeState(dir, state) {
  writeJsonFile(path.join(dir, STATE_FILE), state);
}

module.exports = {
  startDownstream,
  stopDownstream,
  readState,
  /** What scripts/stack/reaper.js calls once the owner is gone. */
  reaperTarget: {readState, stop: stopDownstream},
};
