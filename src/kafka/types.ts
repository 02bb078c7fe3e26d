/**
 * The Kafka stage's ports: the only shapes the rest of pinterest-cdc sees. Nothing here mentions kafkajs, so the
 * client behind them can be swapped (e.g. for @confluentinc/kafka-javascript) without touching callers.
 */

/** Structured logger (pino-compatible argument order: fields first, then the message). */
export interface KafkaLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkaSaslConfig {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  /** PEM file of the CA(s) that signed the brokers' certificates (with `ssl`); default: Node's bundled CAs. */
  sslCaFile?: string;
  sasl?: KafkaSaslConfig;
  /** Default 10000. */
  connectionTimeoutMs?: number;
  /** Default 30000. */
  requestTimeoutMs?: number;
  /** Most verbose client log level routed to the logger; default 'warn'. */
  logLevel?: KafkaLogLevel;
}

export type CleanupPolicy = 'compact' | 'delete' | 'compact,delete';

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  cleanupPolicy: CleanupPolicy;
  /** Further topic configs, e.g. {'min.compaction.lag.ms': '0'}; only applied on creation. */
  config?: Record<string, string>;
}

export interface TopicMismatch {
  topic: string;
  setting: 'partitions' | 'cleanup.policy' | string;
  expected: string;
  actual: string;
}

export interface EnsureTopicsReport {
  created: string[];
  existing: string[];
  /** Existing topics whose settings differ from the spec (reported and logged, never changed). */
  mismatches: TopicMismatch[];
}

/** What exists of a set of topics, changing nothing (for `check`). */
export interface DescribeTopicsReport {
  existing: string[];
  missing: string[];
  mismatches: TopicMismatch[];
}

export interface TopicAdmin {
  ensureTopics(specs: readonly TopicSpec[]): Promise<EnsureTopicsReport>;
  /** Read-only: which of the specs exist and how existing ones differ; creates and alters nothing. */
  describeTopics(specs: readonly TopicSpec[]): Promise<DescribeTopicsReport>;
  /** The partitions an existing topic has. */
  partitionCount(topic: string): Promise<number>;
  close(): Promise<void>;
}

