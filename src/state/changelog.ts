import {CdcError} from '../errors';
import {
  decodeProgressValue,
  decodeRowValue,
  encodeProgressValue,
  encodeRowFigures,
  encodeRowValue,
  type AnalyticsProgress,
  type RowFigures,
} from './analytics-codec';
import {StoredRefreshToken} from './refresh-token';
import type {StateStore} from './state-store';

/**
 * Records of the compacted `<prefix>.state` topic. Key: version byte, kind byte, then fields that identify
 * what the record is about, so compaction keeps exactly the latest record per thing:
 *   record:  [1][1][len][collection][len][shard][record key...]      value [1][flags][hash 8 bytes][image utf8]
 *   shard:   [1][2][len][collection][len][shard]                      value [1][flags][completed at ms, float64]
 *   token:   [1][3][name...]                                          value [1][JSON {refreshToken, expiresAt}]
 *            (legacy: tokens now live in the token topic; see refreshTokenMessage)
 *   held:    [1][4][len][collection][len][shard]                      value [1][digest of held delete keys, utf8]
 *   owner:   [1][5][transactional id...]                              value: an ownership claim, written and read
 *            by the Kafka stage (src/kafka/ownership.ts); not state: the restore skips it.
 *   analytics row [1][6]... and analytics progress [1][7]...: src/state/analytics-codec.ts
 *   layout:  [1][8][partition uint32]                                value [1][partition count uint32]
 *            written into its own partition by the fleet task of that partition once its shards' records all
 *            live there (src/fleet/task-restore.ts); not state: the restore reads it, then skips it.
 * A null value (tombstone) forgets the thing. The version byte lets a later format coexist with this one.
 */
export const CHANGELOG_VERSION = 1;
const KIND_RECORD = 1;
const KIND_SHARD = 2;
const KIND_TOKEN = 3;
const KIND_HELD_DELETES = 4;
const KIND_OWNER = 5;
const KIND_ANALYTICS_ROW = 6;
const KIND_ANALYTICS_PROGRESS = 7;
const KIND_LAYOUT = 8;
const FLAG_IMAGE = 1;
const FLAG_FIRST_SNAPSHOT_COMPLETE = 1;

