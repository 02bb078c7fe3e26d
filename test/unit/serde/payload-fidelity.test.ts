/**
 * Bad and unusual API payloads at the mapping/encoding seam: the body text is parsed as the client parses it
 * (parseLosslessJson, what the transport runs), then diffed, mapped to Avro and encoded through the envelope type,
 * or turned into a dead letter. No stub: every stage is the real one, without Kafka (the sandbox + Kafka version
 * is test/integration/payload-fidelity.test.ts). Each case is either encoded faithfully or dead-lettered with its
 * raw JSON, exact digits included; none is dropped and none crashes.
 */
import {adGroups, campaigns} from '../../../src/collections';
import type {JsonRecord} from '../../../src/events';
import {parseLosslessJson, stringifyLosslessJson} from '../../../src/events/lossless-json';
import {FieldEncodeError, SchemaCatalog, toAvroRecord} from '../../../src/serde';
import {ShardState} from '../../../src/state';
import {deadLetterMessage} from '../../../src/sync';
import {SnapshotDiffer} from '../../../src/sync/differ';
import {COLLECTIONS} from '../../../src/collections';

const ACCOUNT = '549755885175';
const BIG = '12345678901234567891'; // > 2^64 even: no double, no long holds it
const JUST_ABOVE = '9007199254740993'; // 2^53 + 1: JSON.parse reads 9007199254740992
const catalog = new SchemaCatalog({collections: COLLECTIONS});

/** The value Avro carries: toAvroRecord, then a round trip through the envelope type (what goes to Kafka). */
function encoded(collection: string, record: JsonRecord): Record<string, unknown> {
  const schemas = catalog.get(collection);
  const after = toAvroRecord(schemas.valuePlan, record);
  const envelope = {
    before: null,
    after,
    source: {
      connector: 'c',
      version: 'v',
      name: 'n',
      collection,
      ad_account_id: ACCOUNT,
      sync_id: 's',
      snapshot: 'false',
      ts_ms: null,
    },
    op: 'c',
    ts_ms: 1,
    changed_fields: null,
  };
  return (
    schemas.envelopeType.fromBuffer(schemas.envelopeType.toBuffer(envelope)) as {
      after: Record<string, unknown>;
    }
  ).after;
}

function adGroupText(extra: string): string {
  return `{"id":"2680059592705","ad_account_id":"${ACCOUNT}","campaign_id":"626736533506","status":"ACTIVE",${extra}}`;
}

function deadLetterRaw(record: JsonRecord, error: Error): string {
  const message = deadLetterMessage({
    topic: 'p.dlq',
    collection: 'ad_groups',
    shard: ACCOUNT,
    syncId: 's',
    reason: 'encode',
    error,
    record,
    nowMs: 1,
  });
  return (JSON.parse(message.value!.toString()) as {raw_json: string}).raw_json;
}

describe('parseLosslessJson', () => {
  it('reads integers beyond 2^53 as exact bigints, anywhere in the text', () => {
    const value = parseLosslessJson(
      `{"a":${BIG},"b":[-${JUST_ABOVE}, 1.5, 7],"c":{"d":{"e":${JUST_ABOVE}}},"f":"${BIG}"}`
    );
    expect(value).toEqual({
      a: BigInt(BIG),
      b: [-BigInt(JUST_ABOVE), 1.5, 7],
      c: {d: {e: BigInt(JUST_ABOVE)}},
      f: BIG,
    });
  });

  it('gives what JSON.parse gives for a text without a long number token (the fast path) and with one', () => {
    const plain =
      '{"id":"1125968727281347814","n":123456789012345,"x":[0.1,-2e3,true,null],"s":"a:1234567890123456"}';
    expect(parseLosslessJson(plain)).toEqual(JSON.parse(plain));
    const safeButLong = '{"n":9007199254740991,"m":1234567890123456.5,"o":-9007199254740991}';
    expect(parseLosslessJson(safeButLong)).toEqual(JSON.parse(safeButLong));
  });

  it('rejects malformed or truncated text on both paths', () => {
    expect(() => parseLosslessJson('{"a":1')).toThrow();
    expect(() => parseLosslessJson(`{"a":${BIG}`)).toThrow();
  });

  it('writes bigints back as their digits, key order kept', () => {
    expect(stringifyLosslessJson({z: BigInt(BIG), a: [1n, 'x']})).toBe(`{"z":${BIG},"a":[1,"x"]}`);
    expect(stringifyLosslessJson({a: 1})).toBe('{"a":1}');
  });
});

