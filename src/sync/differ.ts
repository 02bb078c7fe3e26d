import type {CollectionDeclaration} from '../collections/types';
import {AD_ACCOUNT_KEY_FIELD} from '../collections/types';
import {buildChangeEvent, changedTopLevelFields} from '../events/build';
import {canonicalJson, canonicalRecord, type NestedTexts} from '../events/canonical-json';
import type {ChangeEvent, EventKey, JsonRecord, SyncContext} from '../events/change-event';
import {parseLosslessJson} from '../events/lossless-json';
import {EncodeError} from '../errors';
import {recordStateMessage, shardMarkerMessage, type ChangelogMessage} from '../state/changelog';
import {UPSERT_NEW, UPSERT_SAME, type ShardState} from '../state/shard-state';
import {defaultHasher, type Hasher64} from './fingerprint';

/** One change: the event to publish and the changelog record that remembers it, for the same transaction. */
export interface DiffOutput {
  readonly event: ChangeEvent;
  readonly state: ChangelogMessage;
  /** Canonical texts of `event.after`'s nested members, from the same pass (the Avro mapping reuses them). */
  readonly afterNested?: NestedTexts | null;
}

export interface FinishResult {
  /** `d` events (before = last image when kept), each with its changelog tombstone. */
  readonly deletes: DiffOutput[];
  /** Records the listing did not return but whose deletes `review` held back (they stay in state). */
  readonly held: number;
  /** The shard marker to write when this finish completed the first snapshot, else null. */
  readonly marker: ChangelogMessage | null;
}

export interface FinishOptions {
  /** False for an interrupted listing: nothing is deleted. */
  readonly complete: boolean;
  /** Unseen records for which this is true are kept as they are, never deleted (e.g. out of the configured scope). */
  readonly retain?: (key: EventKey) => boolean;
  /** Asked before anything is deleted, with the sorted record keys that would be and the records tracked:
   * false holds every one of them (see DeleteGuard). */
  readonly review?: (candidates: readonly string[], tracked: number) => boolean;
}

export interface SnapshotDifferOptions {
  readonly declaration: CollectionDeclaration;
  /** The shard's state; the differ applies changes to it as it goes. */
  readonly state: ShardState;
  /** Event source info; `collection` must be the declaration's. */
  readonly context: SyncContext;
  /** Defaults to the declaration's keepBeforeImages. */
  readonly keepImages?: boolean;
  readonly now?: () => number;
  readonly hasher?: Hasher64;
}

const KEY_SEPARATOR = '\u001f';

/**
 * Diffs one snapshot listing of one (collection, shard) against its state. Pure: no I/O.
 * - push each record as it is listed: new key -> `r` while the shard's first complete snapshot is not done,
 *   `c` after; other content hash -> `u`; same hash -> nothing.
 * - finish({complete: true}) after the last page: keys not seen -> `d`; marks the first snapshot complete.
 *   finish({complete: false}) (interrupted listing) emits no deletes.
 * A key listed twice in one snapshot is diffed against the state its first occurrence left: same content is
 * ignored, other content gives a `u` (an `r` during the first snapshot), so the last occurrence wins.
 */
export class SnapshotDiffer {
  private readonly declaration: CollectionDeclaration;
  private readonly state: ShardState;
  private readonly context: SyncContext;
  private readonly keepImages: boolean;
  private readonly now: () => number;
  private readonly hasher: Hasher64;
  private readonly recordKeyFields: readonly string[];
  private readonly shardField: string | undefined;
  /** The ad account of an ad_account-scoped listing: its key field (the shard id also names the connection). */
  private readonly adAccountId: string;
  private readonly first: boolean;
  private readonly hash = new Uint32Array(2);
  private finished = false;

  constructor(options: SnapshotDifferOptions) {
    this.declaration = options.declaration;
    this.state = options.state;
    this.context = options.context;
    if (
      options.context.collection !== options.declaration.name ||
      options.state.collection !== options.declaration.name
    ) {
      throw new Error(
        `Differ for ${options.declaration.name} given a context or state of another collection`
      );
    }
    this.keepImages = options.keepImages ?? options.declaration.keepBeforeImages;
    this.now = options.now ?? Date.now;
    this.hasher = options.hasher ?? defaultHasher;
    this.shardField = options.declaration.scope === 'ad_account' ? AD_ACCOUNT_KEY_FIELD : undefined;
    this.adAccountId = options.context.adAccountId ?? options.state.shard;
    this.recordKeyFields = options.declaration.keyFields.filter((f) => f !== this.shardField);
    this.first = !options.state.firstSnapshotComplete;
    this.state.clearSeen();
  }

