import {COLLECTIONS} from '../../../src/collections';
import {
  DEFAULT_CONNECTION,
  isConnectionName,
  parseShardId,
  shardFor,
  shardId,
  type Shard,
} from '../../../src/sync/shards';

const byName = (name: string) => {
  const declaration = COLLECTIONS.find((c) => c.name === name);
  if (!declaration) throw new Error(name);
  return declaration;
};

describe('shard identity', () => {
  it('keeps the ids main wrote for the default connection (state carries over)', () => {
    for (const [collection, account, mainId] of [
      ['campaigns', '549755885175', '549755885175'],
      ['boards', undefined, 'user'],
      ['pins', undefined, 'user'],
      ['ad_accounts', undefined, 'all'],
    ] as const) {
      expect(shardId(shardFor(DEFAULT_CONNECTION, byName(collection), account))).toBe(mainId);
    }
    expect(() => shardFor(DEFAULT_CONNECTION, byName('campaigns'))).toThrow(/needs an ad account id/);
  });

  it('prefixes the ids of any other connection with its name', () => {
    expect(shardId({connection: 'agency-b', scope: 'ad_account', adAccountId: '549755885175'})).toBe(
      'agency-b/549755885175'
    );
    expect(shardId({connection: 'agency-b', scope: 'user'})).toBe('agency-b/user');
    expect(shardId({connection: 'agency-b', scope: 'ad_accounts'})).toBe('agency-b/all');
  });

  it('parses every id back to its shard', () => {
    const shards: Shard[] = [
      {connection: DEFAULT_CONNECTION, scope: 'ad_account', adAccountId: '42'},
      {connection: DEFAULT_CONNECTION, scope: 'user'},
      {connection: DEFAULT_CONNECTION, scope: 'ad_accounts'},
      {connection: 'b_2', scope: 'ad_account', adAccountId: '42'},
      {connection: 'b_2', scope: 'user'},
      {connection: 'b_2', scope: 'ad_accounts'},
    ];
    for (const shard of shards) expect(parseShardId(shardId(shard))).toEqual(shard);
    expect(new Set(shards.map(shardId)).size).toBe(shards.length);
  });

  it('refuses ids that name no shard', () => {
    expect(() => parseShardId('Bad Name/user')).toThrow(RangeError);
    expect(() => parseShardId('b/')).toThrow(RangeError);
    expect(() => shardId({connection: 'b', scope: 'ad_account'})).toThrow(RangeError);
    expect(() => shardFor('b', byName('campaigns'))).toThrow(RangeError);
  });

  it('accepts safe connection names only', () => {
    for (const good of ['default', 'agency-b', 'client_42', '0']) expect(isConnectionName(good)).toBe(true);
    for (const bad of ['', 'Agency', 'a/b', 'a.b', '-a', 'a b', 'x'.repeat(49)])
      expect(isConnectionName(bad)).toBe(false);
  });
});