/** Plain acknowledged writes outside any transaction (see record-writer.ts). Throws ProduceError. */
export interface RecordWriter {
  write(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export type MessageHeaders = Record<string, string | Buffer>;

export interface OutgoingMessage {
  topic: string;
  /** Partitioning and compaction key; null only for non-compacted topics. */
  key: Buffer | null;
  /** null = tombstone. */
  value: Buffer | null;
  headers?: MessageHeaders;
  /** Written to this partition instead of the key's (a fleet task's records go to the task's own partition). */
  partition?: number;
}

export interface TopicTotals {
  messages: number;
  bytes: number;
}

export interface BatchResult {
  transactionalId: string;
  messages: number;
  bytes: number;
  byTopic: Record<string, TopicTotals>;
  /** From the transaction's start until the broker acknowledged the commit. */
  durationSeconds: number;
}

export type TransactionOutcome = 'committed' | 'aborted' | 'fenced' | 'unknown';

/** Metrics hooks; called synchronously, a throwing hook is logged and ignored. */
export interface WriterHooks {
  /** After a commit, once per topic of the batch (messages count only once committed). */
  onTopicCommitted?(event: {topic: string; messages: number; bytes: number; durationSeconds: number}): void;
  /** A failed batch, once per topic it contained. */
  onProduceError?(event: {topic: string; retriable: boolean}): void;
  /** Every transaction's end. */
  onTransaction?(event: {
    transactionalId: string;
    outcome: TransactionOutcome;
    messages: number;
    bytes: number;
    durationSeconds: number;
  }): void;
}

/**
 * Who may use a transactional id. Kafka cannot tell a transaction it aborted for outliving its timeout from one
 * aborted because a newer producer took the id (both answer INVALID_PRODUCER_EPOCH, docs/notes.md), and every
 * InitProducerId fences whoever holds the id, so the writer asks this before each one. One instance per
 * configuration records its claim in the state topic (StateTopicOwnership); a fleet can answer from its group
 * assignment instead.
 */
export interface TransactionalIdOwnership {
  /**
   * Resolves when this process may initialise a producer for the id: the first time, it claims the id (after
   * that, an older holder learns it lost); later (a replacement producer after a failure), it checks that no
   * newer process has claimed it since. Throws FencedError when one has; other errors are retriable or not as
   * flagged.
   */
  acquire(): Promise<void>;
}

export interface TransactionalWriterOptions {
  transactionalId: string;
  /** Broker aborts a transaction open longer than this; default 120000 (must be <= transaction.max.timeout.ms). */
  transactionTimeoutMs?: number;
  /** Upper bound of the payload put in one produce request; default 900000 (below message.max.bytes 1 MiB). */
  maxRequestBytes?: number;
  hooks?: WriterHooks;
  /**
   * Consulted before every InitProducerId. Without it, an aborted epoch is taken for fencing (FencedError) and a
   * replacement producer fences whoever holds the id.
   */
  ownership?: TransactionalIdOwnership;
}

/**
 * Writes batches atomically: all messages of one writeBatch call become visible to read_committed consumers
 * together, or none do. Calls are serialized (one transaction at a time).
 */
export interface TransactionalWriter {
  readonly transactionalId: string;
  /**
   * Registers the transactional id with the coordinator (fencing any older producer with the same id and
   * aborting its open transaction). Called by writeBatch when needed; call it before restoring state, so that
   * no zombie transaction is left that could commit after the read.
   */
  init(): Promise<void>;
  /**
   * Throws ProduceError (retriable from the client), TransactionAbortedByBrokerError (retriable: send the same
   * batch again), RecordsRefusedError (some messages can never be written as they are: nothing was committed),
   * FencedError, or TransactionOutcomeUnknownError.
   */
  writeBatch(messages: readonly OutgoingMessage[]): Promise<BatchResult>;
  /**
   * The largest record batch the topic accepts (see singleRecordBatchBytes), or undefined when unknown. A message
   * over it is refused by writeBatch before anything is sent.
   */
  batchLimit(topic: string): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface ChangelogRecord {
  key: Buffer;
  /** null = tombstone. */
  value: Buffer | null;
  partition: number;
  /** Decimal string: Kafka offsets are int64. */
  offset: string;
  /** The record's headers, when it has any (e.g. the fleet's owner header on state records). */
  headers?: MessageHeaders;
}

export interface ReadToEndOptions {
  /** Called once the end offsets are fixed (before any record). */
  onEndOffsets?(ends: {partition: number; start: string; end: string}[]): void;
  /** Only the partition a record with this key is written to (the Java client's partitioning of keys). */
  partitionOfKey?: Buffer;
  /** Only these partitions (a fleet task restores its own partition). */
  partitions?: readonly number[];
  /**
   * Also records of open and aborted transactions, up to the log end, without waiting for open transactions to
   * end: only for records written outside transactions (ownership claims). A partition whose only records at the
   * start belong to open transactions counts as empty, as in a committed read.
   */
  readUncommitted?: boolean;
}

/** One instance's share of a consumer group: the partitions the coordinator gave it in one generation. */
export interface GroupAssignment {
  readonly partitions: readonly number[];
  /** Increases with every rebalance this member takes part in (counted locally). */
  readonly generation: number;
}

/**
 * Membership of a consumer group used only to share partitions (no records are consumed, no offsets committed):
 * the group coordinator assigns the topic's partitions over the live members; a member that stops heartbeating
 * for the session timeout is evicted and its partitions go to the others.
 */
export interface GroupMembership {
  /** Joins; `onAssignment` is called after every rebalance with this member's partitions (maybe none). */
  join(onAssignment: (assignment: GroupAssignment) => void): Promise<void>;
  /** Leaves the group (the others get this member's partitions at once, without waiting for a timeout). */
  leave(): Promise<void>;
}

export interface ChangelogReader {
  /**
   * Every committed record of the topic from the beginning up to its last stable offset as of the call, in
   * offset order per partition. Records committed later are not included. Finishes at once on an empty topic.
   */
  readToEnd(topic: string, options?: ReadToEndOptions): AsyncIterable<ChangelogRecord>;
}
