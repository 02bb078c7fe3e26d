import {inspect} from 'node:util';
import {campaigns, pins} from '../../../src/collections';
import type {JsonRecord} from '../../../src/events';
import {
  applyChangelogRecord,
  ChangelogFormatError,
  decodeChangelogKey,
  recordStateMessage,
  refreshTokenMessage,
  ShardState,
  shardMarkerMessage,
  StateStore,
  StoredRefreshToken,
  type ChangelogMessage,
} from '../../../src/state';
import {SnapshotDiffer} from '../../../src/sync/differ';

const ACCOUNT = '549755885175';

function snapshot(
  store: StateStore,
  collection: typeof campaigns,
  shard: string,
  records: JsonRecord[],
  complete: boolean
) {
  const differ = new SnapshotDiffer({
    declaration: collection,
    state: store.shard(collection.name, shard),
    context: {name: 'p', version: '1', collection: collection.name, adAccountId: null, syncId: 's'},
  });
  const messages: ChangelogMessage[] = differ.pushAll(records).map((o) => o.state);
  const finish = differ.finish({complete});
  messages.push(...finish.deletes.map((o) => o.state));
  if (finish.marker) messages.push(finish.marker);
  return messages;
}

function dump(store: StateStore) {
  return store
    .all()
    .map((s) => ({
      collection: s.collection,
      shard: s.shard,
      first: s.firstSnapshotComplete,
      entries: [...s.entries()].sort((a, b) => a.key.localeCompare(b.key)),
    }))
    .sort((a, b) => `${a.collection}/${a.shard}`.localeCompare(`${b.collection}/${b.shard}`));
}

describe('state changelog', () => {
  it('rebuilds identical state from the changelog records the differ produced', () => {
    const live = new StateStore();
    const log: ChangelogMessage[] = [];
    const c = (id: string, name: string) => ({id, ad_account_id: ACCOUNT, name, nested: {b: [1, 2], a: 'é'}});
    log.push(...snapshot(live, campaigns, ACCOUNT, [c('1', 'a'), c('2', 'b'), c('3', 'c')], true));
    log.push(...snapshot(live, campaigns, ACCOUNT, [c('1', 'a2'), c('3', 'c'), c('4', 'd')], true));
    log.push(...snapshot(live, campaigns, '777', [{id: '9', ad_account_id: '777'}], false));
    const pin = (id: string, title: string) => ({id, title});
    log.push(
      ...snapshot(
        live,
        pins as typeof campaigns,
        'user',
        [pin('1125968727281347814', 'x'), pin('odd-key', 'y')],
        true
      )
    );
    log.push(...snapshot(live, pins as typeof campaigns, 'user', [pin('1125968727281347814', 'z')], true));
    const token = new StoredRefreshToken('pinr.secret-value', '2026-09-01T00:00:00Z');
    log.push(refreshTokenMessage('pinterest', token));

    const restored = new StateStore();
    for (const message of log) applyChangelogRecord(restored, message.key, message.value);
    expect(dump(restored)).toEqual(dump(live));
    expect(restored.shard('campaigns', '777').firstSnapshotComplete).toBe(false);
    expect(restored.shard('campaigns', ACCOUNT).firstSnapshotComplete).toBe(true);
    expect(restored.shard('campaigns', ACCOUNT).size).toBe(3);
    expect(restored.legacyRefreshTokens.get('pinterest')?.reveal()).toBe('pinr.secret-value');
    expect(restored.legacyRefreshTokens.get('pinterest')?.expiresAt).toBe('2026-09-01T00:00:00Z');
  });

  it('forgets records, markers and the token on tombstones', () => {
    const store = new StateStore();
    const put = recordStateMessage('ads', ACCOUNT, '5', {hashHi: 1, hashLo: 2}, '{"id":"5"}');
    applyChangelogRecord(store, put.key, put.value);
    applyChangelogRecord(
      store,
      shardMarkerMessage('ads', ACCOUNT, {firstSnapshotComplete: true, atMs: 1}).key,
      shardMarkerMessage('ads', ACCOUNT, {firstSnapshotComplete: true, atMs: 1}).value
    );
    expect(store.shard('ads', ACCOUNT).get('5')).toEqual({
      key: '5',
      hash: '0000000100000002',
      image: '{"id":"5"}',
    });
    applyChangelogRecord(store, put.key, null);
    applyChangelogRecord(store, shardMarkerMessage('ads', ACCOUNT, null).key, null);
    expect(store.shard('ads', ACCOUNT).size).toBe(0);
    expect(store.shard('ads', ACCOUNT).firstSnapshotComplete).toBe(false);
    const token = refreshTokenMessage('pinterest', new StoredRefreshToken('t'));
    applyChangelogRecord(store, token.key, token.value);
    expect(store.legacyRefreshTokens.size).toBe(1);
    applyChangelogRecord(store, token.key, null);
    expect(store.legacyRefreshTokens.size).toBe(0);
  });

  it('gives each record, shard marker and token its own compaction key', () => {
    const keys = [
      recordStateMessage('ads', '1', '23', null).key,
      recordStateMessage('ads', '12', '3', null).key,
      recordStateMessage('ad', 's1', '23', null).key,
      shardMarkerMessage('ads', '1', null).key,
      refreshTokenMessage('pinterest', null).key,
    ].map((k) => k.toString('hex'));
    expect(new Set(keys).size).toBe(keys.length);
    expect(decodeChangelogKey(recordStateMessage('ads', '12', '3', null).key)).toEqual({
      kind: 'record',
      collection: 'ads',
      shard: '12',
      key: '3',
    });
    expect(decodeChangelogKey(shardMarkerMessage('ads', '1', null).key)).toEqual({
      kind: 'shard',
      collection: 'ads',
      shard: '1',
    });
  });

  it('refuses records of another format version with a clear error', () => {
    const message = recordStateMessage('ads', '1', '2', {hashHi: 0, hashLo: 0});
    const newer = Buffer.from(message.value!);
    newer[0] = 2;
    expect(() => applyChangelogRecord(new StateStore(), message.key, newer)).toThrow(ChangelogFormatError);
    expect(() => applyChangelogRecord(new StateStore(), message.key, newer)).toThrow(
      /format version 2; this build reads version 1/
    );
  });

  it('never shows the refresh token when printed, logged or serialised', () => {
    const token = new StoredRefreshToken('pinr.very-secret', '2026-09-01T00:00:00Z');
    const store = new StateStore();
    store.legacyRefreshTokens.set('default', token);
    for (const text of [
      String(token),
      JSON.stringify(token),
      JSON.stringify({store}),
      inspect(token),
      inspect(store, {depth: 5}),
      `${token}`,
    ]) {
      expect(text).not.toContain('very-secret');
    }
    expect(token.reveal()).toBe('pinr.very-secret');
  });

  it('ShardState is created on demand', () => {
    const store = new StateStore();
    expect(store.has('a', 'b')).toBe(false);
    expect(store.shard('a', 'b')).toBeInstanceOf(ShardState);
    expect(store.has('a', 'b')).toBe(true);
  });
});
