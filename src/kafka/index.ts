/** The Kafka stage's public API. Only src/kafka imports kafkajs; everything exported here is client-neutral. */
export {createKafkaConnection, DEFAULT_REQUEST_TIMEOUT_MS, type KafkaConnection} from './connection';
export {DEFAULT_TRANSACTION_TIMEOUT_MS} from './transactional-writer';
export {decodeOwnerClaim, OwnerIdentity, type OwnerClaim} from './ownership';
export {singleRecordBatchBytes} from './record-size';
export {KafkaAccessError} from './access';
export type {ChangelogReaderOptions} from './changelog-reader';
export {ShardWriters, type ShardWritersOptions} from './shard-writers';
export {configFingerprint, transactionalIdFor} from './transactional-id';
export {payloadBytes} from './batch-plan';
export {partitionForKey} from './partitioner';
export type {GroupMembershipOptions} from './group-membership';
export type {
  BatchResult,
  ChangelogReader,
  ChangelogRecord,
  CleanupPolicy,
  DescribeTopicsReport,
  EnsureTopicsReport,
  GroupAssignment,
  GroupMembership,
  KafkaConnectionConfig,
  KafkaLogger,
  KafkaLogLevel,
  KafkaSaslConfig,
  MessageHeaders,
  OutgoingMessage,
  ReadToEndOptions,
  RecordWriter,
  TopicAdmin,
  TopicMismatch,
  TopicSpec,
  TopicTotals,
  TransactionalIdOwnership,
  TransactionalWriter,
  TransactionalWriterOptions,
  TransactionOutcome,
  WriterHooks,
} from './types';
export {
  ChangelogReadError,
  FencedError,
  ProduceError,
  RecordsRefusedError,
  TransactionAbortedByBrokerError,
  TransactionOutcomeUnknownError,
  type RefusedRecord,
} from '../errors';
