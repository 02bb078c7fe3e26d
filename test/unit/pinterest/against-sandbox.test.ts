/** The "done when" checks of the Pinterest client, against the sandbox (src/sandbox) started in process. */
import {createHash} from 'node:crypto';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import * as path from 'node:path';
import {
  AuthError,
  FileTokenStore,
  MemoryTokenStore,
  QuotaExhaustedError,
  TransientError,
  type PinterestClient,
  type RetryReason,
} from '../../../src/pinterest';
import type {RunningSandbox} from '../../../src/sandbox';
import {ALL_STATUSES, clientFor, listAll, sandboxWithClock, sortedIds} from './sandbox-helpers';
import {failureOf} from './stub-server';

jest.setTimeout(60_000);

let sandbox: RunningSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const fingerprint = (token: string | undefined) =>
  `sha256:${createHash('sha256')
    .update(token ?? '')
    .digest('hex')
    .slice(0, 16)}`;
const noon = () => new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);

describe('Pinterest client against the sandbox', () => {
  it('a token rotation survives a restart; the retired refresh token is refused', async () => {
    ({sandbox} = await sandboxWithClock(1));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pin-sb-')), 'tokens.json');
    await clientFor(sandbox, {store: new FileTokenStore(file)}).get({
      path: '/user_account',
      category: 'org_read',
    });
    const first = await new FileTokenStore(file).load();
    expect(fingerprint(first?.refreshToken)).toBe(sandbox.control.tokens().refreshTokens.current);
    expect(first?.refreshToken).not.toBe(sandbox.credentials.refreshToken);

    // A new process: same store, the (now retired) configured token. It shares the stored access token; once that
    // is revoked, it refreshes with the stored refresh token, which must win over the configured one.
    sandbox.control.setFaults({revokeTokens: true});
    await clientFor(sandbox, {store: new FileTokenStore(file)}).get({
      path: '/user_account',
      category: 'org_read',
    });
    const second = await new FileTokenStore(file).load();
    expect(fingerprint(second?.refreshToken)).toBe(sandbox.control.tokens().refreshTokens.current);
    expect(second?.refreshToken).not.toBe(first?.refreshToken);
    expect(sandbox.control.tokens().refreshTokens.retired).toBe(2);

    const stale = clientFor(sandbox, {store: new MemoryTokenStore({refreshToken: first!.refreshToken})});
    const error = await failureOf(stale.get({path: '/user_account', category: 'org_read'}));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/re-authenticate/);
  });

  it('an expired access token refreshes exactly once under 20 concurrent requests', async () => {
    ({sandbox} = await sandboxWithClock(1, {accessTokenTtlSeconds: 3600}));
    const client = clientFor(sandbox, {config: {maxConcurrency: 20}});
    await client.get({path: '/user_account', category: 'org_read'});
    sandbox.control.resetStats();
    // The sandbox clock moves past the token's expiry; the client's clock does not know (as after a suspend).
    sandbox.control.advanceClock(7200);
    const results = await Promise.all(
      Array.from({length: 20}, () =>
        client.get<{username?: string}>({path: '/user_account', category: 'org_read'})
      )
    );
    expect(results).toHaveLength(20);
    expect(sandbox.control.stats().tokenRefreshes).toBe(1);
  });

  it('a 429 storm and 20% 5xx still give the complete, exact record set', async () => {
    let time;
    ({sandbox, time} = await sandboxWithClock(30, {
      scale: {adAccounts: 2, campaignsPerAccount: 12, adGroupsPerCampaign: 3, adsPerAdGroup: 4},
      limits: {categories: {ads_read: {perMinute: 20}}},
    }));
    sandbox.control.setFaults({
      errorRate: 0.2,
      errorStatus: 503,
      resetRate: 0.03,
      pathPattern: '^/v5/ad_accounts',
    });
    const retries: RetryReason[] = [];
    // Two clients share one quota (as two processes of one app would): neither budget knows what the other
    // spends, so both draw 429s, and both must still read everything exactly once.
    // They share the token store; the second starts after the first rotated the refresh token.
    const store = new MemoryTokenStore();
    // The elapsed bound is on the sandbox clock (30x): the helpers' 60 s are 2 s of real time, which a loaded CI
    // machine can spend on one contended request (this test failed once that way); 30 min here are 60 s real.
    const retry = {
      maxRetries: 8,
      baseDelayMs: 5,
      maxDelayMs: 50,
      maxElapsedMs: 1_800_000,
      maxRateLimitRetries: 20,
    };
    const clients = [0, 1].map(() =>
      clientFor(sandbox!, {time, store, config: {retry}, hooks: {onRetry: (e) => retries.push(e.reason)}})
    );
    await clients[0]!.get({path: '/user_account', category: 'org_read'});
    const readAll = async (client: (typeof clients)[number]) => {
      const accounts = await listAll<{id: string}>(client, {path: '/ad_accounts', category: 'ads_read'});
      const out: Record<string, Array<{id: string}>> = {ad_accounts: accounts};
      for (const kind of ['campaigns', 'ad_groups', 'ads'] as const) {
        const lists = await Promise.all(
          accounts.map((a) =>
            listAll<{id: string}>(client, {
              path: `/ad_accounts/{ad_account_id}/${kind}`,
              pathParams: {ad_account_id: a.id},
              // Small pages make many requests against the tight limit.
              query: {entity_statuses: ALL_STATUSES, page_size: 10},
              category: 'ads_read',
            })
          )
        );
        out[kind] = lists.flat();
      }
      return out;
    };
    const results = await Promise.all(clients.map(readAll));
    for (const result of results) {
      for (const [kind, got] of Object.entries(result)) {
        expect(sortedIds(got)).toEqual(sortedIds(sandbox.control.truth(kind).items));
        expect(new Set(sortedIds(got)).size).toBe(got.length);
      }
    }
    const stats = sandbox.control.stats();
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(retries).toContain('server');
    expect(retries).toContain('rate_limited');
  });

  it('a daily cap pauses one category and lets the others go on', async () => {
    ({sandbox} = await sandboxWithClock(1, {startTime: noon()}));
    const client = clientFor(sandbox);
    const accounts = await listAll<{id: string}>(client, {path: '/ad_accounts', category: 'ads_read'});
    const account = accounts[0]!.id;
    const campaigns = await listAll<{id: string}>(client, {
      path: '/ad_accounts/{ad_account_id}/campaigns',
      pathParams: {ad_account_id: account},
      query: {entity_statuses: ALL_STATUSES},
      category: 'ads_read',
    });
    sandbox.control.exhaust('ads_analytics');
    const today = sandbox.control.now().toISOString().slice(0, 10);
    const run = async () => {
      for await (const _ of client.analytics({
        level: 'campaign',
        adAccountId: account,
        ids: campaigns.map((c) => c.id),
        startDate: today,
        endDate: today,
      })) {
        // drain
      }
    };
    const error = await failureOf(run());
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error.retriable).toBe(false);
    // resumeAt is on the client's clock (real time + the reset the headers name), not the sandbox's noon.
    expect(error.resumeAt.getTime()).toBeGreaterThan(Date.now() + 15 * 60_000);
    expect(client.budget().ads_analytics.pausedUntil?.getTime()).toBe(error.resumeAt.getTime());
    const before = sandbox.control.stats().requests.total;
    await expect(run()).rejects.toBeInstanceOf(QuotaExhaustedError);
    expect(sandbox.control.stats().requests.total).toBe(before);
    // Other categories go on.
    const again = await listAll<{id: string}>(client, {
      path: '/ad_accounts/{ad_account_id}/campaigns',
      pathParams: {ad_account_id: account},
      query: {entity_statuses: ALL_STATUSES},
      category: 'ads_read',
    });
    expect(again.length).toBe(campaigns.length);
    expect(client.budget().ads_read.pausedUntil).toBeUndefined();
  });

  it('a request the server never answers times out, is retried, and the listing is still exact', async () => {
    ({sandbox} = await sandboxWithClock(1));
    const retries: RetryReason[] = [];
    const client = clientFor(sandbox, {
      config: {requestTimeoutMs: 300},
      hooks: {onRetry: (e) => retries.push(e.reason)},
    });
    const accounts = await listAll<{id: string}>(client, {path: '/ad_accounts', category: 'ads_read'});
    sandbox.control.setFaults({timeoutRate: 0.25, pathPattern: 'campaigns'});
    const got = await campaignsOf(client, accounts);
    expect(sortedIds(got)).toEqual(sortedIds(sandbox.control.truth('campaigns').items));
    expect(new Set(sortedIds(got)).size).toBe(got.length);
    expect(retries).toContain('timeout');

    // Every attempt held: a typed, retriable error after the configured retries, not a hang.
    sandbox.control.setFaults({timeoutRate: 1, pathPattern: 'campaigns'});
    const started = Date.now();
    const error = await failureOf(firstPageOfCampaigns(client, accounts[0]!.id));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.reason).toBe('timeout');
    expect(error.retriable).toBe(true);
    // 1 + maxRetries (8) attempts of 300 ms plus short backoffs: seconds, not the 30 s default.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('malformed and truncated JSON is a typed retriable error, retried to success', async () => {
    ({sandbox} = await sandboxWithClock(1));
    const retries: RetryReason[] = [];
    const client = clientFor(sandbox, {hooks: {onRetry: (e) => retries.push(e.reason)}});
    const accounts = await listAll<{id: string}>(client, {path: '/ad_accounts', category: 'ads_read'});
    sandbox.control.setFaults({malformedRate: 0.3, truncatedRate: 0.2, pathPattern: 'campaigns'});
    const got = await campaignsOf(client, accounts);
    expect(sortedIds(got)).toEqual(sortedIds(sandbox.control.truth('campaigns').items));
    expect(retries.filter((r) => r === 'malformed' || r === 'network').length).toBeGreaterThan(0);

    sandbox.control.setFaults({malformedRate: 1, pathPattern: 'campaigns'});
    const error = await failureOf(firstPageOfCampaigns(client, accounts[0]!.id));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.reason).toBe('malformed');
    expect(error.retriable).toBe(true);
  });
});

/** Every campaign of the accounts, in pages of 2 (many requests for the faults to hit). */
async function campaignsOf(client: PinterestClient, accounts: {id: string}[]): Promise<{id: string}[]> {
  const lists = await Promise.all(
    accounts.map((a) =>
      listAll<{id: string}>(client, {
        path: '/ad_accounts/{ad_account_id}/campaigns',
        pathParams: {ad_account_id: a.id},
        query: {entity_statuses: ALL_STATUSES, page_size: 2},
        category: 'ads_read',
      })
    )
  );
  return lists.flat();
}

function firstPageOfCampaigns(client: PinterestClient, adAccountId: string): Promise<unknown> {
  return client.get({
    path: '/ad_accounts/{ad_account_id}/campaigns',
    pathParams: {ad_account_id: adAccountId},
    category: 'ads_read',
  });
}
