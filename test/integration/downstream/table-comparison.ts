/**
 * A sink table against the sandbox's ground truth, field by field, written independently of src/serde: each
 * column is expected to hold the API record's field of the same name, as the README's typing rules say it is
 * stored (ids and enums as text, integers as bigint, nested objects as JSON text, string arrays as text[]), and
 * `unknown_fields_json` to hold exactly the fields that have no column.
 */
import type {Column, Table} from './postgres-tables';

const UNKNOWN_FIELDS = 'unknown_fields_json';

export interface FieldMismatch {
  key: string;
  field: string;
  expected: unknown;
  actual: unknown;
}

export interface TableComparison {
  table: string;
  truthRows: number;
  tableRows: number;
  /** rows whose every column matches */
  matched: number;
  /** rows present on both sides with at least one column differing */
  mismatched: number;
  /** keys in the truth, not in the table */
  missing: string[];
  /** keys in the table, not in the truth (e.g. a delete that did not reach the table) */
  extra: string[];
  mismatches: FieldMismatch[];
}

export type ApiRecord = Record<string, unknown>;

/** The row key as text, e.g. `{"ad_account_id":"1","id":"2"}` (fields in `keyFields` order). */
export function rowKey(record: Record<string, unknown>, keyFields: readonly string[]): string {
  return JSON.stringify(Object.fromEntries(keyFields.map((f) => [f, String(record[f])])));
}

export function compareWithTruth(
  table: Table,
  truth: readonly ApiRecord[],
  keyFields: readonly string[]
): TableComparison {
  const rows = new Map(table.rows.map((row) => [rowKey(row, keyFields), row]));
  const expected = new Map(truth.map((record) => [rowKey(record, keyFields), record]));
  const comparison: TableComparison = {
    table: table.name,
    truthRows: expected.size,
    tableRows: rows.size,
    matched: 0,
    mismatched: 0,
    missing: [...expected.keys()].filter((k) => !rows.has(k)),
    extra: [...rows.keys()].filter((k) => !expected.has(k)),
    mismatches: [],
  };
  const known = new Set(table.columns.map((c) => c.name));
  for (const [key, record] of expected) {
    const row = rows.get(key);
    if (!row) continue;
    const before = comparison.mismatches.length;
    for (const column of table.columns) {
      const want = column.name === UNKNOWN_FIELDS ? unknownFields(record, known) : record[column.name];
      const cell = row[column.name];
      if (!cellHolds(cell, want, column))
        comparison.mismatches.push({key, field: column.name, expected: want ?? null, actual: cell});
    }
    if (comparison.mismatches.length === before) comparison.matched += 1;
    else comparison.mismatched += 1;
  }
  return comparison;
}

/** Whether a cell (as readTable gives it) holds the API's value, stored the way the typing rules say. */
function cellHolds(cell: unknown, value: unknown, column: Column): boolean {
  if (value === undefined || value === null) return cell === null;
  if (column.type === 'bigint') return cell === String(value);
  // Nested objects (and the unknown fields) are JSON text: compared as values, whatever the key order.
  if (column.type === 'text' && typeof value === 'object') return sameValue(parseJson(cell), value);
  return sameValue(cell, value);
}

/**
 * Deep equality of JSON values, whatever the key order. Not util.isDeepStrictEqual: it compares prototypes, and
 * jest's sandbox gives the test's own JSON.parse other Array and Object prototypes than fetch's.
 */
function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The record's fields that have no column, or null when every field has one. */
function unknownFields(record: ApiRecord, columns: ReadonlySet<string>): unknown {
  const extra = Object.entries(record).filter(([field]) => !columns.has(field));
  return extra.length === 0 ? null : Object.fromEntries(extra);
}

function parseJson(cell: unknown): unknown {
  if (cell === null || cell === undefined) return null;
  try {
    return JSON.parse(String(cell));
  } catch {
    return undefined;
  }
}

/** One line per table plus a total, for the test's output. */
export function formatComparisons(title: string, comparisons: readonly TableComparison[]): string {
  const header = ['table', 'truth rows', 'table rows', 'matched', 'mismatched', 'missing', 'extra'];
  const lines = comparisons.map((c) => [
    c.table,
    String(c.truthRows),
    String(c.tableRows),
    String(c.matched),
    String(c.mismatched),
    String(c.missing.length),
    String(c.extra.length),
  ]);
  const sum = (pick: (c: TableComparison) => number) => String(comparisons.reduce((n, c) => n + pick(c), 0));
  lines.push([
    'total',
    sum((c) => c.truthRows),
    sum((c) => c.tableRows),
    sum((c) => c.matched),
    sum((c) => c.mismatched),
    sum((c) => c.missing.length),
    sum((c) => c.extra.length),
  ]);
  return `${title}\n${formatTable(header, lines)}`;
}

/** Left-aligned first column, right-aligned numbers. */
export function formatTable(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [render(header), ...lines.map(render)].join('\n');
}
