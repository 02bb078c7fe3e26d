'use strict';
/**
 * The local stack: a single-node Apache Kafka (KRaft) and Apicurio Registry (Confluent-compatible API at
 * /apis/ccompat/v7), both JVMs started from Maven Central artifacts, no Docker. Used by the CLI (stack.js) and
 * by the integration tests' global setup:
 *
 *   const stack = await startStack({dir: '.stack/test-123'});
 *   stack.env.KAFKA_BROKERS; stack.env.SCHEMA_REGISTRY_URL; await stack.stop();
 *
 * Everything lives in the state folder `dir`: state.json (PIDs, ports), env, server.properties,
 * log4j2.properties, data/ (Kafka's log dir, removed on stop) and logs/. Only processes whose command line
 * carries this start's stack id are ever signalled. `startStack({secure: true})` secures both servers
 * (secure.js: SASL_SSL + SCRAM-SHA-512 on Kafka's client port, basic auth on the registry).
 */
const {setTimeout: sleep} = require('node:timers/promises');
const {spawn, spawnSync} = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const {ensureApicurio, ensureKafkaLibs} = require('./artifacts');
const {log4j2Properties, serverProperties} = require('./config-files');
const {StackError, StackPrerequisiteError, StackStartError} = require('./errors');
const {findKafkaJava, findRegistryJava} = require('./java');
const {withLock} = require('./lock');
const {HOST, canConnect, freePorts, httpGet, isPortFree} = require('./net');
const {isAlive, isOurs, spawnDetached, stopProcess} = require('./processes');
const {brokerById, brokerCount, brokerFiles, brokerJvmArgs, brokersOf} = require('./brokers');
const secure = require('./secure');

const ROOT_DIR = path.resolve(__dirname, '..', '..');
const KAFKA_VERSION = '4.1.2';
/** Preferred registry and the fallback for machines without a JDK 21+ (3.0.9 runs on Java 17). */
const REGISTRY_VERSIONS = {preferred: '3.3.3', fallback: '3.0.9'};
/** @type {Record<string, number>} */
const REGISTRY_MIN_JAVA = {'3.3.3': 21, '3.0.9': 17};
const CCOMPAT_PATH = '/apis/ccompat/v7';
const STATE_FILE = 'state.json';
const DEFAULT_TIMEOUT_MS = 120_000;
const START_ATTEMPTS = 3;

/** @param {string} msg */
function defaultLog(msg) {
  process.stderr.write(`[stack] ${msg}\n`);
}

/**
 * @typedef {import('./index').StackState} StackState
 * @typedef {import('./index').StartStackOptions} StartStackOptions
 * @typedef {import('./index').RunningStack} RunningStack
 */

/**
 * Starts the stack in `dir`, or reuses the one already running there (PIDs alive and ports answering).
 * @param {StartStackOptions} [options]
 * @returns {Promise<RunningStack>}
 */
async function startStack(options = {}) {
  const rootDir = options.rootDir ?? ROOT_DIR;
  const dir = path.resolve(rootDir, options.dir ?? '.stack');
  const log = options.log ?? defaultLog;
  fs.mkdirSync(dir, {recursive: true});
  const state = await withLock(
    path.join(dir, '.lock'),
    async () => {
      const existing = readState(dir);
      if (existing) {
        const health = await probe(existing);
        if (health.healthy) {
          refuseOtherMode(existing, Boolean(options.secure));
          refuseOtherSize(existing, brokerCount(options.brokers));
          log(
            `stack already running in ${dir} (Kafka PID ${existing.kafka.pid}, registry PID ${existing.registry.pid})`
          );
          return {...existing, reused: true};
        }
        log(`found a stale stack in ${dir} (${health.problems.join('; ')}): cleaning up`);
        await stopFromState(existing, dir, log);
      }
      return {...(await launch(dir, rootDir, options, log)), reused: false};
    },
    {log}
  );
  const {reused, ...stored} = state;
  return {
    env: stored.env,
    state: stored,
    reused,
    stop: () =>
      stopStack({dir, rootDir, log, removeDir: options.removeDirOnStop ?? false}).then(() => undefined),
  };
}

