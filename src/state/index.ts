export {ShardState, hashToHex, UPSERT_CHANGED, UPSERT_NEW, UPSERT_SAME} from './shard-state';
export type {StateEntry, UpsertResult} from './shard-state';
export {StateStore} from './state-store';
export {StoredRefreshToken} from './refresh-token';
export {
  AnalyticsRowMessages,
  analyticsProgressMessage,
  analyticsRowMessage,
  applyChangelogRecord,
  CHANGELOG_VERSION,
  ChangelogFormatError,
  decodeChangelogKey,
  decodeHeldDeletes,
  decodeLayoutValue,
  decodeRecordValue,
  decodeRefreshToken,
  decodeShardMarker,
  heldDeletesMessage,
  layoutMessage,
  ownerClaimKey,
  recordStateMessage,
  recordValueWithoutImage,
  refreshTokenMessage,
  shardMarkerMessage,
  shardOfChangelogKey,
} from './changelog';
export type {ChangelogKey, ChangelogMessage} from './changelog';
export {formatUint64Key, parseUint64Key} from './numeric-key';
export {AnalyticsShardState} from './analytics-shard-state';
export {AnalyticsRowTable, ROW_CHANGED, ROW_NEW, ROW_SAME, sameFigure} from './analytics-rows';
export type {RowRef, RowUpsert} from './analytics-rows';
export {ATTRIBUTION_COLUMN, EMPTY_PROGRESS, FIELD_ABSENT, rowKey, splitRowKey} from './analytics-codec';
export type {AnalyticsProgress, PartialRange, RowFigures} from './analytics-codec';
