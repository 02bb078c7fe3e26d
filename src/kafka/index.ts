/** The Kafka stage's public API. Only src/kafka imports kafkajs; everything exported here is client-neutral. */
export {createKafkaConnection, type KafkaConnection} from './connection';
export {KafkaAccessError} from './access';
export type {ChangelogReaderOptions} from './changelog-reader';
export {ShardWriters, type ShardWritersOptions} from './shard-writers';
export {configFingerprint, transactionalIdFor} from './transactional-id';
export {payloadBytes} from './batch-plan';
export type {
  BatchResult,
  ChangelogReader,
  ChangelogRecord,
  CleanupPolicy,
  DescribeTopicsReport,
  EnsureTopicsReport,
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
  TransactionalWriter,
  TransactionalWriterOptions,
  TransactionOutcome,
  WriterHooks,
} from './types';
export {ChangelogReadError, FencedError, ProduceError, TransactionOutcomeUnknownError} from '../errors';
