import {adAnalytics, boards, campaigns, pins} from '../../../src/collections';
import type {CollectionDeclaration} from '../../../src/collections';
import type {JsonRecord} from '../../../src/events';
import {EncodeError} from '../../../src/errors';
import {decodeChangelogKey, decodeRecordValue, decodeShardMarker, ShardState} from '../../../src/state';
import {SnapshotDiffer, type DiffOutput} from '../../../src/sync/differ';

const ACCOUNT = '549755885175';

function campaign(id: string, fields: JsonRecord = {}): JsonRecord {
  return {id, ad_account_id: ACCOUNT, name: `c${id}`, status: 'ACTIVE', updated_time: 1700000000, ...fields};
}

function runSnapshot(
  declaration: CollectionDeclaration,
  state: ShardState,
  records: JsonRecord[],
  complete = true,
  keepImages?: boolean
) {
  const differ = new SnapshotDiffer({
    declaration,
    state,
    keepImages,
    context: {
      name: 'pinterest',
      version: '0.1.0',
      collection: declaration.name,
      adAccountId: declaration.scope === 'ad_account' ? ACCOUNT : null,
      syncId: 'sync',
    },
    now: () => 42,
  });
  const outputs = differ.pushAll(records);
  const finish = differ.finish({complete});
  const all: DiffOutput[] = [...outputs, ...finish.deletes];
  return {outputs, finish, all, ops: all.map((o) => `${o.event.op}:${o.event.key.id ?? o.event.key.ad_id}`)};
}

