import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {ALL_ENTITY_STATUSES, COLLECTIONS, CollectionRegistry, topicOf} from '../../../src/collections';
import {defaultAvroDir, readSchemaFile} from '../../../src/serde';

const avroDir = defaultAvroDir();

describe('collection declarations', () => {
  it('declares the six entity collections and two analytics collections once each', () => {
    const registry = new CollectionRegistry();
    expect(registry.entities().map((c) => c.name)).toEqual([
      'ad_accounts',
      'campaigns',
      'ad_groups',
      'ads',
      'boards',
      'pins',
    ]);
    expect(registry.get('ad_analytics').keyFields).toEqual(['ad_account_id', 'ad_id', 'date']);
    expect(registry.get('campaign_analytics').keyFields).toEqual(['ad_account_id', 'campaign_id', 'date']);
    expect(() => new CollectionRegistry([...COLLECTIONS, COLLECTIONS[0]!])).toThrow(/declared twice/);
    expect(() => registry.get('nope')).toThrow(/Unknown collection/);
  });

  it.each(['campaigns', 'ad_groups', 'ads'])(
    '%s lists all five entity statuses, so an archive is never a delete',
    (name) => {
      const declaration = new CollectionRegistry().get(name);
      expect(declaration.endpoint.query.entity_statuses).toEqual([
        'ACTIVE',
        'PAUSED',
        'ARCHIVED',
        'DRAFT',
        'DELETED_DRAFT',
      ]);
      expect(declaration.endpoint.path).toBe(`/ad_accounts/{ad_account_id}/${name}`);
      expect(declaration.scope).toBe('ad_account');
      expect(ALL_ENTITY_STATUSES).toHaveLength(5);
    }
  );

  it.each(COLLECTIONS.map((c) => [c.name, c]))(
    '%s: schema files exist, namespace and key fields match',
    (name, declaration) => {
      for (const file of [declaration.schemas.key, declaration.schemas.value])
        expect(existsSync(join(avroDir, file))).toBe(true);
      const key = readSchemaFile(avroDir, declaration.schemas.key) as {
        namespace: string;
        fields: {name: string; type: unknown}[];
      };
      expect(key.namespace).toBe(`pinterest.cdc.${name}`);
      expect(key.fields.map((f) => f.name)).toEqual(declaration.keyFields);
      for (const field of key.fields) {
        expect(field.type).toEqual(field.name === 'date' ? {type: 'int', logicalType: 'date'} : 'string');
      }
      const value = readSchemaFile(avroDir, declaration.schemas.value) as {
        namespace: string;
        fields: {name: string}[];
      };
      expect(value.namespace).toBe(`pinterest.cdc.${name}`);
      expect(value.fields.at(-1)?.name).toBe('unknown_fields_json');
      expect(declaration.endpoint.path.includes('{ad_account_id}')).toBe(declaration.scope === 'ad_account');
    }
  );

  it('keeps before images for every collection but pins, and uses the right rate categories', () => {
    expect(COLLECTIONS.filter((c) => !c.keepBeforeImages).map((c) => c.name)).toEqual(['pins']);
    const registry = new CollectionRegistry();
    expect(registry.get('boards').rateCategory).toBe('org_read');
    expect(registry.get('pins').rateCategory).toBe('org_read');
    expect(registry.get('ads').rateCategory).toBe('ads_read');
    expect(registry.get('ad_analytics').rateCategory).toBe('ads_analytics');
  });

  it('derives topics (shard ids: test/unit/sync/shards.test.ts)', () => {
    const registry = new CollectionRegistry();
    expect(topicOf('pinterest', registry.get('ad_groups'))).toBe('pinterest.ad_groups');
  });
});
