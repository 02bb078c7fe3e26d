export {SnapshotDiffer} from './differ';
export type {DiffOutput, FinishResult, SnapshotDifferOptions} from './differ';
export {defaultHasher, fingerprint, fingerprintHex, jsHash64, md5Hash64, sha1Hash64} from './fingerprint';
export type {Fingerprint, Hasher64} from './fingerprint';
export {runListing, emptyOpCounts, SyncAbortedError} from './listing-runner';
export type {Listing, ListingResult, ListingRunnerDeps, OpCounts} from './listing-runner';
export {runCycle, totalsByCollection} from './cycle';
export type {
  AnalyticsShardRunner,
  CollectionTotals,
  CycleConnection,
  CycleDeps,
  CycleOptions,
  CycleSummary,
  FailedListing,
  SkippedListing,
  UnitKind,
} from './cycle';
export {DeleteGuard} from './delete-guard';
export type {DeleteGuardOptions, DeleteReview, DeleteVerdict} from './delete-guard';
export {Lanes} from './lanes';
export {commitWithRetry, DEFAULT_COMMIT_RETRY, StateDivergedError} from './batch-committer';
export {TransactionPipeline} from './transaction-pipeline';
export type {CommitRetryPolicy} from './batch-committer';
export {DEAD_LETTER_REASONS, deadLetterMessage} from './dead-letter';
export type {
  BatchSink,
  ListingOutcome,
  ListingRequest,
  RecordSource,
  SyncHooks,
  SyncLogger,
  SyncTopics,
} from './ports';
export {
  adAccountShard,
  CONNECTION_NAME_PATTERN,
  DEFAULT_CONNECTION,
  isConnectionName,
  parseShardId,
  shardFor,
  shardId,
} from './shards';
export type {Shard, ShardScope} from './shards';
