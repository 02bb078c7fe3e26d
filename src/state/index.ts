export {ShardState, hashToHex, UPSERT_CHANGED, UPSERT_NEW, UPSERT_SAME} from './shard-state';
export type {StateEntry, UpsertResult} from './shard-state';
export {StateStore} from './state-store';
export {StoredRefreshToken} from './refresh-token';
export {
  applyChangelogRecord,
  CHANGELOG_VERSION,
  ChangelogFormatError,
  decodeChangelogKey,
  decodeHeldDeletes,
  decodeRecordValue,
  decodeRefreshToken,
  decodeShardMarker,
  heldDeletesMessage,
  ownerClaimKey,
  recordStateMessage,
  recordValueWithoutImage,
  refreshTokenMessage,
  shardMarkerMessage,
} from './changelog';
export type {ChangelogKey, ChangelogMessage} from './changelog';
export {formatUint64Key, parseUint64Key} from './numeric-key';
