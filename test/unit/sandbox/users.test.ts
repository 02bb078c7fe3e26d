/** Several Pinterest users in one sandbox (issue 11), over HTTP (no stubs). */
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {refresh, START, walk} from './helpers';

describe('sandbox users', () => {
  let sb: RunningSandbox;
  const tokenFor = async (refreshToken: string): Promise<string> =>
    ((await (await refresh(sb, refreshToken)).json()) as {access_token: string}).access_token;
  const as = (token: string) => ({
    token,
    refreshToken: '',
    sb,
    get: (path: string, init?: RequestInit) =>
      fetch(`${sb.baseUrl}${path}`, {...init, headers: {authorization: `Bearer ${token}`}}),
    json: async <T>(path: string) => {
      const r = await fetch(`${sb.baseUrl}${path}`, {headers: {authorization: `Bearer ${token}`}});
      return {status: r.status, body: (await r.json()) as T, headers: r.headers};
    },
  });

  beforeEach(async () => {
    sb = await startSandbox({
      startTime: START,
      scale: {
        adAccounts: 2,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 2,
        pins: 30,
        boards: 3,
      },
      users: [
        {name: 'alice', refreshToken: 'pinr.alice'},
        {name: 'bob', refreshToken: 'pinr.bob', scale: {adAccounts: 3, pins: 12}},
      ],
    });
  });
  afterEach(() => sb.close());

  test('one default user keeps the ids and tokens of the one-user sandbox', async () => {
    const one = await startSandbox({startTime: START});
    const two = await startSandbox({startTime: START, users: [{refreshToken: one.credentials.refreshToken}]});
    try {
      expect(one.users).toEqual([{name: 'default', refreshToken: one.credentials.refreshToken}]);
      expect(two.control.truth('ads').items).toEqual(one.control.truth('ads').items);
      expect(two.control.truth('pins').items).toEqual(one.control.truth('pins').items);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  test('each user has its own ad accounts, boards and pins, with ids nobody else has', async () => {
    const alice = as(await tokenFor('pinr.alice'));
    const bob = as(await tokenFor('pinr.bob'));
    const aliceAccounts = (await walk(alice, '/ad_accounts')).items.map((a) => a.id as string);
    const bobAccounts = (await walk(bob, '/ad_accounts')).items.map((a) => a.id as string);
    expect(aliceAccounts).toHaveLength(2);
    expect(bobAccounts).toHaveLength(3);
    expect(bobAccounts.some((id) => aliceAccounts.includes(id))).toBe(false);
    const alicePins = (await walk(alice, '/pins?page_size=250')).items.map((p) => p.id as string);
    const bobPins = (await walk(bob, '/pins?page_size=250')).items.map((p) => p.id as string);
    expect(alicePins).toHaveLength(30);
    expect(bobPins).toHaveLength(12);
    expect(bobPins.some((id) => alicePins.includes(id))).toBe(false);
    expect(bobPins.every((id) => /^\d{19}$/.test(id))).toBe(true);
    const bobAds = sb.control
      .user('bob')
      .truth('ads')
      .items.map((a) => a.id as string);
    const aliceAds = sb.control.truth('ads').items.map((a) => a.id as string);
    expect(bobAds.some((id) => aliceAds.includes(id))).toBe(false);
    // Another user's account is not found; its pins are not found.
    expect((await alice.json(`/ad_accounts/${bobAccounts[0]}`)).status).toBe(404);
    expect((await alice.json(`/pins/${bobPins[0]}`)).status).toBe(404);
    const me = await bob.json<{id: string; username: string}>('/user_account');
    expect(me.body.id).not.toBe((await alice.json<{id: string}>('/user_account')).body.id);
    expect(me.body.id).toMatch(/^\d{19}$/);
    // Deterministic: a second sandbox with the same options has the same ids.
    const again = await startSandbox({
      startTime: START,
      scale: {adAccounts: 2, pins: 30, boards: 3},
      users: [
        {name: 'alice', refreshToken: 'pinr.alice'},
        {name: 'bob', refreshToken: 'pinr.bob', scale: {adAccounts: 3, pins: 12}},
      ],
    });
    try {
      expect(
        again.control
          .user('bob')
          .truth('pins')
          .items.map((p) => p.id)
      ).toEqual(bobPins);
    } finally {
      await again.close();
    }
  });

  test('tokens, rate budgets, faults and counters are per user', async () => {
    const alice = as(await tokenFor('pinr.alice'));
    const bob = as(await tokenFor('pinr.bob'));
    // Each refresh token rotates only its own user's chain.
    expect(sb.control.user('alice').tokens().refreshTokens.retired).toBe(1);
    expect(sb.control.tokens().byUser?.bob?.refreshTokens.retired).toBe(1);
    // Budgets: alice spends hers; bob's is untouched and his headers say so.
    sb.control.user('alice').setLimits({categories: {org_read: {perMinute: 3}}});
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await alice.get('/boards')).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const bobBoards = await bob.get('/boards');
    expect(bobBoards.status).toBe(200);
    expect(bobBoards.headers.get('x-ratelimit-limit')).toContain('1000;w=60;name="org_read_app_id_user_id"');
    // A fault addressed to bob leaves alice alone.
    sb.control.user('bob').setFaults({errorRate: 1});
    expect((await bob.get('/pins')).status).toBe(503);
    sb.control.user('alice').setLimits({categories: {org_read: {perMinute: 1000}}});
    expect((await alice.get('/pins')).status).toBe(200);
    sb.control.clearFaults();
    const stats = sb.control.stats();
    expect(stats.byUser?.alice?.requests.total).toBe(6); // refresh + 4 boards + pins
    expect(stats.byUser?.bob?.requests.total).toBe(3);
    expect(stats.requests.total).toBe(9);
    expect(stats.byUser?.alice?.rateLimited).toBe(2);
    expect(sb.control.user('bob').stats().requests.byStatus['503']).toBe(1);
    // Over HTTP: ?user= addresses a user; an unknown user is a 400.
    const bobStats = (await (await fetch(`${sb.controlUrl}/stats?user=bob`)).json()) as {
      requests: {total: number};
    };
    expect(bobStats.requests.total).toBe(3);
    expect((await fetch(`${sb.controlUrl}/stats?user=carol`)).status).toBe(400);
    const users = (await (await fetch(`${sb.controlUrl}/users`)).json()) as {users: unknown[]};
    expect(users.users).toEqual([
      {index: 0, name: 'alice'},
      {index: 1, name: 'bob'},
    ]);
  });

  test('changes and truth address one user; a refused grant and revoked tokens stay with their user', async () => {
    const bob = as(await tokenFor('pinr.bob'));
    const res = await fetch(`${sb.controlUrl}/changes?user=bob`, {
      method: 'POST',
      body: JSON.stringify({changes: [{kind: 'create', collection: 'pins', count: 2}]}),
    });
    const {applied} = (await res.json()) as {applied: {key: {id: string}}[]};
    const bobPins = (await walk(bob, '/pins?page_size=250')).items.map((p) => p.id);
    expect(bobPins).toEqual(expect.arrayContaining(applied.map((a) => a.key.id)));
    expect(sb.control.truth('pins').items.map((p) => p.id)).not.toEqual(
      expect.arrayContaining([applied[0]?.key.id])
    );
    // Revoking bob's access tokens leaves alice's working.
    const alice = as(await tokenFor('pinr.alice'));
    sb.control.user('bob').setFaults({revokeTokens: true});
    expect((await bob.get('/boards')).status).toBe(401);
    expect((await alice.get('/boards')).status).toBe(200);
    // Bob's retired initial token is refused, whoever presents it.
    const replay = await refresh(sb, 'pinr.bob');
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({code: 283, message: 'The authorization grant is invalid'});
  });

  test('users are validated: distinct names and refresh tokens, room in the ad-account id space', async () => {
    await expect(
      startSandbox({
        users: [
          {name: 'a', refreshToken: 'x'},
          {name: 'a', refreshToken: 'x'},
        ],
      })
    ).rejects.toThrow(/used twice/);
    await expect(
      startSandbox({users: [{refreshToken: 'a', scale: {adAccounts: 20_000}}, {refreshToken: 'b'}]})
    ).rejects.toThrow(/ad-account numbers/);
  });
});
