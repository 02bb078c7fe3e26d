/** The compact analytics row table, its changelog records and their restore. */
import {
  analyticsProgressMessage,
  analyticsRowMessage,
  applyChangelogRecord,
  AnalyticsRowTable,
  ChangelogFormatError,
  decodeChangelogKey,
  EMPTY_PROGRESS,
  FIELD_ABSENT,
  ROW_CHANGED,
  ROW_NEW,
  ROW_SAME,
  rowKey,
  StateStore,
} from '../../../src/state';

const row = (table: AnalyticsRowTable, figures: Record<number, number>) => {
  for (const index of Object.keys(figures)) table.column(Number(index));
  const values = new Float64Array(table.width).fill(FIELD_ABSENT);
  for (const [index, value] of Object.entries(figures)) values[table.column(Number(index))] = value;
  return values;
};

describe('AnalyticsRowTable', () => {
  it('upserts: new, same, changed (with the replaced figures), NaN equals NaN', () => {
    const table = new AnalyticsRowTable();
    const e = table.entity('687195134316');
    expect(table.upsert(e, 20000, row(table, {0: 5, 3: 1.5}), null)).toBe(ROW_NEW);
    expect(table.upsert(e, 20000, row(table, {0: 5, 3: 1.5}), null)).toBe(ROW_SAME);
    expect(table.upsert(e, 20000, row(table, {0: 6, 3: 1.5}), null)).toBe(ROW_CHANGED);
    expect([...table.previous.values]).toEqual([5, 1.5]);
    expect(table.upsert(e, 20000, row(table, {0: 6, 3: 1.5}), '{"CAMPAIGN_NAME":"x"}')).toBe(ROW_CHANGED);
    expect(table.previous.extras).toBeNull();
    expect(table.size).toBe(1);
  });

  it('adding a column later keeps every row, NaN (no value) in the new column', () => {
    const table = new AnalyticsRowTable();
    const e = table.entity('1');
    for (let day = 0; day < 100; day++) table.upsert(e, day, row(table, {0: day}), null);
    table.column(7);
    const out = new Float64Array(table.width);
    table.read(table.find(e, 42), out);
    expect(out[0]).toBe(42);
    expect(Number.isNaN(out[1]!)).toBe(true);
  });

  it('survives growth and many deletes (backward-shift deletion keeps every other row findable)', () => {
    const table = new AnalyticsRowTable();
    const entities = Array.from({length: 500}, (_, i) => table.entity(String(1_000_000_000_000 + i)));
    for (const e of entities)
      for (let day = 20_000; day < 20_030; day++) table.upsert(e, day, row(table, {0: e * day}), null);
    expect(table.size).toBe(15_000);
    // Settle the oldest 10 days, as a cycle does.
    for (const slot of table.slots()) if (table.refOf(slot).day < 20_010) table.delete(slot);
    expect(table.size).toBe(10_000);
    const out = new Float64Array(table.width);
    for (const e of entities) {
      for (let day = 20_000; day < 20_030; day++) {
        const slot = table.find(e, day);
        expect(slot >= 0).toBe(day >= 20_010);
        if (slot >= 0) {
          table.read(slot, out);
          expect(out[0]).toBe(e * day);
        }
      }
    }
    // Freed slots are reused: memory stays flat when rows come and go.
    const bytes = table.bytes();
    for (const e of entities)
      for (let day = 20_030; day < 20_040; day++) table.upsert(e, day, row(table, {0: 1}), null);
    expect(table.bytes()).toBe(bytes);
  });

  it('marks what the current part saw', () => {
    const table = new AnalyticsRowTable();
    const e = table.entity('9');
    table.upsert(e, 1, row(table, {0: 1}), null);
    table.upsert(e, 2, row(table, {0: 1}), null);
    table.beginPart();
    table.upsert(e, 2, row(table, {0: 1}), null);
    expect(table.seenInPart(table.find(e, 1))).toBe(false);
    expect(table.seenInPart(table.find(e, 2))).toBe(true);
  });
});

describe('analytics changelog records', () => {
  it('round-trip: rows, tombstones and progress restore into the same state', () => {
    const store = new StateStore();
    const messages = [
      analyticsRowMessage('ad_analytics', '549755885175', rowKey('687195134316', '2026-06-01'), {
        numbers: [
          [0, 30_000_000],
          [0xffff, 7],
        ],
        extras: '{"CAMPAIGN_NAME":"Spring"}',
      }),
      analyticsRowMessage('ad_analytics', '549755885175', rowKey('687195134316', '2026-06-02'), {
        numbers: [[40, 216]],
        extras: null,
      }),
      analyticsRowMessage('ad_analytics', '549755885175', rowKey('687195134316', '2026-06-02'), null),
      analyticsProgressMessage('ad_analytics', '549755885175', {
        ...EMPTY_PROGRESS,
        readThrough: '2026-06-30',
        backward: {start: '2026-01-01', end: '2026-03-01', after: '42'},
      }),
    ];
    for (const m of messages) applyChangelogRecord(store, m.key, m.value);
    const shard = store.analytics('ad_analytics', '549755885175');
    expect(shard.size).toBe(1);
    expect(shard.progress).toMatchObject({readThrough: '2026-06-30', backward: {after: '42'}});
    const table = shard.rows;
    const slot = table.find(table.entity('687195134316'), Date.parse('2026-06-01') / 86_400_000);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(table.value(slot, table.column(0))).toBe(30_000_000);
    expect(table.value(slot, table.column(0xffff))).toBe(7);
    expect(table.extrasOf(slot)).toBe('{"CAMPAIGN_NAME":"Spring"}');
    expect(decodeChangelogKey(messages[0]!.key)).toEqual({
      kind: 'analytics_row',
      collection: 'ad_analytics',
      shard: '549755885175',
      key: '687195134316\u001f2026-06-01',
    });
  });

  it('refuses a truncated row value', () => {
    const {key} = analyticsRowMessage('ad_analytics', '1', rowKey('2', '2026-06-01'), null);
    expect(() => applyChangelogRecord(new StateStore(), key, Buffer.from([1, 0, 3, 0]))).toThrow(
      ChangelogFormatError
    );
  });
});
