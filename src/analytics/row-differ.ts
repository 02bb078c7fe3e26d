/**
 * Diffs the analytics rows of one entity, as one complete answer gave them, against the state of the window.
 * Pure: no I/O. For each row:
 * - dated before the window: emitted as the read's new-row op (`r` in the backfill), never kept (settled);
 * - not in state: the new-row op (`r` on the first read of its day, `c` afterwards), kept;
 * - in state with other figures (or read with other attribution settings): `u`, with `before` and
 *   `changed_fields`; the same figures: nothing.
 * Then every row the state holds for the entity inside the answer's date range (and the window) that the answer
 * did not contain has vanished: the API omits rows without data, so the day's figures went to nothing (a credit,
 * invalid traffic removed): `d` (before = its last figures) and a tombstone, and it leaves the state.
 */
import {ANALYTICS_COLUMNS, analyticsColumn} from '../collections/analytics-columns';
import type {CollectionDeclaration} from '../collections/types';
import {buildChangeEvent, changedTopLevelFields} from '../events/build';
import {canonicalJson} from '../events/canonical-json';
import type {EventKey, JsonRecord, Op, SyncContext} from '../events/change-event';
import type {AnalyticsRow} from '../pinterest/analytics';
import {dateOfDay, dayNumber} from '../pinterest/dates';
import {
  AnalyticsRowMessages,
  ATTRIBUTION_COLUMN,
  FIELD_ABSENT,
  ROW_CHANGED,
  ROW_NEW,
  ROW_SAME,
  rowKey,
  type AnalyticsShardState,
} from '../state';
import type {PipelineOutput} from '../sync/transaction-pipeline';
import {attributionCode, attributionFields, attributionOfCode, type Attribution} from './attribution';

export interface RowDifferOptions {
  readonly declaration: CollectionDeclaration;
  readonly state: AnalyticsShardState;
  readonly context: SyncContext;
  /** The settings this read asks with (written into every row). */
  readonly attribution: Attribution;
  /** First day of the restatement window: older rows are emitted but not kept. */
  readonly windowStart: string;
  readonly now?: () => number;
}

export class AnalyticsRowDiffer {
  private readonly declaration: CollectionDeclaration;
  private readonly state: AnalyticsShardState;
  private readonly context: SyncContext;
  private readonly code: number;
  private readonly storeFrom: number;
  private readonly now: () => number;
  private readonly idField: string | null;
  private values = new Float64Array(0);
  private before = new Float64Array(0);
  /** Day number <-> YYYY-MM-DD: the few dozen days of a run, converted once (millions of rows use them). */
  private readonly dates = new Map<number, string>();
  private readonly days = new Map<string, number>();
  private readonly messages: AnalyticsRowMessages;

  constructor(options: RowDifferOptions) {
    if (
      options.declaration.analytics === undefined ||
      options.context.collection !== options.declaration.name
    ) {
      throw new Error(`Analytics differ for ${options.declaration.name} given another collection`);
    }
    this.declaration = options.declaration;
    this.state = options.state;
    this.context = options.context;
    this.code = attributionCode(options.attribution);
    this.storeFrom = dayNumber(options.windowStart);
    this.now = options.now ?? Date.now;
    this.idField = options.declaration.analytics.idField;
    this.messages = new AnalyticsRowMessages(options.declaration.name, options.state.shard);
    this.state.rows.column(ATTRIBUTION_COLUMN);
  }

  /** Starts the diff of one complete answer (one request): vanishing is judged against it. */
  beginPart(): void {
    this.state.rows.beginPart();
  }

