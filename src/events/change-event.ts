/** The change-event model shared by the differ (producer of events) and the serializer (their Avro form). */

/** Debezium ops: r = read during the first complete snapshot, c = created, u = updated, d = deleted. */
export type Op = 'r' | 'c' | 'u' | 'd';

/** A record as the Pinterest API returned it (parsed JSON object). */
export type JsonRecord = Record<string, unknown>;

/** Key fields of a record, all strings (`date` as `YYYY-MM-DD` for analytics). */
export type EventKey = Readonly<Record<string, string>>;

/** Who produced an event and in which sync; becomes the Avro `source` block. */
export interface EventSource {
  /** Topic prefix of the deployment (Debezium's logical name). */
  readonly name: string;
  /** pinterest-cdc version. */
  readonly version: string;
  readonly collection: string;
  readonly adAccountId: string | null;
  readonly syncId: string;
  /** True for `r` events (first complete snapshot of the shard). */
  readonly snapshot: boolean;
  /** Change time at the source (epoch ms from `updated_time`), null when the record has none. */
  readonly tsMs: number | null;
  /** The Pinterest connection the record was read through (src/sync/shards.ts); every pipeline sets it. */
  readonly connection?: string;
}

export interface ChangeEvent {
  readonly collection: string;
  readonly op: Op;
  readonly key: EventKey;
  readonly before: JsonRecord | null;
  readonly after: JsonRecord | null;
  /** Top-level fields that differ (sorted), only for `u` when the previous image is known. */
  readonly changedFields: readonly string[] | null;
  readonly source: EventSource;
  /** When the event was built, epoch ms. */
  readonly tsMs: number;
}

/** What the runner knows about the listing a batch of events comes from. */
export interface SyncContext {
  readonly name: string;
  readonly version: string;
  readonly collection: string;
  readonly adAccountId: string | null;
  readonly syncId: string;
  /** The Pinterest connection of the listing; becomes `source.connection`. */
  readonly connection?: string;
}

export const CONNECTOR_NAME = 'pinterest-cdc';