/**
 * A running stack is reused only in the mode asked for: a plaintext one cannot serve a secured start (or the
 * reverse), and stopping it could pull it from under its users.
 * @param {StackState} existing @param {boolean} wantSecure
 */
function refuseOtherMode(existing, wantSecure) {
  if (Boolean(existing.security) === wantSecure) return;
  const mode = (/** @type {boolean} */ secured) => (secured ? 'secured (--secure)' : 'plaintext');
  throw new StackError(
    `a ${mode(!wantSecure)} stack is running in ${existing.dir}, and a ${mode(wantSecure)} one was asked for: ` +
      'stop it first (npm run stack:down with the same STACK_DIR) or use another state folder (STACK_DIR / --dir)'
  );
}

/** @param {StackState} existing @param {number} wanted brokers */
function refuseOtherSize(existing, wanted) {
  const running = brokersOf(existing).length;
  if (running === wanted) return;
  throw new StackError(
    `a stack of ${running} broker(s) is running in ${existing.dir}, and ${wanted} were asked for: stop it first ` +
      '(npm run stack:down with the same STACK_DIR) or use another state folder (STACK_DIR / --dir)'
  );
}

/**
 * @param {string} dir @param {string} rootDir @param {StartStackOptions} options @param {(msg: string) => void} log
 * @returns {Promise<StackState>}
 */