describe('payloads at the mapping/encoding seam', () => {
  it('keeps an integer beyond 2^53 nested in a free-form object (targeting_spec) exact in its JSON text', () => {
    const record = parseLosslessJson(
      adGroupText(
        `"targeting_spec":{"AUDIENCE_INCLUDE":[${BIG}],"GEO":{"zip":${JUST_ABOVE}},"AGE_BUCKET":["25-34"]}`
      )
    ) as JsonRecord;
    expect(encoded('ad_groups', record).targeting_spec).toBe(
      `{"AGE_BUCKET":["25-34"],"AUDIENCE_INCLUDE":[${BIG}],"GEO":{"zip":${JUST_ABOVE}}}`
    );
  });

  it('writes a big integer id, string field or string-array item in decimal, exactly', () => {
    const record = parseLosslessJson(
      `{"id":${BIG},"ad_account_id":"${ACCOUNT}","campaign_id":${JUST_ABOVE},"targeting_template_ids":[${BIG},"7"]}`
    ) as JsonRecord;
    const after = encoded('ad_groups', record);
    expect(after.id).toBe(BIG);
    expect(after.campaign_id).toBe(JUST_ABOVE);
    expect(after.targeting_template_ids).toEqual([BIG, '7']);
  });

  it('keeps a long within +/-(2^53 - 2) (avsc bound) as a number and dead-letters one beyond it with the exact digits', () => {
    const inRange = parseLosslessJson(adGroupText('"bid_in_micro_currency":9007199254740990')) as JsonRecord;
    expect(encoded('ad_groups', inRange).bid_in_micro_currency).toBe(Number.MAX_SAFE_INTEGER - 1);

    const text = adGroupText(`"bid_in_micro_currency":${JUST_ABOVE}`);
    const record = parseLosslessJson(text) as JsonRecord;
    let error: unknown;
    try {
      encoded('ad_groups', record);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FieldEncodeError);
    expect((error as FieldEncodeError).field).toBe('bid_in_micro_currency');
    expect((error as Error).message).toContain(JUST_ABOVE);
    expect(deadLetterRaw(record, error as Error)).toBe(text);
  });

  it('writes a big integer in a double field as the nearest double', () => {
    const record = parseLosslessJson(adGroupText(`"bid_multiplier":${BIG}`)) as JsonRecord;
    expect(encoded('ad_groups', record).bid_multiplier).toBe(Number(BIG));
  });

  it('keeps unknown fields, big integers and all, in unknown_fields_json', () => {
    const record = parseLosslessJson(
      adGroupText(`"brand_new":{"deep":[${BIG},{"x":null}]},"another_new":"v"`)
    ) as JsonRecord;
    expect(encoded('ad_groups', record).unknown_fields_json).toBe(
      `{"another_new":"v","brand_new":{"deep":[${BIG},{"x":null}]}}`
    );
  });

  it('passes a new enum value through as the string it is', () => {
    const record = parseLosslessJson(
      adGroupText('"status":"HIBERNATING","billable_event":"NEW_EVENT_2027"').replace(
        '"status":"ACTIVE",',
        ''
      )
    ) as JsonRecord;
    const after = encoded('ad_groups', record);
    expect(after.status).toBe('HIBERNATING');
    expect(after.billable_event).toBe('NEW_EVENT_2027');
  });

  it('writes null for missing optional fields and dead-letters a record missing a required one', () => {
    const missing = parseLosslessJson(`{"id":"5","ad_account_id":"${ACCOUNT}"}`) as JsonRecord;
    const after = encoded('ad_groups', missing);
    expect(after.status).toBeNull();
    expect(after.targeting_spec).toBeNull();

    const text = '{"ad_account_id":"1","name":"no id"}';
    const noId = parseLosslessJson(text) as JsonRecord;
    expect(() => encoded('ad_groups', noId)).toThrow(/field id is required/);
    expect(deadLetterRaw(noId, new Error('x'))).toBe(text);
  });

  it.each([
    [
      'a string where a long is expected',
      '"budget_in_micro_currency":"100"',
      /budget_in_micro_currency expected an integer/,
    ],
    ['an object where a string is expected', `"name":{"n":${BIG}}`, /name expected a string/],
    [
      'a number where a boolean is expected',
      '"auto_targeting_enabled":1',
      /auto_targeting_enabled expected a boolean/,
    ],
    [
      'a string where a string array is expected',
      '"targeting_template_ids":"1"',
      /targeting_template_ids expected an array/,
    ],
  ])('dead-letters %s with its raw JSON, exactly as sent', (_label, field, message) => {
    const text = adGroupText(field);
    const record = parseLosslessJson(text) as JsonRecord;
    let error: unknown;
    try {
      encoded('ad_groups', record);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).toMatch(message);
    expect(deadLetterRaw(record, error as Error)).toBe(text);
  });

  it('encodes a huge string (4 MiB, multi-byte) unchanged', () => {
    const huge = 'é\u{1F600}x'.repeat(1 << 20);
    const record = parseLosslessJson(adGroupText(`"name":${JSON.stringify(huge)}`)) as JsonRecord;
    expect(encoded('ad_groups', record).name).toBe(huge);
  });

  it("keeps big integers exact in the differ: hash, kept image and the next update's before", () => {
    const state = new ShardState('ad_groups', ACCOUNT);
    const context = {name: 'p', version: '0', collection: 'ad_groups', adAccountId: ACCOUNT, syncId: 's'};
    const pass = (text: string) => {
      const differ = new SnapshotDiffer({declaration: adGroups, state, context, keepImages: true});
      const output = differ.push(parseLosslessJson(text) as JsonRecord);
      differ.finish({complete: true});
      return output;
    };
    pass(adGroupText(`"targeting_spec":{"AUDIENCE_INCLUDE":[${BIG}]}`));
    // One more unit in the last digit: JSON.parse would read both as the same double, so no event at all.
    const bigPlusOne = (BigInt(BIG) + 1n).toString();
    const update = pass(adGroupText(`"targeting_spec":{"AUDIENCE_INCLUDE":[${bigPlusOne}]}`));
    expect(update?.event.op).toBe('u');
    expect(update?.event.before?.targeting_spec).toEqual({AUDIENCE_INCLUDE: [BigInt(BIG)]});
    expect(update?.event.after?.targeting_spec).toEqual({AUDIENCE_INCLUDE: [BigInt(bigPlusOne)]});
    expect(update?.event.changedFields).toEqual(['targeting_spec']);
  });

  it('keys a record whose id is a number beyond 2^53 by its exact digits', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    const differ = new SnapshotDiffer({
      declaration: campaigns,
      state,
      context: {name: 'p', version: '0', collection: 'campaigns', adAccountId: ACCOUNT, syncId: 's'},
    });
    const output = differ.push(parseLosslessJson(`{"id":${BIG},"ad_account_id":"${ACCOUNT}"}`) as JsonRecord);
    expect(output?.event.key).toEqual({ad_account_id: ACCOUNT, id: BIG});
  });
});
