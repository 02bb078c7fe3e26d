/**
 * Changelog formats of analytics state (docs/contracts.md "Differ & state"):
 *   row:      key [1][4][len][collection][len][shard][entity id][U+001F][YYYY-MM-DD]
 *             value [1][count u16][count x (catalog index u16, figure float64)][extras JSON utf8]
 *   progress: key [1][5][len][collection][len][shard]    value [1][JSON AnalyticsProgress]
 * A row names its figures by column catalog index (src/collections/analytics-columns.ts, append-only), so the
 * format survives a change of `analytics.columns`. A null value forgets the row (it settled or vanished).
 */

/** A figure the API did not send. */
export const FIELD_ABSENT = Number.NaN;
/**
 * The pseudo-column that holds the attribution settings a row's figures were asked with (one number, see
 * src/analytics/attribution.ts), stored like a figure: a change of settings changes every row it touches, and a
 * row's before image names the settings it was read with, even across a restart. Never a catalog index.
 */
export const ATTRIBUTION_COLUMN = 0xffff;
export const ROW_KEY_SEPARATOR = '\u001f';

export interface RowFigures {
  /** (catalog index, figure) of every numeric column with a value. */
  readonly numbers: ReadonlyArray<readonly [number, number]>;
  /** Canonical JSON of the row's other keys, or null. */
  readonly extras: string | null;
}

export function encodeRowValue(version: number, figures: RowFigures): Buffer {
  const extras = figures.extras === null ? 0 : Buffer.byteLength(figures.extras);
  const value = Buffer.allocUnsafe(3 + figures.numbers.length * 10 + extras);
  value[0] = version;
  value.writeUInt16BE(figures.numbers.length, 1);
  let offset = 3;
  for (const [index, figure] of figures.numbers) {
    value.writeUInt16BE(index, offset);
    value.writeDoubleBE(figure, offset + 2);
    offset += 10;
  }
  if (figures.extras !== null) value.write(figures.extras, offset, 'utf8');
  return value;
}

/** The same encoding, straight from a row table's figures (`layout[i]` = catalog index of `values[i]`; NaN = none). */
export function encodeRowFigures(
  version: number,
  layout: readonly number[],
  values: Float64Array,
  extras: string | null
): Buffer {
  let count = 0;
  for (let i = 0; i < layout.length; i++) if (!Number.isNaN(values[i] as number)) count++;
  const extrasBytes = extras === null ? 0 : Buffer.byteLength(extras);
  const value = Buffer.allocUnsafe(3 + count * 10 + extrasBytes);
  value[0] = version;
  value.writeUInt16BE(count, 1);
  let offset = 3;
  for (let i = 0; i < layout.length; i++) {
    const figure = values[i] as number;
    if (Number.isNaN(figure)) continue;
    value.writeUInt16BE(layout[i] as number, offset);
    value.writeDoubleBE(figure, offset + 2);
    offset += 10;
  }
  if (extras !== null) value.write(extras, offset, 'utf8');
  return value;
}

export function decodeRowValue(value: Buffer): RowFigures | undefined {
  if (value.length < 3) return undefined;
  const count = value.readUInt16BE(1);
  const end = 3 + count * 10;
  if (value.length < end) return undefined;
  const numbers: [number, number][] = [];
  for (let offset = 3; offset < end; offset += 10) {
    numbers.push([value.readUInt16BE(offset), value.readDoubleBE(offset + 2)]);
  }
  return {numbers, extras: value.length > end ? value.toString('utf8', end) : null};
}

export function rowKey(entityId: string, date: string): string {
  return `${entityId}${ROW_KEY_SEPARATOR}${date}`;
}

export function splitRowKey(key: string): {entityId: string; date: string} | undefined {
  const at = key.lastIndexOf(ROW_KEY_SEPARATOR);
  if (at <= 0) return undefined;
  return {entityId: key.slice(0, at), date: key.slice(at + 1)};
}

/** A date range and, while it is being read, the last entity (in id order) whose rows are committed. */
export interface PartialRange {
  readonly start: string;
  readonly end: string;
  readonly after: string | null;
}

/** Where the analytics of one (collection, ad account) stand; committed with the events it accounts for. */
export interface AnalyticsProgress {
  /** Newest date read completely (by the first read, then by every restatement read); null before. */
  readonly readThrough: string | null;
  /** Oldest date read completely (the backfill walks it back to analytics.startDate); null before. */
  readonly backfilledFrom: string | null;
  /** A forward read (new and restated days) under way. */
  readonly forward: PartialRange | null;
  /** A backfill range (older days) under way. */
  readonly backward: PartialRange | null;
  /** When the last complete window read started (epoch ms): the analytics watermark. */
  readonly watermarkMs: number | null;
}

export const EMPTY_PROGRESS: AnalyticsProgress = {
  readThrough: null,
  backfilledFrom: null,
  forward: null,
  backward: null,
  watermarkMs: null,
};

export function encodeProgressValue(version: number, progress: AnalyticsProgress): Buffer {
  return Buffer.concat([Buffer.from([version]), Buffer.from(JSON.stringify(progress), 'utf8')]);
}

export function decodeProgressValue(value: Buffer): AnalyticsProgress | undefined {
  try {
    const parsed = JSON.parse(value.toString('utf8', 1)) as Partial<AnalyticsProgress>;
    return {...EMPTY_PROGRESS, ...parsed};
  } catch {
    return undefined;
  }
}