async function launch(dir, rootDir, options, log) {
  const started = Date.now();
  const cacheDir = path.resolve(rootDir, options.cacheDir ?? '.cache');
  const kafkaJava = findKafkaJava();
  if (!kafkaJava) {
    throw new StackPrerequisiteError(
      'No Java 17+ found (checked KAFKA_JAVA_HOME, JAVA_HOME, java on PATH, /usr/lib/jvm): Kafka 4.1 needs it. ' +
        'Install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME.'
    );
  }
  const registry = chooseRegistry(options.apicurioVersion ?? process.env.APICURIO_VERSION, kafkaJava, log);
  log(`Kafka ${KAFKA_VERSION} on Java ${kafkaJava.version} (${kafkaJava.java}, from ${kafkaJava.source})`);
  log(
    `Apicurio Registry ${registry.version} on Java ${registry.java.version} (${registry.java.java}, from ${registry.java.source})`
  );
  fs.mkdirSync(cacheDir, {recursive: true});
  const [kafkaLibs, apicurio] = await Promise.all([
    ensureKafkaLibs(rootDir, cacheDir, log),
    ensureApicurio(registry.version, rootDir, cacheDir, log),
  ]);
  const timeoutMs = options.timeoutMs ?? (Number(process.env.STACK_START_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    const state = await spawnStack({
      dir,
      kafkaJava,
      registry,
      kafkaLibs,
      apicurioJar: apicurio.jar,
      options,
      log,
    });
    try {
      await waitReady(state, timeoutMs, log);
      log(`stack ready in ${Date.now() - started} ms`);
      return state;
    } catch (error) {
      await stopFromState(state, dir, log);
      if (error instanceof StackStartError && error.addressInUse && attempt < START_ATTEMPTS) {
        log(
          `a port was taken before the JVM could bind it; retrying with new ports (attempt ${attempt + 1})`
        );
        continue;
      }
      throw error;
    }
  }
}

/**
 * @param {string | undefined} requested
 * @param {import('./java').JavaRuntime} kafkaJava
 * @param {(msg: string) => void} log
 */
function chooseRegistry(requested, kafkaJava, log) {
  if (requested) {
    const min = REGISTRY_MIN_JAVA[requested] ?? 21;
    const java = min <= kafkaJava.version ? kafkaJava : findRegistryJava({minVersion: min});
    if (!java) {
      throw new StackPrerequisiteError(
        `Apicurio ${requested} (APICURIO_VERSION) needs Java ${min}+ and none was found (checked APICURIO_JAVA_HOME, ` +
          'JAVA_HOME, PATH, /usr/lib/jvm/*).'
      );
    }
    return {version: requested, java};
  }
  const modern = findRegistryJava({minVersion: REGISTRY_MIN_JAVA[REGISTRY_VERSIONS.preferred]});
  if (modern) return {version: REGISTRY_VERSIONS.preferred, java: modern};
  log(
    `no JDK >= 21 found (checked APICURIO_JAVA_HOME, JAVA_HOME, PATH, /usr/lib/jvm/* and other usual roots): ` +
      `Apicurio ${REGISTRY_VERSIONS.preferred} cannot run, falling back to Apicurio ${REGISTRY_VERSIONS.fallback} ` +
      `on Java ${kafkaJava.version}`
  );
  return {version: REGISTRY_VERSIONS.fallback, java: kafkaJava};
}

/**
 * Writes the config, formats the log dir and starts both JVMs; records them in state.json at once, so a
 * `down` can always find what was started.
 * @returns {Promise<StackState>}
 */
async function spawnStack(
  /** @type {any} */ {dir, kafkaJava, registry, kafkaLibs, apicurioJar, options, log}
) {
  const count = brokerCount(options.brokers);
  if (count > 1 && options.secure) {
    throw new StackError('a secured stack (--secure) runs one broker; --brokers > 1 is plaintext only');
  }
  const ports = await freePorts(4 + (options.secure ? 1 : 0) + 2 * (count - 1));
  const [kafkaPort, controllerPort, registryPort, managementPort] = /** @type {number[]} */ (ports);
  const internalPort = options.secure ? ports[4] : undefined;
  const extraPorts = ports.slice(options.secure ? 5 : 4);
  const security = options.secure ? await secure.prepareSecurity(dir) : undefined;
  // The state folder then holds the stack's passwords (state.json, env, secure/): its owner's only.
  if (security) fs.chmodSync(dir, 0o700);
  const stackId = crypto.randomUUID();
  const marker = `-Dpinterest.cdc.stack=${stackId}`;
  const logsDir = path.join(dir, 'logs');
  fs.rmSync(path.join(dir, 'data'), {recursive: true, force: true});
  fs.mkdirSync(logsDir, {recursive: true});
  const log4j2 = path.join(dir, 'log4j2.properties');
  const listeners = security
    ? secure.secureListenerProperties({
        kafkaPort,
        internalPort,
        controllerPort,
        keystoreFile: security.keystoreFile,
      })
    : undefined;
  /** @type {import('./index').BrokerState[]} */
  const brokers = Array.from({length: count}, (_, i) => ({
    id: i + 1,
    pid: 0,
    port: i === 0 ? kafkaPort : /** @type {number} */ (extraPorts[2 * (i - 1)]),
    controllerPort: i === 0 ? controllerPort : /** @type {number} */ (extraPorts[2 * (i - 1) + 1]),
    ...brokerFiles(dir, i + 1, count),
  }));
  const voters = brokers.map((b) => ({id: b.id, controllerPort: b.controllerPort}));
  for (const broker of brokers) {
    fs.mkdirSync(broker.dataDir, {recursive: true});
    fs.writeFileSync(
      broker.serverProperties,
      serverProperties({
        kafkaPort: broker.port,
        controllerPort: broker.controllerPort,
        dataDir: broker.dataDir,
        listeners,
        nodeId: broker.id,
        voters,
      })
    );
    fs.writeFileSync(broker.log, '');
  }
  fs.writeFileSync(log4j2, log4j2Properties());
  const kafkaLog = /** @type {import('./index').BrokerState} */ (brokers[0]).log;
  const registryLog = path.join(logsDir, 'registry.log');
  fs.writeFileSync(registryLog, '');
  const classpath = path.join(kafkaLibs, '*');
  const logging = `-Dlog4j2.configurationFile=${log4j2}`;

  // Apicurio starts while Kafka's storage is formatted: the two share nothing.
  const registryPid = spawnDetached(
    registry.java.java,
    [
      `-Xmx${options.registryHeap ?? '512m'}`,
      '-XX:+ExitOnOutOfMemoryError',
      marker,
      `-Dpinterest.cdc.stack.dir=${dir}`,
      `-Dquarkus.http.host=${HOST}`,
      `-Dquarkus.http.port=${registryPort}`,
      `-Dquarkus.management.host=${HOST}`,
      `-Dquarkus.management.port=${managementPort}`,
      '-Dapicurio.rules.global.compatibility=BACKWARD',
      ...(security ? secure.registrySecurityArgs(security) : []),
      '-jar',
      apicurioJar,
    ],
    {logFile: registryLog, cwd: dir}
  );
  /** @type {StackState} */
  const state = {
    version: 1,
    stackId,
    marker,
    dir,
    startedAt: new Date().toISOString(),
    ownerPid: options.ownerPid ?? null,
    kafka: {
      pid: 0,
      port: kafkaPort,
      controllerPort,
      ...(security ? {internalPort} : {}),
      version: KAFKA_VERSION,
      java: kafkaJava.java,
      log: kafkaLog,
      classpath,
      log4j2,
      heap: options.kafkaHeap ?? (count > 1 ? '384m' : '512m'),
    },
    brokers,
    registry: {
      pid: registryPid,
      port: registryPort,
      managementPort,
      version: registry.version,
      java: registry.java.java,
      javaVersion: registry.java.version,
      log: registryLog,
    },
    reaperPid: null,
    ...(security ? {security} : {}),
    env: {
      KAFKA_BROKERS: brokers.map((b) => `${HOST}:${b.port}`).join(','),
      SCHEMA_REGISTRY_URL: `http://${HOST}:${registryPort}${CCOMPAT_PATH}`,
      ...(security ? secure.securityEnv(security) : {}),
    },
  };
  writeState(dir, state);

  try {
    const clusterId = newClusterId();
    const scram = security ? secure.scramFormatArgs(security) : [];
    // One at a time: each format is a JVM, and the machine may have two cores.
    for (const broker of brokers) {
      await formatStorage(
        kafkaJava.java,
        classpath,
        logging,
        clusterId,
        broker.serverProperties,
        broker.log,
        scram
      );
    }
  } catch (error) {
    await stopFromState(state, dir, log);
    throw error;
  }
  for (const broker of brokers) {
    broker.pid = spawnBrokerJvm(state, broker);
    writeState(dir, state);
  }
  if (options.ownerPid) {
    state.reaperPid = spawnDetached(
      process.execPath,
      [path.join(__dirname, 'reaper.js'), dir, String(options.ownerPid), stackId],
      {logFile: path.join(logsDir, 'reaper.log'), cwd: dir}
    );
  }
  writeState(dir, state);
  log(
    `started Kafka (${brokers.map((b) => `node ${b.id}: PID ${b.pid}, port ${b.port}`).join('; ')}` +
      `${security ? ' SASL_SSL' : ''}) and Apicurio ` +
      `(PID ${registryPid}, port ${registryPort}${security ? ', basic auth' : ''}); logs in ${logsDir}`
  );
  return state;
}

/**
 * Starts one Kafka node's JVM (marked as this stack's) and keeps `state.kafka.pid` = node 1's.
 * @param {StackState} state @param {import('./index').BrokerState} broker
 * @returns {number} its PID
 */
function spawnBrokerJvm(state, broker) {
  const pid = spawnDetached(
    state.kafka.java,
    brokerJvmArgs({
      marker: state.marker,
      dir: state.dir,
      heap: state.kafka.heap ?? '512m',
      classpath: /** @type {string} */ (state.kafka.classpath),
      log4j2: /** @type {string} */ (state.kafka.log4j2),
      serverProperties: broker.serverProperties,
    }),
    {logFile: broker.log, cwd: state.dir}
  );
  broker.pid = pid;
  if (broker.id === 1) state.kafka.pid = pid;
  return pid;
}

/**
 * Stops Kafka nodes of a running stack (`id`: one, or several at once: the whole cluster) and keeps their data, so
 * startBroker brings them back as they were (a restart, not new nodes). `kill`: SIGKILL at once (a crash) instead
 * of SIGTERM (a clean shutdown). The stack's lock is held once for all of them (it is not re-entrant).
 * @param {{dir?: string, rootDir?: string, id: number | number[], kill?: boolean, log?: (msg: string) => void}} options
 * @returns {Promise<{pids: number[]}>} the PIDs stopped
 */
async function stopBroker(options) {
  const {dir, log} = resolveDir(options);
  const ids = Array.isArray(options.id) ? options.id : [options.id];
  return withLock(
    path.join(dir, '.lock'),
    async () => {
      const state = requireState(dir);
      const brokers = ids.map((id) => brokerById(state, id));
      const pids = brokers.map((b) => b.pid);
      await Promise.all(
        brokers.map((broker) =>
          stopProcess(broker.pid, state.marker, {
            graceMs: 20_000,
            signal: options.kill ? 'SIGKILL' : 'SIGTERM',
            log,
            name: `Kafka node ${broker.id} (PID ${broker.pid})`,
          })
        )
      );
      await waitPortsFree(
        brokers.flatMap((b) => [b.port, b.controllerPort]),
        dir
      );
      for (const broker of brokers) {
        broker.pid = 0;
        if (broker.id === 1) state.kafka.pid = 0;
        log(
          `${options.kill ? 'killed' : 'stopped'} Kafka node ${broker.id}; its data stays in ${broker.dataDir}`
        );
      }
      writeState(dir, state);
      return {pids};
    },
    {log}
  );
}

/**
 * Starts nodes stopped by stopBroker (or that died) again on their data, and waits until each answers. Several
 * at once when a majority of the controllers is down (the whole cluster): none answers before a quorum is back.
 * @param {{dir?: string, rootDir?: string, id: number | number[], timeoutMs?: number, log?: (msg: string) => void}} options
 * @returns {Promise<{pids: number[], started: number[]}>} started: the ids that were not running
 */
async function startBroker(options) {
  const {dir, log} = resolveDir(options);
  const ids = Array.isArray(options.id) ? options.id : [options.id];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const {state, brokers, started} = await withLock(
    path.join(dir, '.lock'),
    async () => {
      const state = requireState(dir);
      const brokers = ids.map((id) => brokerById(state, id));
      /** @type {number[]} */
      const started = [];
      for (const broker of brokers) {
        if (isOurs(broker.pid, state.marker)) continue;
        spawnBrokerJvm(state, broker);
        started.push(broker.id);
      }
      writeState(dir, state);
      return {state, brokers, started};
    },
    {log}
  );
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    brokers.map(async (broker) => {
      const ms = await waitFor(`Kafka node ${broker.id}`, broker.pid, broker.log, deadline, timeoutMs, () =>
        kafkaAnswers(broker.port, state.security)
      );
      if (started.includes(broker.id))
        log(`Kafka node ${broker.id} restarted (PID ${broker.pid}, ready in ${ms} ms)`);
    })
  );
  return {pids: brokers.map((b) => b.pid), started};
}

