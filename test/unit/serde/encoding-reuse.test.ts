/**
 * The encoding shortcuts give exactly the bytes of the plain path: the differ's canonical texts of nested members
 * (canonicalRecord) reused for JSON-string fields, messages cut from shared arenas, encoding in slices.
 */
import {COLLECTIONS} from '../../../src/collections';
import {EncodeError} from '../../../src/errors';
import {buildChangeEvent, canonicalJson, canonicalRecord} from '../../../src/events';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog} from '../../../src/serde';
import {FramedEncoder} from '../../../src/serde/framed-encoder';
import {keyOf, realisticRecords, testContext} from './realistic-records';

const catalog = new SchemaCatalog({collections: COLLECTIONS});
const ids = new Map(COLLECTIONS.map((c, i) => [c.name, {keyId: 100 + 2 * i, valueId: 101 + 2 * i}]));
const eventOf = (name: string, after: Record<string, unknown>, op: 'r' | 'c' = 'c') =>
  buildChangeEvent(testContext(name), {
    op,
    key: keyOf(name, after, COLLECTIONS.find((c) => c.name === name)!.keyFields),
    after,
    tsMs: 1700000000000,
  });

describe('canonicalRecord', () => {
  it('gives canonicalJson text and the canonical texts of the nested members only', () => {
    const record = {z: {b: 2, a: [1, {d: 1, c: 2}]}, a: 'x', m: [3, 1], n: null, u: undefined, k: 7};
    const {text, nested} = canonicalRecord(record);
    expect(text).toBe(canonicalJson(record));
    expect(nested).toEqual({z: '{"a":[1,{"c":2,"d":1}],"b":2}', m: '[3,1]'});
    expect(canonicalRecord({a: 1, b: 'x'}).nested).toBeNull();
  });
});

describe('EventSerializer with reused nested texts', () => {
  const plain = new EventSerializer(catalog, ids);
  const reusing = new EventSerializer(catalog, ids);

  it.each(COLLECTIONS.map((c) => c.name))('writes the same bytes for %s', (name) => {
    // Shuffled key order at every depth plus members the schema does not know (nested and scalar).
    const shuffle = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffle);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value)
          .reverse()
          .map(([k, v]) => [k, shuffle(v)])
      );
    };
    const record = shuffle({
      ...realisticRecords[name],
      zz_unknown_nested: {y: [2, {b: 1, a: 0}], x: 'é'},
      aa_unknown_scalar: 5,
    }) as Record<string, unknown>;
    const event = eventOf(name, record);
    const expected = plain.toMessages(event);
    const actual = reusing.toMessages(event, canonicalRecord(record).nested);
    expect(actual.map((m) => m.value!.toString('hex'))).toEqual(
      expected.map((m) => m.value!.toString('hex'))
    );
    expect(actual.map((m) => m.key.toString('hex'))).toEqual(expected.map((m) => m.key.toString('hex')));
  });
});

describe('FramedEncoder', () => {
  const pins = catalog.get('pins');
  const record = (i: number) => ({
    before: null,
    after: null,
    source: {
      connector: 'pinterest',
      version: 'v',
      name: 'n',
      collection: 'pins',
      ad_account_id: null,
      sync_id: 'x'.repeat(i % 300),
      snapshot: 'true',
      ts_ms: i,
    },
    op: 'r',
    ts_ms: i,
    changed_fields: null,
  });
  const expected = (i: number, schemaId: number) =>
    Buffer.concat([Buffer.from([0, 0, 0, 0, schemaId]), pins.envelopeType.toBuffer(record(i))]);

  it('cuts many messages from small arenas without overwriting earlier ones, and fits a datum larger than one', () => {
    const encoder = new FramedEncoder(512);
    const messages = Array.from({length: 2000}, (_, i) => encoder.encode(pins.envelopeType, 7, record(i)));
    const large = {...record(1), source: {...record(1).source, sync_id: 'y'.repeat(5000)}};
    const big = encoder.encode(pins.envelopeType, 9, large);
    const after = encoder.encode(pins.envelopeType, 7, record(3));
    messages.forEach((message, i) => expect(message.equals(expected(i, 7))).toBe(true));
    expect(big.equals(Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), pins.envelopeType.toBuffer(large)]))).toBe(
      true
    );
    expect(after.equals(expected(3, 7))).toBe(true);
  });

  it('leaves the arena usable after a value that does not fit the schema', () => {
    const encoder = new FramedEncoder(512);
    encoder.encode(pins.envelopeType, 7, record(1));
    expect(() => encoder.encode(pins.envelopeType, 7, {...record(2), op: 5})).toThrow();
    expect(encoder.encode(pins.envelopeType, 7, record(2)).equals(expected(2, 7))).toBe(true);
  });
});

describe('InlineBatchEncoder', () => {
  const encoder = new InlineBatchEncoder(new EventSerializer(catalog, ids));
  const campaign = (i: number, extra: Record<string, unknown> = {}) =>
    eventOf('campaigns', {...realisticRecords.campaigns, id: String(1000 + i), ...extra});

  it('keeps order across slices and fails only the record that does not fit', async () => {
    const items = Array.from({length: 300}, (_, i) => ({
      event: campaign(i, i === 150 ? {daily_spend_cap: 'twelve dollars'} : {}),
    }));
    const encoded = await encoder.encodeBatch(items);
    expect(encoded).toHaveLength(300);
    const serializer = new EventSerializer(catalog, ids);
    encoded.forEach((result, i) => {
      if (i === 150) {
        expect('error' in result && result.error).toBeInstanceOf(EncodeError);
        return;
      }
      if (!('messages' in result)) throw new Error(`event ${i} was not encoded: ${result.error.message}`);
      expect(result.messages[0]!.value!.equals(serializer.encodeValue(items[i]!.event))).toBe(true);
    });
  });

  it('yields to the event loop between slices, so Kafka responses are handled meanwhile', async () => {
    const order: string[] = [];
    const encoding = encoder
      .encodeBatch(Array.from({length: 200}, (_, i) => ({event: campaign(i)})))
      .then(() => order.push('encoded'));
    setImmediate(() => order.push('other work'));
    await encoding;
    expect(order).toEqual(['other work', 'encoded']);
  });
});