describe('SnapshotDiffer', () => {
  it('emits r during the first snapshot, then c/u/d, and nothing for unchanged records', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    const first = runSnapshot(campaigns, state, [campaign('1'), campaign('2'), campaign('3')]);
    expect(first.ops).toEqual(['r:1', 'r:2', 'r:3']);
    expect(first.outputs.every((o) => o.event.source.snapshot && o.event.before === null)).toBe(true);
    expect(first.finish.marker).not.toBeNull();
    expect(state.firstSnapshotComplete).toBe(true);

    const second = runSnapshot(campaigns, state, [
      campaign('3', {name: 'renamed'}),
      campaign('1'),
      campaign('4'),
    ]);
    expect(second.ops).toEqual(['u:3', 'c:4', 'd:2']);
    expect(second.finish.marker).toBeNull();
    expect(second.all.every((o) => !o.event.source.snapshot)).toBe(true);
    expect(state.size).toBe(3);
    expect(state.get('2')).toBeUndefined();

    expect(
      runSnapshot(campaigns, state, [campaign('1'), campaign('3', {name: 'renamed'}), campaign('4')]).ops
    ).toEqual([]);
  });

  it('gives u with before and changed_fields when images are kept, d with the last image', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    runSnapshot(campaigns, state, [campaign('1', {bid_options: {a: 1}}), campaign('2')]);
    const {all} = runSnapshot(campaigns, state, [
      campaign('1', {bid_options: {a: 2}, updated_time: 1700000100, extra: true}),
    ]);
    const [update, del] = all;
    expect(update!.event.op).toBe('u');
    expect(update!.event.before).toEqual(campaign('1', {bid_options: {a: 1}}));
    expect(update!.event.after).toEqual(
      campaign('1', {bid_options: {a: 2}, updated_time: 1700000100, extra: true})
    );
    expect(update!.event.changedFields).toEqual(['bid_options', 'extra', 'updated_time']);
    expect(update!.event.key).toEqual({ad_account_id: ACCOUNT, id: '1'});
    expect(del!.event.op).toBe('d');
    expect(del!.event.before).toEqual(campaign('2'));
    expect(del!.event.after).toBeNull();
    expect(del!.event.key).toEqual({ad_account_id: ACCOUNT, id: '2'});
  });

  it('treats an archive as an update, never a delete', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    runSnapshot(campaigns, state, [campaign('1'), campaign('2')]);
    const {all} = runSnapshot(campaigns, state, [campaign('1', {status: 'ARCHIVED'}), campaign('2')]);
    expect(all.map((o) => o.event.op)).toEqual(['u']);
    expect(all[0]!.event.changedFields).toEqual(['status']);
  });

  it('ignores key order at every depth', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    runSnapshot(campaigns, state, [{id: '1', ad_account_id: ACCOUNT, t: {a: 1, b: [{x: 1, y: 2}]}}]);
    expect(
      runSnapshot(campaigns, state, [{t: {b: [{y: 2, x: 1}], a: 1}, ad_account_id: ACCOUNT, id: '1'}]).ops
    ).toEqual([]);
  });

  it('emits no deletes from an interrupted snapshot, and deletes after the next complete one', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    runSnapshot(campaigns, state, [campaign('1'), campaign('2'), campaign('3')]);
    const interrupted = runSnapshot(campaigns, state, [campaign('1', {name: 'x'})], false);
    expect(interrupted.ops).toEqual(['u:1']);
    expect(interrupted.finish).toEqual({deletes: [], held: 0, marker: null});
    expect(state.size).toBe(3);
    expect(runSnapshot(campaigns, state, [campaign('1', {name: 'x'}), campaign('3')]).ops).toEqual(['d:2']);
  });

  it('keeps emitting r until a first snapshot completes, without re-emitting what it already read', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    expect(runSnapshot(campaigns, state, [campaign('1'), campaign('2')], false).ops).toEqual(['r:1', 'r:2']);
    expect(state.firstSnapshotComplete).toBe(false);
    const retry = runSnapshot(campaigns, state, [campaign('1'), campaign('3')]);
    expect(retry.ops).toEqual(['r:3', 'd:2']);
    expect(retry.finish.marker).not.toBeNull();
    expect(decodeShardMarker(retry.finish.marker!.value!)).toEqual({firstSnapshotComplete: true, atMs: 42});
    expect(runSnapshot(campaigns, state, [campaign('1'), campaign('3'), campaign('5')]).ops).toEqual(['c:5']);
  });

  it('handles a key listed twice in one snapshot deterministically (last content wins)', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    runSnapshot(campaigns, state, [campaign('1')]);
    const twiceSame = runSnapshot(campaigns, state, [campaign('2'), campaign('1'), campaign('2')]);
    expect(twiceSame.ops).toEqual(['c:2']);
    const twiceDifferent = runSnapshot(campaigns, state, [
      campaign('1', {name: 'a'}),
      campaign('2'),
      campaign('1', {name: 'b'}),
    ]);
    expect(twiceDifferent.ops).toEqual(['u:1', 'u:1']);
    expect(twiceDifferent.all[1]!.event.before).toEqual(campaign('1', {name: 'a'}));
    expect(twiceDifferent.all[1]!.event.changedFields).toEqual(['name']);
    expect(state.get('1')!.image).toContain('"name":"b"');
  });

  it('gives u with before null for hash-only collections (pins) and keeps no images', () => {
    const state = new ShardState('pins', 'user');
    const pin = {id: '1125968727281347814', title: 'a', created_at: '2026-07-09T10:22:11'};
    runSnapshot(pins, state, [pin]);
    const {all} = runSnapshot(pins, state, [{...pin, title: 'b'}]);
    expect(all[0]!.event.op).toBe('u');
    expect(all[0]!.event.before).toBeNull();
    expect(all[0]!.event.changedFields).toBeNull();
    expect(all[0]!.event.key).toEqual({id: '1125968727281347814'});
    expect(state.get('1125968727281347814')!.image).toBeUndefined();
    expect(decodeRecordValue(all[0]!.state.value!).image).toBeUndefined();
    const gone = runSnapshot(pins, state, []);
    // d still carries the key fields in before (a sink takes the row to delete from it).
    expect(gone.all[0]!.event).toMatchObject({
      op: 'd',
      before: {id: '1125968727281347814'},
      key: {id: '1125968727281347814'},
    });
  });

  it('lets the caller override image keeping', () => {
    const state = new ShardState('boards', 'user');
    runSnapshot(boards, state, [{id: '1', name: 'a'}], true, false);
    expect(runSnapshot(boards, state, [{id: '1', name: 'b'}], true, false).all[0]!.event.before).toBeNull();
  });

  it('returns changelog records: hash (+ image) for r/c/u, tombstone for d', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    const [r] = runSnapshot(campaigns, state, [campaign('1'), campaign('2')]).outputs;
    expect(decodeChangelogKey(r!.state.key)).toEqual({
      kind: 'record',
      collection: 'campaigns',
      shard: ACCOUNT,
      key: '1',
    });
    const value = decodeRecordValue(r!.state.value!);
    expect(JSON.parse(value.image!)).toEqual(campaign('1'));
    expect(state.get('1')!.hash).toBe(
      value.hashHi.toString(16).padStart(8, '0') + value.hashLo.toString(16).padStart(8, '0')
    );
    const [d] = runSnapshot(campaigns, state, [campaign('1')]).all;
    expect(d!.state.value).toBeNull();
    expect(decodeChangelogKey(d!.state.key)).toEqual({
      kind: 'record',
      collection: 'campaigns',
      shard: ACCOUNT,
      key: '2',
    });
  });

  it('supports composite, non-numeric keys (analytics rows) through the generic table', () => {
    const state = new ShardState('ad_analytics', ACCOUNT);
    const row = (adId: string, date: string, spend: number) => ({
      ad_account_id: ACCOUNT,
      ad_id: adId,
      date,
      SPEND: spend,
    });
    runSnapshot(adAnalytics, state, [row('7', '2026-01-01', 1), row('7', '2026-01-02', 2)]);
    const {all} = runSnapshot(adAnalytics, state, [row('7', '2026-01-01', 5)]);
    expect(all.map((o) => [o.event.op, o.event.key])).toEqual([
      ['u', {ad_account_id: ACCOUNT, ad_id: '7', date: '2026-01-01'}],
      ['d', {ad_account_id: ACCOUNT, ad_id: '7', date: '2026-01-02'}],
    ]);
  });

  it('throws EncodeError for a record without a usable key or listed under another ad account', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    const differ = new SnapshotDiffer({
      declaration: campaigns,
      state,
      context: {name: 'p', version: '1', collection: 'campaigns', adAccountId: ACCOUNT, syncId: 's'},
    });
    expect(() => differ.push({name: 'no id', ad_account_id: ACCOUNT})).toThrow(EncodeError);
    expect(() => differ.push({id: '', ad_account_id: ACCOUNT})).toThrow(/no usable key field id/);
    expect(() => differ.push({id: '1', ad_account_id: '999'})).toThrow(/listed under 549755885175/);
    expect(differ.push({id: 7, ad_account_id: ACCOUNT})!.event.key).toEqual({
      ad_account_id: ACCOUNT,
      id: '7',
    });
    differ.finish({complete: true});
    expect(() => differ.push(campaign('8'))).toThrow(/after finish/);
  });

  it('keeps unseen records that retain() names and deletes the rest; review() can hold every delete', () => {
    const state = new ShardState('campaigns', ACCOUNT);
    runSnapshot(campaigns, state, [campaign('1'), campaign('2'), campaign('3')]);
    const differ = (records: JsonRecord[]) => {
      const d = new SnapshotDiffer({
        declaration: campaigns,
        state,
        context: {name: 'p', version: '0', collection: 'campaigns', adAccountId: ACCOUNT, syncId: 's'},
      });
      d.pushAll(records);
      return d;
    };
    const retained = differ([campaign('1')]).finish({complete: true, retain: (key) => key.id === '2'});
    expect(retained.deletes.map((o) => o.event.key.id)).toEqual(['3']);
    expect(state.size).toBe(2);

    const reviews: [readonly string[], number][] = [];
    const held = differ([]).finish({
      complete: true,
      review: (candidates, tracked) => {
        reviews.push([candidates, tracked]);
        return false;
      },
    });
    expect(reviews).toEqual([[['1', '2'], 2]]);
    expect(held).toMatchObject({deletes: [], held: 2});
    expect(state.size).toBe(2);
    expect(differ([]).finish({complete: true, review: () => true}).deletes).toHaveLength(2);
    expect(state.size).toBe(0);
  });
});