/** @param {{dir?: string, rootDir?: string, log?: (msg: string) => void}} options */
function resolveDir(options) {
  return {
    dir: path.resolve(options.rootDir ?? ROOT_DIR, options.dir ?? '.stack'),
    log: options.log ?? defaultLog,
  };
}

/** @param {string} dir @returns {StackState} */
function requireState(dir) {
  const state = readState(dir);
  if (!state) throw new StackError(`no stack recorded in ${dir} (start one with npm run stack:up)`);
  return state;
}

/** @param {number[]} ports @param {string} dir */
async function waitPortsFree(ports, dir) {
  const deadline = Date.now() + 30_000;
  for (const port of ports) {
    while (!(await isPortFree(port))) {
      if (Date.now() > deadline)
        throw new StackError(`port ${port} is still in use after stopping it in the stack in ${dir}`);
      await sleep(200);
    }
  }
}

/**
 * A random cluster id in Kafka's form (16 bytes, base64url). One in 64 starts with "-", which kafka-storage's
 * argument parser reads as an option ("argument --cluster-id: expected one argument"; it failed a CI run), so
 * those are drawn again, as Kafka's own Uuid.randomUuid() does.
 */
function newClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** @param {string} java @param {string} classpath @param {string} logging @param {string} clusterId
 *  @param {string} serverProps @param {string} kafkaLog @param {string[]} [extraArgs] e.g. --add-scram */
