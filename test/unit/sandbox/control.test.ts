import {ALL_STATUSES, harness, Harness, walk} from './helpers';

describe('sandbox control API', () => {
  let h: Harness;
  let account: string;
  beforeEach(async () => {
    h = await harness({accessTokenTtlSeconds: 10 * 365 * 86400, scale: {campaignsPerAccount: 10}});
    account = h.sb.control.truth('ad_accounts').items[0]?.id as string;
  });
  afterEach(() => h.sb.close());

  test('create: new records with higher ids appear in listings; ground truth returned', async () => {
    h.sb.control.advanceClock(3600);
    const {applied} = h.sb.control.applyChanges([
      {kind: 'create', collection: 'ads', count: 2, adAccountId: account},
    ]);
    expect(applied.map((c) => c.op)).toEqual(['c', 'c']);
    const after = applied[0]?.after as Record<string, unknown>;
    expect(applied[0]).toMatchObject({
      collection: 'ads',
      key: {ad_account_id: account, id: after.id},
      before: null,
    });
    expect(after.created_time).toBe(Math.floor(h.sb.control.now().getTime() / 1000));
    const ads = (await walk(h, `/ad_accounts/${account}/ads?${ALL_STATUSES}`)).items;
    expect(ads.slice(-2)).toEqual(applied.map((c) => c.after));
    expect((await h.json(`/ad_accounts/${account}/ads/${after.id}`)).body).toEqual(after);
    const group = await h.json<{id: string}>(`/ad_accounts/${account}/ad_groups/${after.ad_group_id}`);
    expect(group.status).toBe(200);
    const pins = h.sb.control.applyChanges([{kind: 'create', collection: 'pins'}]).applied;
    expect((await h.json(`/pins/${pins[0]?.key.id}`)).body).toEqual(pins[0]?.after);
  });

  test('update bumps updated_time; archive hides from the default listing; delete is gone and 404', async () => {
    const active = h.sb.control.truth('campaigns', account).items.filter((c) => c.status === 'ACTIVE');
    const [u, a, d] = active.map((c) => c.id as string);
    h.sb.control.advanceClock(60);
    const res = await fetch(`${h.sb.controlUrl}/changes`, {
      method: 'POST',
      body: JSON.stringify({
        changes: [
          {kind: 'update', collection: 'campaigns', ids: [u]},
          {kind: 'archive', collection: 'campaigns', ids: [a]},
          {kind: 'delete', collection: 'campaigns', ids: [d]},
          {kind: 'update', collection: 'campaigns', ids: [u], set: {status: 'PAUSED'}},
        ],
      }),
    });
    const {applied} = (await res.json()) as {
      applied: {
        op: string;
        key: {id: string};
        before: Record<string, unknown>;
        after: Record<string, unknown> | null;
      }[];
    };
    expect(applied.map((c) => c.op)).toEqual(['u', 'u', 'd', 'u']);
    expect(applied[0]?.after?.name).not.toBe(applied[0]?.before.name);
    expect(applied[0]?.after?.updated_time as number).toBeGreaterThan(
      applied[0]?.before.updated_time as number
    );
    expect(applied[1]?.after).toMatchObject({status: 'ARCHIVED', summary_status: 'ARCHIVED'});
    expect(applied[2]?.after).toBeNull();
    expect(applied[3]?.after).toMatchObject({
      status: 'PAUSED',
      summary_status: expect.stringMatching(/PAUSED|ADVERTISER_DISABLED/),
    });
    const dflt = (await walk(h, `/ad_accounts/${account}/campaigns`)).items.map((c) => c.id);
    expect(dflt).toContain(u);
    expect(dflt).not.toContain(a);
    expect(dflt).not.toContain(d);
    const all = (await walk(h, `/ad_accounts/${account}/campaigns?${ALL_STATUSES}`)).items;
    expect(all.find((c) => c.id === a)?.status).toBe('ARCHIVED');
    expect(all.map((c) => c.id)).not.toContain(d);
    expect(all.find((c) => c.id === u)).toEqual(applied[3]?.after);
    const gone = await h.json(`/ad_accounts/${account}/campaigns/${d}`);
    expect(gone).toMatchObject({status: 404, body: {code: 404, message: 'Campaign not found.'}});
  });

  test('deleted pins vanish from /pins and get; truth matches listings', async () => {
    const {applied} = h.sb.control.applyChanges([{kind: 'delete', collection: 'pins', count: 3}]);
    const gone = new Set(applied.map((c) => c.key.id));
    expect(gone.size).toBe(3);
    const pins = (await walk(h, '/pins?page_size=250')).items.map((p) => p.id);
    expect(pins.some((id) => gone.has(id as string))).toBe(false);
    expect(pins).toEqual(h.sb.control.truth('pins').items.map((p) => p.id));
    expect((await h.json(`/pins/${[...gone][0]}`)).status).toBe(404);
    // count(): what truth() lists, created and deleted records included, without listing them.
    h.sb.control.applyChanges([{kind: 'create', collection: 'pins', count: 2}]);
    for (const collection of ['pins', 'campaigns', 'ad_accounts'])
      expect([collection, h.sb.control.count(collection)]).toEqual([
        collection,
        h.sb.control.truth(collection).items.length,
      ]);
    expect(h.sb.control.count('campaigns', account)).toBe(
      h.sb.control.truth('campaigns', account).items.length
    );
  });

  test('bad control requests are 400; clock, stats reset and tokens over HTTP', async () => {
    const bad = await fetch(`${h.sb.controlUrl}/changes`, {
      method: 'POST',
      body: JSON.stringify({changes: [{kind: 'archive', collection: 'pins'}]}),
    });
    expect(bad.status).toBe(400);
    const clock = (await (
      await fetch(`${h.sb.controlUrl}/clock`, {method: 'POST', body: JSON.stringify({advanceSeconds: 86400})})
    ).json()) as {now: string};
    expect(clock.now).toBe('2026-03-11T05:20:50.000Z'.slice(0, 16) + clock.now.slice(16));
    await fetch(`${h.sb.controlUrl}/stats/reset`, {method: 'POST'});
    await h.get('/boards');
    const stats = (await (await fetch(`${h.sb.controlUrl}/stats`)).json()) as {
      requests: {total: number; byEndpoint: Record<string, number>};
    };
    expect(stats.requests.total).toBe(1);
    expect(stats.requests.byEndpoint).toEqual({'GET /v5/boards': 1});
    const tokens = (await (await fetch(`${h.sb.controlUrl}/tokens`)).json()) as {
      refreshTokens: {current: string; retired: number};
    };
    expect(tokens.refreshTokens).toEqual({
      current: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
      retired: 1,
    });
  });

  test('overlays stay small at 1M pins: the last page and a single get are served without materialising', async () => {
    const big = await harness({scale: {pins: 1_000_000, boards: 1000}});
    const lastPin = '10110000000' + String(999_999).padStart(8, '0');
    expect((await big.json<{id: string}>(`/pins/${lastPin}`)).body.id).toBe(lastPin);
    big.sb.control.applyChanges([{kind: 'delete', collection: 'pins', ids: [lastPin]}]);
    expect((await big.json(`/pins/${lastPin}`)).status).toBe(404);
    expect(() => big.sb.control.truth('pins')).toThrow(/small scales.*count\(\)/);
    expect(big.sb.control.count('pins')).toBe(999_999);
    await big.sb.close();
  });
});
