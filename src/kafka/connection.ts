import {Kafka, type KafkaConfig, type SASLOptions} from 'kafkajs';

import {ConfigError} from '../errors';
import {readCaFile, verifyAccess} from './access';
import {KafkajsChangelogReader, type ChangelogReaderOptions} from './changelog-reader';
import {KafkajsGroupMembership, type GroupMembershipOptions} from './group-membership';
import {assertKafkajsPatched} from './kafkajs-patch';
import {kafkajsLogCreator, toKafkajsLogLevel} from './log-creator';
import {StateTopicOwnership, type OwnerIdentity} from './ownership';
import {KafkajsRecordWriter} from './record-writer';
import {ShardWriters, type ShardWritersOptions} from './shard-writers';
import {KafkajsTopicAdmin} from './topic-admin';
import {KafkajsTopicLimits} from './topic-limits';
import {KafkajsTransactionalWriter} from './transactional-writer';
import type {
  ChangelogReader,
  GroupMembership,
  KafkaConnectionConfig,
  KafkaLogger,
  RecordWriter,
  TopicAdmin,
  TransactionalIdOwnership,
  TransactionalWriter,
  TransactionalWriterOptions,
} from './types';

/** kafkajs' request timeout, unless configured: the Java client's `request.timeout.ms` default. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Entry point of the Kafka stage: everything it makes shares one client configuration and logger. */
export interface KafkaConnection {
  readonly clientId: string;
  topicAdmin(): TopicAdmin;
  transactionalWriter(options: TransactionalWriterOptions): TransactionalWriter;
  shardWriters(options: ShardWritersOptions): ShardWriters;
  changelogReader(options?: ChangelogReaderOptions): ChangelogReader;
  /** Plain acknowledged writes (no transaction, no transactional id): the token topic. */
  recordWriter(): RecordWriter;
  /** Membership of a consumer group that shares a topic's partitions among instances (the fleet's tasks). */
  groupMembership(options: GroupMembershipOptions): GroupMembership;
  /**
   * Ownership of a transactional id recorded as claims in a compacted topic (the state changelog), for writers
   * whose id one process at a time may use (TransactionalWriterOptions.ownership).
   */
  stateTopicOwnership(options: {
    topic: string;
    claimKey: Buffer;
    transactionalId: string;
    owner: OwnerIdentity;
  }): TransactionalIdOwnership;
  /**
   * Connects once to see whether Kafka accepts this client's TLS and SASL settings: a refused certificate or
   * login throws a KafkaAccessError naming the setting to fix (exit 1, nothing retried); other failures are left
   * to the next step's retries.
   */
  verifyAccess(): Promise<void>;
  /** Closes every admin and writer made through this connection (readers close themselves). */
  close(): Promise<void>;
}

function saslOptions(config: KafkaConnectionConfig): SASLOptions | undefined {
  const sasl = config.sasl;
  if (!sasl) return undefined;
  return {mechanism: sasl.mechanism, username: sasl.username, password: sasl.password} as SASLOptions;
}

/** The kafkajs client configuration (exported for tests; holds the SASL password: never log it). */
export function kafkajsConfig(config: KafkaConnectionConfig, logger: KafkaLogger): KafkaConfig {
  const problems: string[] = [];
  if (config.brokers.length === 0) problems.push('kafka.brokers: at least one broker is required');
  for (const broker of config.brokers) {
    if (!/^[^\s:]+:\d+$/.test(broker)) problems.push(`kafka.brokers: "${broker}" is not host:port`);
  }
  if (config.clientId.trim().length === 0) problems.push('kafka.clientId: required');
  const ca = config.ssl && config.sslCaFile !== undefined ? readCaFile(config.sslCaFile) : undefined;
  if (ca && 'problem' in ca) problems.push(ca.problem);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    brokers: config.brokers,
    clientId: config.clientId,
    // true = Node's bundled CAs (and NODE_EXTRA_CA_CERTS); kafkajs passes these options to tls.connect.
    ssl: ca && 'certificates' in ca ? {ca: ca.certificates} : (config.ssl ?? false),
    sasl: saslOptions(config),
    connectionTimeout: config.connectionTimeoutMs ?? 10_000,
    requestTimeout: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    logLevel: toKafkajsLogLevel(config.logLevel ?? 'warn'),
    logCreator: kafkajsLogCreator(logger),
  };
}

export function createKafkaConnection(
  config: KafkaConnectionConfig,
  deps: {logger: KafkaLogger}
): KafkaConnection {
  assertKafkajsPatched();
  const options = kafkajsConfig(config, deps.logger);
  const kafka = new Kafka(options);
  const closeables = new Set<{close(): Promise<void>}>();
  const track = <T extends {close(): Promise<void>}>(item: T): T => {
    closeables.add(item);
    return item;
  };
  // One cache of topic limits for every writer of the connection.
  const limits = new KafkajsTopicLimits({kafka, logger: deps.logger});
  const writer = (options: TransactionalWriterOptions) =>
    track(new KafkajsTransactionalWriter({kafka, logger: deps.logger, options, limits}));
  const changelogReader = (options?: ChangelogReaderOptions) =>
    new KafkajsChangelogReader({kafka, logger: deps.logger, options});
  const recordWriter = () => track(new KafkajsRecordWriter({kafka}));

  return {
    clientId: config.clientId,
    topicAdmin: () => track(new KafkajsTopicAdmin({kafka, logger: deps.logger})),
    transactionalWriter: writer,
    shardWriters: (options) => {
      const shards = new ShardWriters(writer, options);
      track({close: () => shards.closeAll()});
      return shards;
    },
    changelogReader,
    recordWriter,
    groupMembership: (options) => {
      const membership = new KafkajsGroupMembership({kafka, logger: deps.logger, options});
      track({close: () => membership.leave()});
      return membership;
    },
    stateTopicOwnership: (options) => {
      const claims = recordWriter();
      return new StateTopicOwnership({
        ...options,
        append: (message) => claims.write([message]),
        reader: changelogReader(),
        logger: deps.logger,
      });
    },
    verifyAccess: () => verifyAccess(options, config, deps.logger),
    close: async () => {
      const items = [...closeables];
      closeables.clear();
      await Promise.allSettled(items.map((c) => c.close()));
    },
  };
}