export interface ChangelogMessage {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

export type ChangelogKey =
  | {readonly kind: 'record'; readonly collection: string; readonly shard: string; readonly key: string}
  | {readonly kind: 'shard'; readonly collection: string; readonly shard: string}
  | {readonly kind: 'held'; readonly collection: string; readonly shard: string}
  | {readonly kind: 'token'; readonly name: string}
  | {readonly kind: 'owner'; readonly transactionalId: string}
  | {readonly kind: 'layout'; readonly partition: number}
  | {
      readonly kind: 'analytics_row';
      readonly collection: string;
      readonly shard: string;
      readonly key: string;
    }
  | {readonly kind: 'analytics_progress'; readonly collection: string; readonly shard: string};

/** The changelog holds a record this version cannot read (written by a newer pinterest-cdc, or corrupt). */
export class ChangelogFormatError extends CdcError {
  constructor(message: string) {
    super(message, {retriable: false});
  }
}

export function recordStateMessage(
  collection: string,
  shard: string,
  key: string,
  hash: {hashHi: number; hashLo: number} | null,
  image?: string
): ChangelogMessage {
  const keyBuffer = scopedKey(KIND_RECORD, collection, shard, key);
  if (hash === null) return {key: keyBuffer, value: null};
  const imageLength = image === undefined ? 0 : Buffer.byteLength(image);
  const value = Buffer.allocUnsafe(10 + imageLength);
  value[0] = CHANGELOG_VERSION;
  value[1] = image === undefined ? 0 : FLAG_IMAGE;
  value.writeUInt32BE(hash.hashHi >>> 0, 2);
  value.writeUInt32BE(hash.hashLo >>> 0, 6);
  if (image !== undefined) value.write(image, 10, 'utf8');
  return {key: keyBuffer, value};
}

/**
 * The same record value with its image dropped (hash only), for a value larger than the state topic accepts: the
 * record stays tracked; after a restore its next `u` has no `before`.
 */
export function recordValueWithoutImage(value: Buffer): Buffer {
  const out = Buffer.from(value.subarray(0, 10));
  out[1] = (out[1] as number) & ~FLAG_IMAGE;
  return out;
}

export function shardMarkerMessage(
  collection: string,
  shard: string,
  marker: {firstSnapshotComplete: boolean; atMs: number} | null
): ChangelogMessage {
  const key = scopedKey(KIND_SHARD, collection, shard, '');
  if (marker === null) return {key, value: null};
  const value = Buffer.alloc(10);
  value[0] = CHANGELOG_VERSION;
  value[1] = marker.firstSnapshotComplete ? FLAG_FIRST_SNAPSHOT_COMPLETE : 0;
  value.writeDoubleBE(marker.atMs, 2);
  return {key, value};
}

/** Which deletes of a shard the delete guard holds (a digest of their keys); null = none held. */
export function heldDeletesMessage(
  collection: string,
  shard: string,
  digest: string | null
): ChangelogMessage {
  const key = scopedKey(KIND_HELD_DELETES, collection, shard, '');
  if (digest === null) return {key, value: null};
  return {key, value: Buffer.concat([Buffer.from([CHANGELOG_VERSION]), Buffer.from(digest, 'utf8')])};
}

/** An analytics row (`key` = rowKey(entity id, date)) with its figures, or its tombstone (null). */
export function analyticsRowMessage(
  collection: string,
  shard: string,
  key: string,
  figures: RowFigures | null
): ChangelogMessage {
  return {
    key: scopedKey(KIND_ANALYTICS_ROW, collection, shard, key),
    value: figures === null ? null : encodeRowValue(CHANGELOG_VERSION, figures),
  };
}

/** analyticsRowMessage for the rows of one (collection, shard), the key prefix built once (millions per cycle). */
export class AnalyticsRowMessages {
  private readonly prefix: Buffer;

  constructor(collection: string, shard: string) {
    this.prefix = scopedKey(KIND_ANALYTICS_ROW, collection, shard, '');
  }