  /**
   * The events of one entity's rows from the current answer; `vanishRange`: the dates the answer covered for
   * this entity (null when it did not ask about the entity, so absence means nothing).
   */
  diffEntity(
    entityId: string,
    rows: readonly AnalyticsRow[],
    newRowOp: 'r' | 'c',
    vanishRange: {start: string; end: string} | null
  ): PipelineOutput[] {
    const table = this.state.rows;
    const entity = table.entity(entityId);
    const out: PipelineOutput[] = [];
    for (const row of rows) {
      const day = this.day(row.date);
      const extras = this.load(row.metrics);
      if (day < this.storeFrom) {
        const image = this.image(entityId, day, this.values, extras);
        out.push({event: this.event(newRowOp, entityId, day, null, image, null), state: null});
        continue;
      }
      const result = table.upsert(entity, day, this.values, extras);
      if (result === ROW_SAME) continue;
      const after = this.image(entityId, day, this.values, extras);
      const state = this.rowMessage(entityId, day, this.values, extras);
      if (result === ROW_NEW) {
        out.push({event: this.event(newRowOp, entityId, day, null, after, null), state});
        continue;
      }
      if (result === ROW_CHANGED) {
        this.before.set(table.previous.values);
        const before = this.image(entityId, day, this.before, table.previous.extras);
        const changed = changedTopLevelFields(before, after, canonicalJson);
        out.push({event: this.event('u', entityId, day, before, after, changed), state});
      }
    }
    if (vanishRange !== null) {
      const last = dayNumber(vanishRange.end);
      for (let day = Math.max(dayNumber(vanishRange.start), this.storeFrom); day <= last; day++) {
        const slot = table.find(entity, day);
        if (slot < 0 || table.seenInPart(slot)) continue;
        this.resize();
        const extras = table.read(slot, this.before);
        const before = this.image(entityId, day, this.before, extras);
        table.delete(slot);
        out.push({
          event: this.event('d', entityId, day, before, null, null),
          state: this.messages.message(rowKey(entityId, this.date(day)), null),
        });
      }
    }
    return out;
  }

  /** Fills `values` (row order, NaN = no value) from an API row; returns the extras JSON (or null). */
  private load(metrics: Readonly<Record<string, unknown>>): string | null {
    const table = this.state.rows;
    const width = table.width;
    this.resize();
    this.values.fill(FIELD_ABSENT);
    let extras: Record<string, unknown> | null = null;
    for (const name in metrics) {
      const value = metrics[name];
      if (value === null || value === undefined) continue;
      const column = analyticsColumn(name);
      if (column && typeof value === 'number' && (column.type === 'long' || column.type === 'double')) {
        const at = table.column(column.index);
        // A column new to the table widens every row: start this one again at the new width.
        if (table.width !== width) return this.load(metrics);
        this.values[at] = value;
      } else {
        (extras ??= {})[name] = value;
      }
    }
    this.values[table.column(ATTRIBUTION_COLUMN)] = this.code;
    return extras === null ? null : canonicalJson(extras);
  }

  private resize(): void {
    const width = this.state.rows.width;
    if (this.values.length !== width) this.values = new Float64Array(width);
    if (this.before.length !== width) this.before = new Float64Array(width);
  }

  /** The row as the value schema names it: key fields, one field per column with a value, attribution. */
  private image(entityId: string, day: number, values: Float64Array, extras: string | null): JsonRecord {
    const record: JsonRecord = {};
    const layout = this.state.rows.columns();
    for (let c = 0; c < layout.length; c++) {
      const value = values[c] as number;
      if (Number.isNaN(value)) continue;
      const index = layout[c] as number;
      if (index === ATTRIBUTION_COLUMN) {
        const attribution = attributionOfCode(value);
        if (attribution) Object.assign(record, attributionFields(attribution));
        continue;
      }
      const column = ANALYTICS_COLUMNS[index];
      if (column) record[column.field] = value;
    }
    if (extras !== null) {
      for (const [name, value] of Object.entries(JSON.parse(extras) as Record<string, unknown>)) {
        // A known column keeps its field; an unknown one its API name (it lands in unknown_fields_json).
        record[analyticsColumn(name)?.field ?? name] = value;
      }
    }
    Object.assign(record, this.key(entityId, day));
    return record;
  }

  private day(date: string): number {
    return remembered(this.days, date, dayNumber);
  }

  private date(day: number): string {
    return remembered(this.dates, day, dateOfDay);
  }

  private key(entityId: string, day: number): EventKey {
    // The shard id also names the connection (src/sync/shards.ts); the key holds the ad account id alone.
    const key: Record<string, string> = {ad_account_id: this.context.adAccountId ?? this.state.shard};
    if (this.idField !== null) key[this.idField] = entityId;
    key.date = this.date(day);
    return key;
  }

  private rowMessage(entityId: string, day: number, values: Float64Array, extras: string | null) {
    return this.messages.message(rowKey(entityId, this.date(day)), {
      layout: this.state.rows.columns(),
      values,
      extras,
    });
  }

  private event(
    op: Op,
    entityId: string,
    day: number,
    before: JsonRecord | null,
    after: JsonRecord | null,
    changedFields: readonly string[] | null
  ) {
    return buildChangeEvent(this.context, {
      op,
      key: this.key(entityId, day),
      before,
      after,
      changedFields,
      tsMs: this.now(),
    });
  }
}

function remembered<K, V>(memo: Map<K, V>, key: K, compute: (key: K) => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    value = compute(key);
    memo.set(key, value);
  }
  return value;
}
