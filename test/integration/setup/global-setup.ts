/**
 * Finds Kafka and a Confluent-compatible schema registry for the integration tests, in this order:
 *   (a) KAFKA_BROKERS and SCHEMA_REGISTRY_URL in the environment: used as they are (checked to answer);
 *   (b) Java 17+ and Maven (or a complete .cache/): the local stack of scripts/stack, started in its own
 *       folder .stack/test-<pid> for this run and stopped after it (a watcher stops it if jest is killed);
 *   (c) a Docker engine that answers: testcontainers (Kafka + Confluent Schema Registry containers);
 *   (d) otherwise: fail, saying what to install. Never skip.
 * PINTEREST_CDC_TEST_STACK=local|docker forces (b) or (c). The addresses reach the tests through process.env
 * (inherited by the workers) and a small JSON file named by PINTEREST_CDC_TEST_SERVICES_FILE.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import {
  ROOT_DIR,
  localStackPrerequisites,
  readState,
  startStack,
  stopStack,
} from '../../../scripts/stack/index';
import {SERVICES_FILE_ENV, ServicesProvider, TestServices} from './services';

export interface ActiveServices {
  services: TestServices;
  file: string;
  stop: () => Promise<void>;
}

/** How globalTeardown (same process) finds what globalSetup started. */
export const ACTIVE_SERVICES_KEY = '__pinterestCdcTestServices';

const STACK_ROOT = path.join(ROOT_DIR, '.stack');

function log(message: string): void {
  process.stderr.write(`[integration-setup] ${message}\n`);
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const active = await provide();
  fs.mkdirSync(path.dirname(active.file), {recursive: true});
  fs.writeFileSync(active.file, `${JSON.stringify(active.services, null, 2)}\n`);
  process.env.KAFKA_BROKERS = active.services.kafkaBrokers.join(',');
  process.env.SCHEMA_REGISTRY_URL = active.services.schemaRegistryUrl;
  process.env[SERVICES_FILE_ENV] = active.file;
  (globalThis as Record<string, unknown>)[ACTIVE_SERVICES_KEY] = active;
  log(
    `services (${active.services.provider}, ${Date.now() - started} ms): KAFKA_BROKERS=${process.env.KAFKA_BROKERS} ` +
      `SCHEMA_REGISTRY_URL=${process.env.SCHEMA_REGISTRY_URL}`
  );
}

async function provide(): Promise<ActiveServices> {
  const file = path.join(STACK_ROOT, `test-services-${process.pid}.json`);
  const brokers = process.env.KAFKA_BROKERS;
  const registry = process.env.SCHEMA_REGISTRY_URL;
  if (brokers || registry) {
    if (!brokers || !registry) {
      throw new Error(
        'Set both KAFKA_BROKERS and SCHEMA_REGISTRY_URL (to use running services) or neither (to let the test ' +
          `setup start them); only ${brokers ? 'KAFKA_BROKERS' : 'SCHEMA_REGISTRY_URL'} is set.`
      );
    }
    const services = {
      kafkaBrokers: brokers.split(',').map((b) => b.trim()),
      schemaRegistryUrl: registry,
      provider: 'env' as const,
    };
    await checkReachable(services);
    return {services, file, stop: async () => undefined};
  }
  const forced = process.env.PINTEREST_CDC_TEST_STACK;
  if (forced && forced !== 'local' && forced !== 'docker') {
    throw new Error(`PINTEREST_CDC_TEST_STACK must be "local" or "docker", not "${forced}"`);
  }
  const local =
    forced === 'docker' ? {ok: false, reason: 'PINTEREST_CDC_TEST_STACK=docker'} : localStackPrerequisites();
  if (local.ok) return startLocal(file, local.reason);
  if (forced === 'local')
    throw new Error(`PINTEREST_CDC_TEST_STACK=local but the local stack cannot run: ${local.reason}`);
  const docker = await dockerAnswers();
  if (docker.ok) return startContainers(file);
  throw new Error(
    'No Kafka + schema registry for the integration tests, and none can be started here:\n' +
      `  - local stack: ${local.reason};\n` +
      `  - Docker: ${docker.reason}.\n` +
      'Install Java 17+ and Maven 3.8+ (Kafka 4.1; plus a JDK 21+ for Apicurio 3.3, otherwise Apicurio 3.0.9 ' +
      'on Java 17 is used), or a Docker engine (testcontainers), or export KAFKA_BROKERS and SCHEMA_REGISTRY_URL ' +
      '(the full ccompat base, e.g. http://127.0.0.1:8081/apis/ccompat/v7) of running services.'
  );
}