  /** The row's figures (`layout[i]` = catalog index of `values[i]`), or its tombstone when `values` is null. */
  message(
    key: string,
    figures: {layout: readonly number[]; values: Float64Array; extras: string | null} | null
  ): ChangelogMessage {
    const buffer = Buffer.allocUnsafe(this.prefix.length + Buffer.byteLength(key));
    this.prefix.copy(buffer);
    buffer.write(key, this.prefix.length, 'utf8');
    return {
      key: buffer,
      value:
        figures === null
          ? null
          : encodeRowFigures(CHANGELOG_VERSION, figures.layout, figures.values, figures.extras),
    };
  }
}

export function analyticsProgressMessage(
  collection: string,
  shard: string,
  progress: AnalyticsProgress | null
): ChangelogMessage {
  return {
    key: scopedKey(KIND_ANALYTICS_PROGRESS, collection, shard, ''),
    value: progress === null ? null : encodeProgressValue(CHANGELOG_VERSION, progress),
  };
}

/**
 * The refresh token record versions before the token topic wrote here, in clear (`name` = instance id). Still read
 * (to move the token to the token store) and written only as a tombstone, which makes compaction forget it.
 */
export function refreshTokenMessage(name: string, token: StoredRefreshToken | null): ChangelogMessage {
  const key = Buffer.concat([Buffer.from([CHANGELOG_VERSION, KIND_TOKEN]), Buffer.from(name, 'utf8')]);
  if (token === null) return {key, value: null};
  const json = JSON.stringify({refreshToken: token.reveal(), expiresAt: token.expiresAt});
  return {key, value: Buffer.concat([Buffer.from([CHANGELOG_VERSION]), Buffer.from(json, 'utf8')])};
}

/** The key of the ownership claim of a transactional id (compaction keeps the newest claim). */
export function ownerClaimKey(transactionalId: string): Buffer {
  return Buffer.concat([Buffer.from([CHANGELOG_VERSION, KIND_OWNER]), Buffer.from(transactionalId, 'utf8')]);
}

export function decodeChangelogKey(key: Buffer): ChangelogKey {
  checkVersion(key, 'key');
  const kind = key[1];
  if (kind === KIND_TOKEN) return {kind: 'token', name: key.toString('utf8', 2)};
  if (kind === KIND_OWNER) return {kind: 'owner', transactionalId: key.toString('utf8', 2)};
  if (kind === KIND_LAYOUT) {
    if (key.length !== 6) throw new ChangelogFormatError('Truncated changelog layout key');
    return {kind: 'layout', partition: key.readUInt32BE(2)};
  }
  if (
    kind !== KIND_RECORD &&
    kind !== KIND_SHARD &&
    kind !== KIND_HELD_DELETES &&
    kind !== KIND_ANALYTICS_ROW &&
    kind !== KIND_ANALYTICS_PROGRESS
  )
    throw new ChangelogFormatError(`Unknown changelog kind ${kind}`);
  let offset = 2;
  const read = (): string => {
    const length = key[offset];
    if (length === undefined || offset + 1 + length > key.length)
      throw new ChangelogFormatError('Truncated changelog key');
    const text = key.toString('utf8', offset + 1, offset + 1 + length);
    offset += 1 + length;
    return text;
  };
  const collection = read();
  const shard = read();
  if (kind === KIND_SHARD) return {kind: 'shard', collection, shard};
  if (kind === KIND_HELD_DELETES) return {kind: 'held', collection, shard};
  if (kind === KIND_ANALYTICS_PROGRESS) return {kind: 'analytics_progress', collection, shard};
  const rest = key.toString('utf8', offset);
  if (kind === KIND_ANALYTICS_ROW) return {kind: 'analytics_row', collection, shard, key: rest};
  return {kind: 'record', collection, shard, key: rest};
}

export function decodeRecordValue(value: Buffer): {
  hashHi: number;
  hashLo: number;
  image: string | undefined;
} {
  checkVersion(value, 'value');
  if (value.length < 10) throw new ChangelogFormatError('Truncated changelog record value');
  return {
    hashHi: value.readUInt32BE(2),
    hashLo: value.readUInt32BE(6),
    image: ((value[1] as number) & FLAG_IMAGE) !== 0 ? value.toString('utf8', 10) : undefined,
  };
}

export function decodeShardMarker(value: Buffer): {firstSnapshotComplete: boolean; atMs: number} {
  checkVersion(value, 'value');
  if (value.length < 10) throw new ChangelogFormatError('Truncated changelog shard marker');
  return {
    firstSnapshotComplete: ((value[1] as number) & FLAG_FIRST_SNAPSHOT_COMPLETE) !== 0,
    atMs: value.readDoubleBE(2),
  };
}

export function decodeHeldDeletes(value: Buffer): string {
  checkVersion(value, 'value');
  return value.toString('utf8', 1);
}

export function decodeRefreshToken(value: Buffer): StoredRefreshToken {
  checkVersion(value, 'value');
  const parsed = JSON.parse(value.toString('utf8', 1)) as {refreshToken?: unknown; expiresAt?: unknown};
  if (typeof parsed.refreshToken !== 'string')
    throw new ChangelogFormatError('Refresh token record without a token');
  return new StoredRefreshToken(
    parsed.refreshToken,
    typeof parsed.expiresAt === 'string' ? parsed.expiresAt : undefined
  );
}

/**
 * Applies one changelog record (in topic order) to the states being restored. A shard tombstone drops the
 * whole shard's marker only; records are forgotten by their own tombstones.
 */
export function applyChangelogRecord(states: StateStore, key: Buffer, value: Buffer | null): void {
  const decoded = decodeChangelogKey(key);
  switch (decoded.kind) {
    case 'record': {
      const shard = states.shard(decoded.collection, decoded.shard);
      if (value === null) {
        shard.delete(decoded.key);
        return;
      }
      const record = decodeRecordValue(value);
      shard.upsert(decoded.key, record.hashHi, record.hashLo, record.image);
      return;
    }
    case 'shard':
      states.shard(decoded.collection, decoded.shard).firstSnapshotComplete =
        value !== null && decodeShardMarker(value).firstSnapshotComplete;
      return;
    case 'held':
      states.shard(decoded.collection, decoded.shard).heldDeletes =
        value === null ? undefined : decodeHeldDeletes(value);
      return;
    case 'token':
      if (value === null) states.legacyRefreshTokens.delete(decoded.name);
      else states.legacyRefreshTokens.set(decoded.name, decodeRefreshToken(value));
      return;
    case 'analytics_row': {
      let figures: RowFigures | null = null;
      if (value !== null) {
        checkVersion(value, 'value');
        figures = decodeRowValue(value) ?? null;
        if (figures === null) throw new ChangelogFormatError('Truncated changelog analytics row');
      }
      try {
        states.analytics(decoded.collection, decoded.shard).restoreRow(decoded.key, figures);
      } catch (error) {
        throw new ChangelogFormatError(`Unreadable changelog analytics row key: ${(error as Error).message}`);
      }
      return;
    }
    case 'analytics_progress': {
      const shard = states.analytics(decoded.collection, decoded.shard);
      if (value === null) return;
      checkVersion(value, 'value');
      const progress = decodeProgressValue(value);
      if (!progress) throw new ChangelogFormatError('Unreadable changelog analytics progress');
      shard.progress = progress;
      return;
    }
    case 'owner':
    case 'layout':
      return;
  }
}

/**
 * The layout marker of a state-topic partition: its value says for which partition count the partition holds
 * every record of the shards that hash to it (and only there).
 */
export function layoutMessage(partition: number, partitionCount: number): ChangelogMessage {
  const key = Buffer.from([CHANGELOG_VERSION, KIND_LAYOUT, 0, 0, 0, 0]);
  key.writeUInt32BE(partition, 2);
  const value = Buffer.from([CHANGELOG_VERSION, 0, 0, 0, 0]);
  value.writeUInt32BE(partitionCount, 1);
  return {key, value};
}

export function decodeLayoutValue(value: Buffer): number {
  checkVersion(value, 'value');
  if (value.length !== 5) throw new ChangelogFormatError('Truncated changelog layout value');
  return value.readUInt32BE(1);
}

/**
 * The shard a changelog record belongs to; undefined for records of no shard: legacy clear tokens, ownership
 * claims and layout markers.
 */
export function shardOfChangelogKey(decoded: ChangelogKey): string | undefined {
  return 'shard' in decoded ? decoded.shard : undefined;
}

function scopedKey(kind: number, collection: string, shard: string, rest: string): Buffer {
  const c = Buffer.from(collection, 'utf8');
  const s = Buffer.from(shard, 'utf8');
  if (c.length > 255 || s.length > 255)
    throw new Error('Collection and shard names are limited to 255 bytes');
  return Buffer.concat([
    Buffer.from([CHANGELOG_VERSION, kind, c.length]),
    c,
    Buffer.from([s.length]),
    s,
    Buffer.from(rest, 'utf8'),
  ]);
}

function checkVersion(buffer: Buffer, what: string): void {
  if (buffer.length < 2 || buffer[0] !== CHANGELOG_VERSION) {
    throw new ChangelogFormatError(
      `Changelog ${what} has format version ${buffer[0] ?? 'none'}; this build reads version ${CHANGELOG_VERSION}`
    );
  }
}