  /** Diffs one listed record; null when it did not change. Throws EncodeError when its key is unusable. */
  push(record: JsonRecord): DiffOutput | null {
    if (this.finished) throw new Error('SnapshotDiffer used after finish()');
    const key = this.keyOf(record);
    const recordKey = this.recordKeyOf(key);
    const {text: canonical, nested: afterNested} = canonicalRecord(record);
    this.hasher(canonical, this.hash);
    const hashHi = this.hash[0] as number;
    const hashLo = this.hash[1] as number;
    const result = this.state.upsert(recordKey, hashHi, hashLo, this.keepImages ? canonical : undefined);
    if (result === UPSERT_SAME) return null;
    const state = recordStateMessage(
      this.declaration.name,
      this.state.shard,
      recordKey,
      {hashHi, hashLo},
      this.keepImages ? canonical : undefined
    );
    if (this.first) return {event: this.event('r', key, null, record, null), state, afterNested};
    if (result === UPSERT_NEW) return {event: this.event('c', key, null, record, null), state, afterNested};
    const previous = this.keepImages ? this.state.previousImage : undefined;
    if (previous === undefined) return {event: this.event('u', key, null, record, null), state, afterNested};
    const before = parseLosslessJson(previous) as JsonRecord;
    return {
      event: this.event('u', key, before, record, changedTopLevelFields(before, record, canonicalJson)),
      state,
      afterNested,
    };
  }

  pushAll(records: Iterable<JsonRecord>): DiffOutput[] {
    const outputs: DiffOutput[] = [];
    for (const record of records) {
      const output = this.push(record);
      if (output) outputs.push(output);
    }
    return outputs;
  }

  finish(options: FinishOptions): FinishResult {
    if (this.finished) throw new Error('SnapshotDiffer.finish() called twice');
    this.finished = true;
    if (!options.complete) return {deletes: [], held: 0, marker: null};
    const retain = options.retain;
    const candidates = this.state
      .unseenKeys()
      .filter((recordKey) => !retain || !retain(this.keyFromRecordKey(recordKey)));
    const allowed = candidates.length === 0 || !options.review || options.review(candidates, this.state.size);
    const deletes: DiffOutput[] = [];
    for (const recordKey of allowed ? candidates : []) {
      const image = this.state.get(recordKey)?.image;
      this.state.delete(recordKey);
      const key = this.keyFromRecordKey(recordKey);
      // Without a kept image, `before` still names the row (Debezium does the same for tables whose replica
      // identity holds only the key): sinks such as the Debezium JDBC sink take the row to delete from it.
      const before: JsonRecord =
        this.keepImages && image !== undefined ? (parseLosslessJson(image) as JsonRecord) : {...key};
      deletes.push({
        event: this.event('d', key, before, null, null),
        state: recordStateMessage(this.declaration.name, this.state.shard, recordKey, null),
      });
    }
    let marker: ChangelogMessage | null = null;
    if (this.first) {
      this.state.firstSnapshotComplete = true;
      marker = shardMarkerMessage(this.declaration.name, this.state.shard, {
        firstSnapshotComplete: true,
        atMs: this.now(),
      });
    }
    return {deletes, held: allowed ? 0 : candidates.length, marker};
  }

  private event(
    op: 'r' | 'c' | 'u' | 'd',
    key: EventKey,
    before: JsonRecord | null,
    after: JsonRecord | null,
    changedFields: readonly string[] | null
  ): ChangeEvent {
    return buildChangeEvent(this.context, {op, key, before, after, changedFields, tsMs: this.now()});
  }

  private keyOf(record: JsonRecord): EventKey {
    const key: Record<string, string> = {};
    for (const field of this.declaration.keyFields) {
      const raw = record[field];
      if (field === this.shardField) {
        if (raw !== undefined && raw !== null && String(raw) !== this.adAccountId) {
          throw new EncodeError(
            `${this.declaration.name} record has ${field} ${String(raw)} but was listed under ${this.adAccountId}`
          );
        }
        key[field] = this.adAccountId;
      } else if (typeof raw === 'string' && raw.length > 0) {
        key[field] = raw;
      } else if ((typeof raw === 'number' && Number.isSafeInteger(raw)) || typeof raw === 'bigint') {
        key[field] = String(raw);
      } else {
        throw new EncodeError(
          `${this.declaration.name} record has no usable key field ${field} (got ${raw === undefined ? 'nothing' : canonicalJson(raw)})`
        );
      }
    }
    return key;
  }

  private recordKeyOf(key: EventKey): string {
    if (this.recordKeyFields.length === 1) return key[this.recordKeyFields[0] as string] as string;
    return this.recordKeyFields.map((f) => key[f]).join(KEY_SEPARATOR);
  }

  private keyFromRecordKey(recordKey: string): EventKey {
    const parts = this.recordKeyFields.length === 1 ? [recordKey] : recordKey.split(KEY_SEPARATOR);
    const key: Record<string, string> = {};
    for (const field of this.declaration.keyFields) {
      key[field] =
        field === this.shardField ? this.adAccountId : (parts[this.recordKeyFields.indexOf(field)] ?? '');
    }
    return key;
  }
}
