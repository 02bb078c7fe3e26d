import {dayNumber} from '../pinterest/dates';
import {
  EMPTY_PROGRESS,
  FIELD_ABSENT,
  splitRowKey,
  type AnalyticsProgress,
  type RowFigures,
} from './analytics-codec';
import {AnalyticsRowTable} from './analytics-rows';

/**
 * State of one (analytics collection, ad account): the rows of the restatement window (compact table) and the
 * progress of its reads (backfill position, partial ranges, watermark).
 */
export class AnalyticsShardState {
  readonly rows = new AnalyticsRowTable();
  progress: AnalyticsProgress = EMPTY_PROGRESS;
  private scratch = new Float64Array(0);

  constructor(
    readonly collection: string,
    readonly shard: string
  ) {}

  get size(): number {
    return this.rows.size;
  }

  /** Applies one changelog row record (restore, in topic order); a malformed key is ignored. */
  restoreRow(key: string, figures: RowFigures | null): void {
    const parts = splitRowKey(key);
    if (!parts) return;
    const entity = this.rows.entity(parts.entityId);
    const day = dayNumber(parts.date);
    if (figures === null) {
      const slot = this.rows.find(entity, day);
      if (slot >= 0) this.rows.delete(slot);
      return;
    }
    for (const [index] of figures.numbers) this.rows.column(index);
    if (this.scratch.length !== this.rows.width) this.scratch = new Float64Array(this.rows.width);
    this.scratch.fill(FIELD_ABSENT);
    for (const [index, figure] of figures.numbers) this.scratch[this.rows.column(index)] = figure;
    this.rows.upsert(entity, day, this.scratch, figures.extras);
  }
}
