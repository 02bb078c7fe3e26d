import {COLLECTIONS} from '../../../src/collections';
import {buildChangeEvent} from '../../../src/events';
import {EncodeError} from '../../../src/errors';
import {EventSerializer, FieldEncodeError, SchemaCatalog, unframe} from '../../../src/serde';
import {keyOf, realisticRecords, testContext} from './realistic-records';

const catalog = new SchemaCatalog({collections: COLLECTIONS});
const ids = new Map(COLLECTIONS.map((c, i) => [c.name, {keyId: 100 + 2 * i, valueId: 101 + 2 * i}]));
const serializer = new EventSerializer(catalog, ids);

describe('SchemaCatalog', () => {
  it('assembles <namespace>.Envelope with the value record in before and a reference in after', () => {
    const schema = catalog.get('campaigns').envelopeSchema as {
      name: string;
      namespace: string;
      aliases: string[];
      fields: {name: string; type: unknown}[];
    };
    expect(`${schema.namespace}.${schema.name}`).toBe('pinterest.cdc.campaigns.Envelope');
    // The names before Debezium's convention, so the registry's BACKWARD check accepts the renaming.
    expect(schema.aliases).toEqual(['pinterest.cdc.campaigns.CampaignEnvelope']);
    expect(schema.fields.map((f) => f.name)).toEqual([
      'before',
      'after',
      'source',
      'op',
      'ts_ms',
      'changed_fields',
    ]);
    expect(schema.fields[1]?.type).toEqual(['null', 'pinterest.cdc.campaigns.Value']);
    expect(JSON.stringify(schema)).not.toContain('{{');
  });

  it('fails loudly when a key schema disagrees with the declaration', () => {
    const wrong = {...COLLECTIONS[1]!, keyFields: ['id', 'ad_account_id']};
    expect(() => new SchemaCatalog({collections: [wrong]})).toThrow(
      /Key schema of campaigns has fields ad_account_id,id/
    );
  });
});

describe('EventSerializer', () => {
  it.each(COLLECTIONS.map((c) => c.name))('round-trips a %s event through the wire format', (name) => {
    const declaration = COLLECTIONS.find((c) => c.name === name)!;
    const record = realisticRecords[name]!;
    const key = keyOf(name, record, declaration.keyFields);
    const event = buildChangeEvent(testContext(name), {
      op: 'u',
      key,
      before: record,
      after: {...record},
      changedFields: ['name'],
      tsMs: 1700000000000,
    });
    const [message] = serializer.toMessages(event);
    expect(unframe(message!.value!).schemaId).toBe(ids.get(name)!.valueId);
    expect(message!.value![0]).toBe(0);
    expect(serializer.decode(message!.key).value).toEqual(key);
    const decoded = serializer.decode(message!.value!).value as Record<string, unknown>;
    expect(decoded.op).toBe('u');
    expect(decoded.changed_fields).toEqual(['name']);
    expect(decoded.source).toEqual({
      connector: 'pinterest-cdc',
      version: '0.1.0',
      name: 'pinterest',
      collection: name,
      ad_account_id: '549755885175',
      sync_id: 'sync-1',
      snapshot: 'false',
      ts_ms: typeof record.updated_time === 'number' ? record.updated_time * 1000 : null,
      connection: 'agency-b',
    });
    expect(
      (decoded.after as Record<string, unknown>)[declaration.keyFields[declaration.keyFields.length - 1]!]
    ).toBe(key[declaration.keyFields[declaration.keyFields.length - 1]!]);
  });

  it('follows a delete with a tombstone (same key, null value) and marks r as snapshot', () => {
    const key = {id: '1125968727281347814'};
    const d = buildChangeEvent(testContext('pins'), {op: 'd', key, before: null, tsMs: 1});
    const messages = serializer.toMessages(d);
    expect(messages).toHaveLength(2);
    expect(messages[1]!.value).toBeNull();
    expect(messages[1]!.key.equals(messages[0]!.key)).toBe(true);
    const r = buildChangeEvent(testContext('pins'), {op: 'r', key, after: realisticRecords.pins!, tsMs: 1});
    const decoded = serializer.decode(serializer.encodeValue(r)).value as {source: {snapshot: string}};
    expect(decoded.source.snapshot).toBe('true');
    expect(serializer.toMessages(r)).toHaveLength(1);
  });

  it('encodes a d whose before holds only the key fields, for every entity collection', () => {
    for (const declaration of COLLECTIONS.filter((c) => c.kind === 'entity')) {
      const key = keyOf(declaration.name, realisticRecords[declaration.name]!, declaration.keyFields);
      const d = buildChangeEvent(testContext(declaration.name), {op: 'd', key, before: {...key}, tsMs: 1});
      const decoded = serializer.decode(serializer.encodeValue(d)).value as {
        before: Record<string, unknown>;
      };
      for (const field of declaration.keyFields) expect(decoded.before[field]).toBe(key[field]);
    }
  });

  it('throws EncodeError naming the field when the record does not fit', () => {
    const bad = {...realisticRecords.ad_groups!, budget_in_micro_currency: 'lots'};
    const event = buildChangeEvent(testContext('ad_groups'), {
      op: 'c',
      key: {ad_account_id: '549755885175', id: '1'},
      after: bad,
      tsMs: 1,
    });
    expect(() => serializer.encodeValue(event)).toThrow(FieldEncodeError);
    expect(() => serializer.encodeValue(event)).toThrow(/ad_groups record: field budget_in_micro_currency/);
  });

  it('rejects a key that does not fit its schema', () => {
    expect(() =>
      serializer.encodeKey('ad_analytics', {ad_account_id: '1', ad_id: '2', date: 'yesterday'})
    ).toThrow(EncodeError);
  });

  it('refuses collections without registered ids and foreign wire messages', () => {
    const partial = new EventSerializer(catalog, new Map([['pins', {keyId: 1, valueId: 2}]]));
    expect(() => partial.encodeKey('boards', {id: '1'})).toThrow(
      /No registered schema ids for collection "boards"/
    );
    expect(() => serializer.decode(Buffer.from([1, 0, 0, 0, 1]))).toThrow(/magic byte/);
    expect(() => serializer.decode(Buffer.from([0, 0, 0, 0, 9]))).toThrow(/Unknown schema id 9/);
  });
});
