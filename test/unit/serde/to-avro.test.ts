import {Type} from 'avsc';

import {COLLECTIONS} from '../../../src/collections';
import {EncodeError} from '../../../src/errors';
import {FieldEncodeError, SchemaCatalog, toAvroRecord} from '../../../src/serde';
import {expectedUnknown, realisticRecords} from './realistic-records';

const catalog = new SchemaCatalog({collections: COLLECTIONS});
const map = (collection: string, record: Record<string, unknown>) =>
  toAvroRecord(catalog.get(collection).valuePlan, record);

describe('toAvroRecord', () => {
  it.each(COLLECTIONS.map((c) => c.name))(
    'maps a realistic %s record and keeps its unknown fields',
    (name) => {
      const record = realisticRecords[name];
      if (!record) throw new Error(`no fixture for ${name}`);
      const avro = map(name, record);
      const unknown = expectedUnknown[name] ?? {};
      expect(avro.unknown_fields_json).toBe(
        Object.keys(unknown).length === 0 ? null : JSON.stringify(unknown)
      );
      // Every known field round-trips through Avro unchanged.
      const type = catalog.get(name).envelopeType;
      const decoded = type.fromBuffer(
        type.toBuffer({
          before: null,
          after: avro,
          source: {
            connector: 'c',
            version: 'v',
            name: 'n',
            collection: name,
            ad_account_id: null,
            sync_id: 's',
            snapshot: 'false',
            ts_ms: null,
          },
          op: 'c',
          ts_ms: 1,
          changed_fields: null,
        })
      ) as {after: Record<string, unknown>};
      expect(decoded.after).toEqual(avro);
    }
  );

  it('keeps ids beyond 2^53 as exact strings', () => {
    const avro = map('pins', realisticRecords.pins as Record<string, unknown>);
    expect(avro.id).toBe('1125968727281347814');
    expect(avro.parent_pin_id).toBe('1125968727281347001');
    expect(BigInt(avro.id as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('keeps nulls as null, sentinels as given, timestamps as the API gives them', () => {
    const group = map('ad_groups', realisticRecords.ad_groups as Record<string, unknown>);
    expect(group.budget_in_micro_currency).toBeNull();
    expect(group.lifetime_frequency_cap).toBe(-1);
    expect(group.feed_profile_id).toBe('0');
    expect(group.start_time).toBe(5686848000);
    expect(group.bid_multiplier).toBe(1.5);
    const board = map('boards', realisticRecords.boards as Record<string, unknown>);
    expect(board.description).toBe(' ');
    expect(board.board_pins_modified_at).toBe('2026-07-09T14:29:02.456000');
  });

  it('writes nested objects as canonical JSON text and string arrays as arrays', () => {
    const group = map('ad_groups', realisticRecords.ad_groups as Record<string, unknown>);
    expect(group.targeting_spec).toBe(
      '{"AGE_BUCKET":["25-34"],"GENDER":["female","male"],"LOCALE":["en-US"]}'
    );
    expect(group.optimization_goal_metadata).toBe('{}');
    expect(group.targeting_template_ids).toEqual(['1099511627776']);
  });

  it('fills absent optional fields with null', () => {
    const avro = map('campaigns', {id: '1', ad_account_id: '2'});
    expect(avro.name).toBeNull();
    expect(avro.unknown_fields_json).toBeNull();
  });

  it('rejects a string where a long is expected, naming collection and field', () => {
    const record = {...realisticRecords.campaigns, daily_spend_cap: '1432744744'};
    expect(() => map('campaigns', record)).toThrow(FieldEncodeError);
    expect(() => map('campaigns', record)).toThrow(
      /campaigns record: field daily_spend_cap expected an integer/
    );
    try {
      map('campaigns', record);
    } catch (error) {
      expect(error).toBeInstanceOf(EncodeError);
      expect((error as FieldEncodeError).field).toBe('daily_spend_cap');
      expect((error as FieldEncodeError).collection).toBe('campaigns');
      expect((error as FieldEncodeError).retriable).toBe(false);
    }
  });

  it('rejects a long beyond 2^53 instead of encoding a rounded value', () => {
    expect(() => map('campaigns', {id: '1', ad_account_id: '2', lifetime_spend_cap: 2 ** 53 + 2})).toThrow(
      /lifetime_spend_cap expected an integer within -2\^52 \.\. 2\^53 - 2/
    );
    expect(
      map('campaigns', {id: '1', ad_account_id: '2', lifetime_spend_cap: 2 ** 53 - 2}).lifetime_spend_cap
    ).toBe(2 ** 53 - 2);
    // avsc's long bound is 2^53 - 2: one more fails here, naming the field, not inside avsc.
    expect(() => map('campaigns', {id: '1', ad_account_id: '2', lifetime_spend_cap: 2 ** 53 - 1})).toThrow(
      FieldEncodeError
    );
    expect(map('campaigns', {id: '1', ad_account_id: '2', lifetime_spend_cap: 5n}).lifetime_spend_cap).toBe(
      5
    );
  });

  it('passes on only the longs avsc writes exactly: -2^52 .. 2^53 - 2, each read back as written', () => {
    const long = Type.forSchema('long');
    for (const value of [-(2 ** 52), -(2 ** 52) + 1, -1, 0, 2 ** 52 + 1, 2 ** 53 - 2]) {
      const mapped = map('campaigns', {
        id: '1',
        ad_account_id: '2',
        lifetime_spend_cap: value,
      }).lifetime_spend_cap;
      expect(long.fromBuffer(long.toBuffer(mapped))).toBe(value);
    }
    // avsc would write these as other numbers (-(2^52 + 1) reads back as +2^52): refused, naming the field.
    for (const value of [-(2 ** 52) - 1, -(2 ** 53 - 2), -(2n ** 52n) - 1n]) {
      expect(() => map('campaigns', {id: '1', ad_account_id: '2', lifetime_spend_cap: value})).toThrow(
        /lifetime_spend_cap expected an integer within/
      );
    }
  });

  it.each([
    ['ad_groups', 'bid_multiplier', 'x', /expected a finite number/],
    ['ads', 'is_pin_deleted', 'false', /expected a boolean/],
    ['ads', 'rejection_labels', ['ok', {}], /expected an array of strings/],
    ['campaigns', 'name', {a: 1}, /expected a string/],
    ['campaigns', 'id', null, /is required/],
    ['ad_analytics', 'date', '2024-02-30', /expected a YYYY-MM-DD date/],
  ])('rejects %s.%s = %j', (collection, field, value, message) => {
    const record = {...realisticRecords[collection], [field]: value};
    expect(() => map(collection, record)).toThrow(message);
  });

  it('accepts a safe integer where a string id is expected', () => {
    expect(map('campaigns', {id: 12, ad_account_id: '2'}).id).toBe('12');
  });
});
