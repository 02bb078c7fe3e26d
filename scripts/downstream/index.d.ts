/** Types of scripts/downstream/index.js (plain CommonJS like scripts/stack, so it runs without a compile step). */

export interface DownstreamState {
  version: 1;
  stackId: string;
  dir: string;
  startedAt: string;
  ownerPid: number | null;
  reaperPid: number | null;
  /** marker: a custom setting on the server's command line; home: the temporary folder holding the cluster */
  postgres: {
    pid: number;
    port: number;
    marker: string;
    home: string;
    binDir: string;
    major: number;
    log: string;
  };
  /** port: the worker's REST port; marker: a -D flag on its command line */
  connect: {pid: number; port: number; marker: string; connectorName: string; log: string};
}

export interface StartDownstreamOptions {
  /** state folder, relative to rootDir */
  dir: string;
  kafkaBrokers: string[];
  /** the ccompat base the service uses, e.g. http://127.0.0.1:8080/apis/ccompat/v7 (Apicurio only) */
  schemaRegistryUrl: string;
  /** keys replacing examples/jdbc-sink/jdbc-sink.properties' own (e.g. name, topics.regex) */
  connectorOverrides: Record<string, string>;
  /** repository root (default: two levels above scripts/downstream) */
  rootDir?: string;
  /** artifact cache, relative to rootDir (default .cache) */
  cacheDir?: string;
  /** per readiness wait (default 180000) */
  timeoutMs?: number;
  log?: (message: string) => void;
  /** stop everything once this process is gone (a detached watcher) */
  ownerPid?: number;
  /** remove the state folder, logs included, on stop() (default false) */
  removeDirOnStop?: boolean;
}

export interface ConnectorStatus {
  connector: {state: string; trace?: string};
  tasks: Array<{id: number; state: string; trace?: string}>;
}

export interface RunningDownstream {
  state: DownstreamState;
  /** where the start spent its time (artifacts and PostgreSQL side by side, then the worker) */
  timings: {artifactsMs: number; postgresMs: number; connectMs: number; totalMs: number};
  postgres: {
    port: number;
    major: number;
    jdbcUrl: string;
    /** one SQL statement through psql; its unaligned, tuples-only output */
    query(sql: string): Promise<string>;
  };
  connect: {
    restUrl: string;
    connectorName: string;
    /** the sink's consumer group, whose committed offsets say how far it got */
    consumerGroup: string;
    /** undefined while the worker does not answer */
    status(): Promise<ConnectorStatus | undefined>;
  };
  stop(): Promise<void>;
}

export function startDownstream(options: StartDownstreamOptions): Promise<RunningDownstream>;
export function stopDownstream(options: {
  dir: string;
  rootDir?: string;
  log?: (message: string) => void;
  removeDir?: boolean;
}): Promise<void>;
export function readState(dir: string): DownstreamState | undefined;