async function formatStorage(java, classpath, logging, clusterId, serverProps, kafkaLog, extraArgs = []) {
  await new Promise((resolve, reject) => {
    const child = spawn(
      java,
      [
        '-Xmx256m',
        logging,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        serverProps,
        ...extraArgs,
      ],
      {stdio: ['ignore', 'pipe', 'pipe']}
    );
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => {
      fs.appendFileSync(kafkaLog, `[stack] StorageTool format:\n${output}\n`);
      if (code === 0) resolve(undefined);
      else
        reject(
          new StackStartError(`kafka.tools.StorageTool format failed (exit ${code}):\n${output.trim()}`, {
            logFile: kafkaLog,
          })
        );
    });
  });
}

/**
 * Waits until Kafka answers a kafkajs admin listTopics and the registry answers GET /subjects with 200.
 * @param {StackState} state @param {number} timeoutMs @param {(msg: string) => void} log
 */
async function waitReady(state, timeoutMs, log) {
  const deadline = Date.now() + timeoutMs;
  const brokers = brokersOf(state);
  await Promise.all([
    ...brokers.map((broker) =>
      waitFor(
        brokers.length === 1 ? 'Kafka' : `Kafka node ${broker.id}`,
        broker.pid,
        broker.log,
        deadline,
        timeoutMs,
        () => kafkaAnswers(broker.port, state.security, brokers.length)
      ).then((ms) => log(`Kafka ready on ${HOST}:${broker.port} (${ms} ms)`))
    ),
    waitFor('Apicurio Registry', state.registry.pid, state.registry.log, deadline, timeoutMs, () =>
      registryAnswers(state.env.SCHEMA_REGISTRY_URL, state.security)
    ).then((ms) => log(`Apicurio ready on ${state.env.SCHEMA_REGISTRY_URL} (${ms} ms)`)),
  ]);
}

