/** Types of scripts/stack/index.js (plain CommonJS so it runs right after `npm ci`, without a compile step). */

export interface StackEnv {
  /** 127.0.0.1:<port> */
  KAFKA_BROKERS: string;
  /** http://127.0.0.1:<port>/apis/ccompat/v7 (the full base for @kafkajs/confluent-schema-registry) */
  SCHEMA_REGISTRY_URL: string;
  /** The secured stack only (startStack({secure: true})): the service's settings that reach it. */
  KAFKA_SSL?: 'true';
  /** PEM file of the CA that signed the broker's certificate */
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SASL_MECHANISM?: 'scram-sha-512';
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  SCHEMA_REGISTRY_USERNAME?: string;
  SCHEMA_REGISTRY_PASSWORD?: string;
}

/** What a secured stack made (secure.js); everything under `dir` is removed on stop. */
export interface StackSecurity {
  dir: string;
  caFile: string;
  /** the broker's key and certificate chain (Kafka PEM keystore) */
  keystoreFile: string;
  /** Apicurio's basic-auth users (Quarkus config file) */
  registryAuthFile: string;
  kafka: {mechanism: 'scram-sha-512'; username: string; password: string};
  registry: {username: string; password: string};
}

/** One Kafka node (KRaft broker + controller) of a stack. */
export interface BrokerState {
  /** node.id, 1-based */
  id: number;
  /** 0 while stopped by stopBroker */
  pid: number;
  port: number;
  controllerPort: number;
  log: string;
  serverProperties: string;
  /** its log.dirs: kept by stopBroker, removed by stopStack */
  dataDir: string;
}

export interface StackState {
  version: 1;
  stackId: string;
  /** the -D flag carried by both JVMs' command lines; only processes carrying it are ever signalled */
  marker: string;
  dir: string;
  startedAt: string;
  ownerPid: number | null;
  /** node 1 (the only one by default); `brokers` lists every node */
  kafka: {
    pid: number;
    /** the client listener (SASL_SSL when secured) */
    port: number;
    controllerPort: number;
    /** secured stack: the broker's own PLAINTEXT listener (never handed to clients) */
    internalPort?: number;
    version: string;
    java: string;
    log: string;
    /** how a node's JVM is started again (startBroker) */
    classpath?: string;
    log4j2?: string;
    heap?: string;
  };
  /** every Kafka node (absent in state files of older single-broker stacks) */
  brokers?: BrokerState[];
  registry: {
    pid: number;
    port: number;
    managementPort: number;
    version: string;
    java: string;
    javaVersion: number;
    log: string;
  };
  reaperPid: number | null;
  security?: StackSecurity;
  env: StackEnv;
}

export interface StartStackOptions {
  /** state folder, relative to rootDir (default .stack) */
  dir?: string;
  /** repository root (default: two levels above scripts/stack) */
  rootDir?: string;
  /** artifact cache, relative to rootDir (default .cache) */
  cacheDir?: string;
  /** readiness timeout (default 120000, or STACK_START_TIMEOUT_MS) */
  timeoutMs?: number;
  /** progress lines (default: stderr) */
  log?: (message: string) => void;
  /** stop the stack automatically once this process is gone (a detached watcher) */
  ownerPid?: number;
  /** remove the whole state folder on stop() (default false: logs stay) */
  removeDirOnStop?: boolean;
  /** force an Apicurio version (default 3.3.3 when a JDK 21+ exists, else 3.0.9); also APICURIO_VERSION */
  apicurioVersion?: string;
  kafkaHeap?: string;
  registryHeap?: string;
  /**
   * Kafka's client listener on SASL_SSL (SCRAM-SHA-512, a CA made for this start) and basic auth on the registry;
   * default false (plaintext). Needs the openssl command line tool.
   */
  secure?: boolean;
  /**
   * Kafka nodes (each broker and controller), default 1. With 3, every topic gets replication factor 3 and
   * min.insync.replicas 2 (internal topics included, and the broker defaults the service's topics take).
   */
  brokers?: number;
}

export interface RunningStack {
  env: StackEnv;
  state: StackState;
  /** true when a healthy stack was already running in the folder */
  reused: boolean;
  stop(): Promise<void>;
}

export function startStack(options?: StartStackOptions): Promise<RunningStack>;
export function stopStack(options?: {
  dir?: string;
  rootDir?: string;
  log?: (message: string) => void;
  removeDir?: boolean;
}): Promise<{stopped: boolean}>;
export function stackStatus(options?: {
  dir?: string;
  rootDir?: string;
}): Promise<{running: boolean; state: StackState | undefined; problems: string[]}>;
export function localStackPrerequisites(options?: {rootDir?: string; cacheDir?: string}): {
  ok: boolean;
  reason: string;
};
export function readState(dir: string): StackState | undefined;
/** Stops nodes keeping their data (`kill`: SIGKILL at once, a crash); several ids = one call for all. */
export function stopBroker(options: {
  dir?: string;
  rootDir?: string;
  id: number | number[];
  kill?: boolean;
  log?: (message: string) => void;
}): Promise<{pids: number[]}>;
/** Starts stopped nodes again on their data and waits until each answers (the whole cluster: pass every id). */
export function startBroker(options: {
  dir?: string;
  rootDir?: string;
  id: number | number[];
  timeoutMs?: number;
  log?: (message: string) => void;
}): Promise<{pids: number[]; started: number[]}>;
/** Polls `check` every 500 ms until true; fails (quoting the log's tail) when the process dies or time runs out. */
export function waitFor(
  name: string,
  pid: number,
  logFile: string,
  deadline: number,
  timeoutMs: number,
  check: () => Promise<boolean>
): Promise<number>;
export function logTail(file: string, lines?: number): string;
export function readJsonFile(file: string): unknown;
export function writeJsonFile(file: string, value: unknown): void;
/** NAME=value lines, one per variable set (values a shell would misread are quoted). */
export function envLines(env: StackEnv): string[];
/** A self-signed CA in `dir` (`<name>.pem`, `<name>-key.pem`), e.g. for a test that needs a CA that signed nothing. */
export function generateCa(
  dir: string,
  options?: {name?: string; commonName?: string}
): Promise<{certFile: string; keyFile: string}>;
export const ROOT_DIR: string;
export const KAFKA_VERSION: string;
export const REGISTRY_VERSIONS: {preferred: string; fallback: string};

export class StackError extends Error {
  readonly retriable: boolean;
}
export class StackPrerequisiteError extends StackError {}
export class StackStartError extends StackError {
  readonly logFile: string | undefined;
  readonly addressInUse: boolean;
}