async function startLocal(file: string, reason: string): Promise<ActiveServices> {
  await reapStaleTestStacks();
  const dir = path.join(STACK_ROOT, `test-${process.pid}`);
  log(`starting the local stack in ${dir} (${reason})`);
  const stack = await startStack({
    dir,
    ownerPid: process.pid,
    removeDirOnStop: process.env.CI !== 'true',
    log: (message) => log(message),
  });
  return {
    services: {
      kafkaBrokers: [stack.env.KAFKA_BROKERS],
      schemaRegistryUrl: stack.env.SCHEMA_REGISTRY_URL,
      provider: 'local' satisfies ServicesProvider,
    },
    file,
    stop: () => stack.stop(),
  };
}

/** Stacks of earlier runs whose jest process is gone (killed before its teardown and before its watcher acted). */
async function reapStaleTestStacks(): Promise<void> {
  let entries: string[];
  try {
    entries = fs.readdirSync(STACK_ROOT);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = /^test-(\d+)$/.exec(entry);
    if (!match || Number(match[1]) === process.pid) continue;
    const dir = path.join(STACK_ROOT, entry);
    const owner = readState(dir)?.ownerPid ?? Number(match[1]);
    if (isAlive(owner)) continue;
    log(`removing the stale test stack ${dir} (owner PID ${owner} is gone)`);
    await stopStack({dir, removeDir: true, log});
  }
  for (const entry of entries) {
    const match = /^test-services-(\d+)\.json$/.exec(entry);
    if (match && !isAlive(Number(match[1]))) fs.rmSync(path.join(STACK_ROOT, entry), {force: true});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function dockerAnswers(): Promise<{ok: boolean; reason: string}> {
  try {
    const {getContainerRuntimeClient} = await import('testcontainers');
    const client = await withTimeout(getContainerRuntimeClient(), 20_000, 'no answer within 20 s');
    return {ok: true, reason: `${client.info.containerRuntime.host}`};
  } catch (error) {
    return {
      ok: false,
      reason: `no Docker engine answers (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    };
  }
}

async function startContainers(file: string): Promise<ActiveServices> {
  const {GenericContainer, Network, Wait} = await import('testcontainers');
  const {KafkaContainer} = await import('@testcontainers/kafka');
  const kafkaImage = process.env.KAFKA_IMAGE ?? 'confluentinc/cp-kafka:7.9.0';
  const registryImage = process.env.SCHEMA_REGISTRY_IMAGE ?? 'confluentinc/cp-schema-registry:7.9.0';
  log(`starting ${kafkaImage} and ${registryImage} with testcontainers`);
  const network = await new Network().start();
  const kafka = await new KafkaContainer(kafkaImage)
    .withKraft()
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .withEnvironment({
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    })
    .start();
  const registry = await new GenericContainer(registryImage)
    .withNetwork(network)
    .withExposedPorts(8081)
    .withEnvironment({
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
      SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:9092',
    })
    .withWaitStrategy(Wait.forHttp('/subjects', 8081).forStatusCode(200))
    .withStartupTimeout(180_000)
    .start();
  return {
    services: {
      kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
      schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
      provider: 'docker',
    },
    file,
    stop: async () => {
      await registry.stop();
      await kafka.stop();
      await network.stop();
    },
  };
}

/** Fails early when services named in the environment do not answer. */
async function checkReachable(services: TestServices): Promise<void> {
  const broker = services.kafkaBrokers[0] ?? '';
  const [host, port] = [
    broker.slice(0, broker.lastIndexOf(':')),
    Number(broker.slice(broker.lastIndexOf(':') + 1)),
  ];
  const brokerOk = await new Promise<boolean>((resolve) => {
    const socket = net.connect({host, port});
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!brokerOk)
    throw new Error(
      `KAFKA_BROKERS=${services.kafkaBrokers.join(',')}: ${broker} does not accept connections`
    );
  const res = await fetch(`${services.schemaRegistryUrl.replace(/\/+$/, '')}/subjects`).catch(
    (error: unknown) => error
  );
  if (!(res instanceof Response) || res.status !== 200) {
    throw new Error(
      `SCHEMA_REGISTRY_URL=${services.schemaRegistryUrl}: GET /subjects did not answer 200 ` +
        `(${res instanceof Response ? `HTTP ${res.status}` : String(res)}); it must be the full base, e.g. ` +
        'http://127.0.0.1:8081/apis/ccompat/v7 for Apicurio'
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