/**
 * Polls `check` every 500 ms until it answers true; fails, quoting the log's tail, when the process dies or the
 * deadline passes. Also used by scripts/downstream.
 * @param {string} name @param {number} pid @param {string} logFile @param {number} deadline
 * @param {number} timeoutMs @param {() => Promise<boolean>} check
 * @returns {Promise<number>} ms waited
 */
async function waitFor(name, pid, logFile, deadline, timeoutMs, check) {
  const started = Date.now();
  for (;;) {
    if (!isAlive(pid)) {
      const tail = logTail(logFile);
      throw new StackStartError(
        `${name} (PID ${pid}) exited while starting; read ${logFile}. Last lines:\n${tail}`,
        {
          logFile,
          addressInUse: /Address already in use|BindException|Port .* seems to be in use/i.test(tail),
        }
      );
    }
    if (await check()) return Date.now() - started;
    if (Date.now() > deadline) {
      throw new StackStartError(
        `${name} (PID ${pid}) was not ready after ${timeoutMs} ms; read ${logFile}. Last lines:\n${logTail(logFile)}`,
        {logFile}
      );
    }
    await sleep(500);
  }
}

/**
 * @param {number} port @param {secure.StackSecurity} [security] the secured listener's client side
 * @param {number} [clusterSize] also wait until the cluster has this many brokers registered
 */
