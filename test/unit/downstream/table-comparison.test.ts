/** The downstream test's table comparison must notice every kind of difference it claims to check. */
import type {Table} from '../../integration/downstream/postgres-tables';
import {compareWithTruth, formatComparisons} from '../../integration/downstream/table-comparison';

const table = (rows: Record<string, unknown>[]): Table => ({
  name: 't',
  primaryKey: ['ad_account_id', 'id'],
  columns: [
    {name: 'ad_account_id', type: 'text', udt: 'text'},
    {name: 'id', type: 'text', udt: 'text'},
    {name: 'name', type: 'text', udt: 'text'},
    {name: 'daily_spend_cap', type: 'bigint', udt: 'int8'},
    {name: 'is_flag', type: 'boolean', udt: 'bool'},
    {name: 'bid_multiplier', type: 'double precision', udt: 'float8'},
    {name: 'rejected_reasons', type: 'ARRAY', udt: '_text'},
    {name: 'tracking_urls', type: 'text', udt: 'text'},
    {name: 'unknown_fields_json', type: 'text', udt: 'text'},
  ],
  rows,
});

const record = {
  ad_account_id: '1',
  id: '10',
  name: 'Campaign',
  daily_spend_cap: 5_000_000,
  is_flag: true,
  bid_multiplier: 1.5,
  rejected_reasons: ['HASHTAGS'],
  tracking_urls: {impression: ['https://i'], click: ['https://c']},
  brand_new: {rollout: 'beta'},
};
const row = {
  ad_account_id: '1',
  id: '10',
  name: 'Campaign',
  daily_spend_cap: '5000000',
  is_flag: true,
  bid_multiplier: 1.5,
  rejected_reasons: ['HASHTAGS'],
  tracking_urls: '{"click":["https://c"],"impression":["https://i"]}',
  unknown_fields_json: '{"brand_new":{"rollout":"beta"}}',
};
const KEY = ['ad_account_id', 'id'];

describe('compareWithTruth', () => {
  it('matches a row stored by the typing rules (bigint as text, JSON in any key order, unknown fields)', () => {
    const c = compareWithTruth(table([row]), [record], KEY);
    expect(c).toMatchObject({truthRows: 1, tableRows: 1, matched: 1, mismatched: 0, missing: [], extra: []});
  });

  it.each([
    ['name', 'Other'],
    ['daily_spend_cap', '5000001'],
    ['is_flag', false],
    ['bid_multiplier', 2],
    ['rejected_reasons', []],
    ['tracking_urls', '{"click":["https://c"]}'],
    ['unknown_fields_json', null],
  ])('reports a changed %s', (field, value) => {
    const c = compareWithTruth(table([{...row, [field]: value}]), [record], KEY);
    expect(c.mismatched).toBe(1);
    expect(c.mismatches.map((m) => m.field)).toEqual([field]);
  });

  it('reports null where the API has a value; accepts null where the API has none', () => {
    expect(
      compareWithTruth(table([{...row, name: null}]), [record], KEY).mismatches.map((m) => m.field)
    ).toEqual(['name']);
    const {name: _absent, ...withoutName} = record;
    expect(compareWithTruth(table([{...row, name: null}]), [withoutName], KEY).matched).toBe(1);
  });

  it('reports rows missing from the table and rows the table should no longer hold', () => {
    const c = compareWithTruth(table([row, {...row, id: '11'}]), [record, {...record, id: '12'}], KEY);
    expect(c.missing).toEqual(['{"ad_account_id":"1","id":"12"}']);
    expect(c.extra).toEqual(['{"ad_account_id":"1","id":"11"}']);
    expect(formatComparisons('x', [c]).split('\n')).toEqual([
      'x',
      'table  truth rows  table rows  matched  mismatched  missing  extra',
      't               2           2        1           0        1      1',
      'total           2           2        1           0        1      1',
    ]);
  });
});