async function kafkaAnswers(port, security, clusterSize = 1) {
  if (!(await canConnect(port, 1000))) return false;
  const {Kafka, logLevel} = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'pinterest-cdc-stack-probe',
    brokers: [`${HOST}:${port}`],
    ...(security ? secure.kafkajsSecurity(security) : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: {retries: 0},
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    if (clusterSize > 1) return (await admin.describeCluster()).brokers.length >= clusterSize;
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * @param {string} url the ccompat base
 * @param {secure.StackSecurity} [security] when set, the registry must also refuse a request without credentials
 */
async function registryAnswers(url, security) {
  try {
    if (!security) return (await httpGet(`${url}/subjects`, 2000)).status === 200;
    const authorization = secure.basicAuthHeader(security.registry);
    const withUser = await httpGet(`${url}/subjects`, 2000, {authorization});
    if (withUser.status !== 200) return false;
    const anonymous = await httpGet(`${url}/subjects`, 2000);
    if (anonymous.status !== 401) {
      throw new StackStartError(
        `the registry at ${url} answered HTTP ${anonymous.status} to a request without credentials: its basic ` +
          'auth is not on (Quarkus embedded users; see scripts/stack/secure.js)'
      );
    }
    return true;
  } catch (error) {
    if (error instanceof StackStartError) throw error;
    return false;
  }
}

/**
 * @param {StackState} state
 * @returns {Promise<{healthy: boolean, problems: string[]}>}
 */
async function probe(state) {
  const problems = [];
  const brokers = brokersOf(state);
  for (const broker of brokers) {
    const name = brokers.length === 1 ? 'Kafka' : `Kafka node ${broker.id}`;
    if (!isOurs(broker.pid, state.marker)) problems.push(`${name} PID ${broker.pid} is not running`);
    else if (!(await canConnect(broker.port))) problems.push(`${name} port ${broker.port} does not answer`);
  }
  if (!isOurs(state.registry.pid, state.marker))
    problems.push(`registry PID ${state.registry.pid} is not running`);
  else if (!(await registryAnswers(state.env.SCHEMA_REGISTRY_URL, state.security).catch(() => false))) {
    problems.push(`registry ${state.env.SCHEMA_REGISTRY_URL}/subjects does not answer 200`);
  }
  return {healthy: problems.length === 0, problems};
}

/**
 * Stops the stack recorded in `dir` (if any), waits until its ports are free and removes its data.
 * @param {{dir?: string, rootDir?: string, log?: (msg: string) => void, removeDir?: boolean}} [options]
 * @returns {Promise<{stopped: boolean}>}
 */
async function stopStack(options = {}) {
  const rootDir = options.rootDir ?? ROOT_DIR;
  const dir = path.resolve(rootDir, options.dir ?? '.stack');
  const log = options.log ?? defaultLog;
  if (!fs.existsSync(dir)) return {stopped: false};
  const result = await withLock(
    path.join(dir, '.lock'),
    async () => {
      const state = readState(dir);
      if (!state) return {stopped: false};
      await stopFromState(state, dir, log);
      return {stopped: true};
    },
    {log}
  );
  if (options.removeDir) fs.rmSync(dir, {recursive: true, force: true});
  return result;
}

/**
 * Stops what `state` records (logs stay for reading), waits for its ports, removes data and state.json.
 * @param {StackState} state @param {string} dir @param {(msg: string) => void} log
 */
async function stopFromState(state, dir, log) {
  if (state.reaperPid && state.reaperPid !== process.pid) {
    await stopProcess(state.reaperPid, state.stackId, {graceMs: 3000, log, name: 'reaper'});
  }
  const brokers = brokersOf(state);
  const stopped = await Promise.all([
    ...brokers.map((broker) =>
      stopProcess(broker.pid, state.marker, {
        graceMs: 20_000,
        log,
        name: `Kafka node ${broker.id} (PID ${broker.pid})`,
      })
    ),
    stopProcess(state.registry.pid, state.marker, {
      graceMs: 10_000,
      log,
      name: `registry (PID ${state.registry.pid})`,
    }),
  ]);
  if (stopped.some(Boolean))
    log(`stopped Kafka PID ${brokers.map((b) => b.pid).join(', ')} and registry PID ${state.registry.pid}`);
  await waitPortsFree(
    [
      ...brokers.flatMap((b) => [b.port, b.controllerPort]),
      ...(state.kafka.internalPort ? [state.kafka.internalPort] : []),
      state.registry.port,
      state.registry.managementPort,
    ],
    dir
  );
  fs.rmSync(path.join(dir, 'data'), {recursive: true, force: true});
  if (state.security) fs.rmSync(state.security.dir, {recursive: true, force: true});
  fs.rmSync(path.join(dir, STATE_FILE), {force: true});
  fs.rmSync(path.join(dir, 'env'), {force: true});
}

/**
 * @param {{dir?: string, rootDir?: string}} [options]
 * @returns {Promise<{running: boolean, state: StackState | undefined, problems: string[]}>}
 */
async function stackStatus(options = {}) {
  const dir = path.resolve(options.rootDir ?? ROOT_DIR, options.dir ?? '.stack');
  const state = readState(dir);
  if (!state) return {running: false, state: undefined, problems: [`no stack recorded in ${dir}`]};
  const health = await probe(state);
  return {running: health.healthy, state, problems: health.problems};
}

/**
 * Whether this machine can run the local stack: Java 17+ and either Maven or an already complete cache.
 * @param {{rootDir?: string, cacheDir?: string}} [options]
 * @returns {{ok: boolean, reason: string}}
 */
function localStackPrerequisites(options = {}) {
  const rootDir = options.rootDir ?? ROOT_DIR;
  const cacheDir = path.resolve(rootDir, options.cacheDir ?? '.cache');
  const java = findKafkaJava();
  if (!java)
    return {ok: false, reason: 'no Java 17+ (checked KAFKA_JAVA_HOME, JAVA_HOME, PATH, /usr/lib/jvm)'};
  const cached =
    fs.existsSync(path.join(cacheDir, 'kafka-libs', '.complete')) &&
    Object.values(REGISTRY_VERSIONS).some((v) =>
      fs.existsSync(path.join(cacheDir, `apicurio-${v}`, '.complete'))
    );
  if (cached) return {ok: true, reason: `Java ${java.version} and a complete artifact cache in ${cacheDir}`};
  const mvn = spawnSync(process.env.MVN ?? 'mvn', ['-v'], {encoding: 'utf8', timeout: 60_000});
  if (mvn.error || mvn.status !== 0)
    return {ok: false, reason: `Java ${java.version} found but no Maven (mvn)`};
  return {ok: true, reason: `Java ${java.version} and Maven`};
}

/** @param {string} dir @returns {StackState | undefined} */
function readState(dir) {
  return readJsonFile(path.join(dir, STATE_FILE));
}

/** @param {string} dir @param {StackState} state */
function writeState(dir, state) {
  writeJsonFile(path.join(dir, STATE_FILE), state);
  fs.writeFileSync(path.join(dir, 'env'), envLines(state.env).join('\n') + '\n');
}

/**
 * A state file's content, or undefined when it is missing or unreadable. Also used by scripts/downstream.
 * @param {string} file @returns {any}
 */
function readJsonFile(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes a state file atomically (a reader never sees half of it). @param {string} file @param {unknown} value */
function writeJsonFile(file, value) {
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * NAME=value lines for a shell (`set -a; . <dir>/env`): a value with characters a shell would read is quoted.
 * @param {import('./index').StackEnv} env
 */
function envLines(env) {
  return Object.entries(env).map(([name, value]) =>
    /^[\w@%+=:,./-]*$/.test(value) ? `${name}=${value}` : `${name}='${value.replace(/'/g, `'\\''`)}'`
  );
}

/** @param {string} file */
function logTail(file, lines = 25) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

module.exports = {
  startStack,
  stopStack,
  stopBroker,
  startBroker,
  stackStatus,
  localStackPrerequisites,
  readState,
  envLines,
  ROOT_DIR,
  REGISTRY_VERSIONS,
  KAFKA_VERSION,
  StackError,
  StackPrerequisiteError,
  StackStartError,
  newClusterId,
  generateCa: secure.generateCa,
  waitFor,
  logTail,
  readJsonFile,
  writeJsonFile,
};
