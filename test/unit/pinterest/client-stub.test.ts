/**
 * PinterestClient against a tiny in-test node:http stub (stub-server.ts): the ONE allowed seam, used while the
 * sandbox was being written. Covers OAuth rotation and single-flight refresh, pagination, retries, 429 handling,
 * daily caps, malformed bodies, reports, and that no secret leaks into logs, hooks or errors.
 */
import {mkdtempSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import * as path from 'node:path';
import {
  AuthError,
  FileTokenStore,
  MemoryTokenStore,
  PaginationError,
  PinterestClient,
  QuotaExhaustedError,
  ReportFailedError,
  resolveClientConfig,
  TransientError,
  type RequestHooks,
  type TokenStore,
} from '../../../src/pinterest';
import {
  failureOf,
  CLIENT_SECRET,
  fastRetry,
  RotatingTokens,
  startStub,
  type Stub,
  type StubHandler,
} from './stub-server';

const CAMPAIGNS = '/ad_accounts/{ad_account_id}/campaigns';

let stub: Stub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function client(
  s: Stub,
  store: TokenStore,
  extra: Partial<Parameters<typeof resolveClientConfig>[0]> = {},
  hooks?: RequestHooks,
  logs?: unknown[]
) {
  const capture = (level: string) => (obj: object, msg?: string) => logs?.push({level, obj, msg});
  return new PinterestClient({
    config: resolveClientConfig({
      clientId: 'cid',
      clientSecret: CLIENT_SECRET,
      refreshToken: 'pinr.stub-refresh-0',
      apiBaseUrl: s.baseUrl,
      retry: fastRetry,
      requestTimeoutMs: 2000,
      ...extra,
    }),
    tokenStore: store,
    hooks,
    logger: {debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error')},
  });
}

/** Token endpoint + the given API handler behind bearer auth. */
function withAuth(tokens: RotatingTokens, api: StubHandler, ttlSeconds = 3600): StubHandler {
  return (req) => {
    if (req.path === '/v5/oauth/token') return tokens.answer(req, ttlSeconds);
    if (!tokens.authorised(req)) return {status: 401, body: {code: 2, message: 'Authentication failed.'}};
    return api(req);
  };
}

describe('OAuth', () => {
  it('refreshes once for 20 concurrent requests and saves the rotated token before using it', async () => {
    const tokens = new RotatingTokens();
    const events: string[] = [];
    stub = await startStub(
      withAuth(tokens, (req) => {
        events.push(`api:${req.headers.authorization}`);
        return {body: {id: '1'}};
      })
    );
    const memory = new MemoryTokenStore();
    const store: TokenStore = {
      shared: false,
      load: () => memory.load(),
      save: async (t) => {
        events.push(`save:${t.refreshToken}`);
        await memory.save(t);
      },
    };
    const c = client(stub, store);
    await Promise.all(Array.from({length: 20}, () => c.get({path: '/user_account', category: 'org_read'})));
    expect(tokens.issued).toBe(1);
    expect(events[0]).toBe('save:pinr.stub-refresh-1');
    expect(events.filter((e) => e.startsWith('api:'))).toHaveLength(20);
    const basic = stub.requests.find((r) => r.path === '/v5/oauth/token')?.headers.authorization;
    expect(basic).toBe(`Basic ${Buffer.from(`cid:${CLIENT_SECRET}`).toString('base64')}`);
  });

  it('refreshes exactly once when 20 in-flight requests meet a revoked access token', async () => {
    const tokens = new RotatingTokens();
    stub = await startStub(withAuth(tokens, () => ({body: {ok: true}})));
    const c = client(stub, new MemoryTokenStore());
    await c.get({path: '/user_account', category: 'org_read'});
    tokens.validAccess.clear();
    await Promise.all(Array.from({length: 20}, () => c.get({path: '/user_account', category: 'org_read'})));
    expect(tokens.issued).toBe(2);
  });

  it('a restart with the same FileTokenStore uses the newest refresh token (0600, atomic)', async () => {
    const tokens = new RotatingTokens();
    stub = await startStub(withAuth(tokens, () => ({body: {ok: true}})));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pin-tokens-')), 'tokens.json');
    await client(stub, new FileTokenStore(file)).get({path: '/user_account', category: 'org_read'});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await new FileTokenStore(file).load())?.refreshToken).toBe('pinr.stub-refresh-1');
    // The configured token (pinr.stub-refresh-0) is retired by now: only the stored one can work. The second
    // process first shares the stored access token; revoked, it must refresh with the stored refresh token.
    tokens.validAccess.clear();
    await client(stub, new FileTokenStore(file)).get({path: '/user_account', category: 'org_read'});
    expect(tokens.issued).toBe(2);
    expect((await new FileTokenStore(file).load())?.refreshToken).toBe('pinr.stub-refresh-2');
  });

  it('a second 401 after a refresh is a non-retriable AuthError asking to re-authenticate', async () => {
    const tokens = new RotatingTokens();
    stub = await startStub((req) =>
      req.path === '/v5/oauth/token'
        ? tokens.answer(req)
        : {status: 401, body: {code: 2, message: 'Authentication failed.'}}
    );
    const error = await failureOf(
      client(stub, new MemoryTokenStore()).get({path: '/user_account', category: 'org_read'})
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/re-authenticate/);
    expect(tokens.issued).toBe(2);
  });

  it('a refused refresh token is an AuthError, not retried', async () => {
    const tokens = new RotatingTokens();
    tokens.current = 'pinr.someone-else';
    stub = await startStub(withAuth(tokens, () => ({body: {}})));
    const error = await failureOf(
      client(stub, new MemoryTokenStore()).get({path: '/user_account', category: 'org_read'})
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/re-authenticate/);
    expect(stub.requests.filter((r) => r.path === '/v5/oauth/token')).toHaveLength(1);
  });
});

describe('pagination and retries', () => {
  it('follows URL-encoded bookmarks, retries a failed page with the same bookmark, tolerates an empty last page', async () => {
    const tokens = new RotatingTokens();
    const pages: Record<string, {items: unknown[]; bookmark: string | null}> = {
      '': {items: [{id: '1'}, {id: '2'}], bookmark: 'a+b/c=='},
      'a+b/c==': {items: [{id: '3'}], bookmark: 'last'},
      last: {items: [], bookmark: null},
    };
    let failSecond = true;
    stub = await startStub(
      withAuth(tokens, (req) => {
        const bookmark = req.query.get('bookmark') ?? '';
        if (bookmark === 'a+b/c==' && failSecond) {
          failSecond = false;
          return {status: 502, body: {code: 502, message: 'bad gateway'}};
        }
        return {body: pages[bookmark]};
      })
    );
    const seen: string[] = [];
    for await (const page of client(stub, new MemoryTokenStore()).paginate<{id: string}>({
      path: CAMPAIGNS,
      pathParams: {ad_account_id: '549755885175'},
      query: {entity_statuses: ['ACTIVE', 'ARCHIVED']},
      category: 'ads_read',
    })) {
      seen.push(...page.map((r) => r.id));
    }
    expect(seen).toEqual(['1', '2', '3']);
    const api = stub.requests.filter((r) => r.path.startsWith('/v5/ad_accounts'));
    expect(api.map((r) => r.query.get('bookmark'))).toEqual([null, 'a+b/c==', 'a+b/c==', 'last']);
    expect(api[0]?.query.get('page_size')).toBe('250');
    expect(api[0]?.query.getAll('entity_statuses')).toEqual(['ACTIVE', 'ARCHIVED']);
  });

  it('throws PaginationError when a bookmark repeats, before yielding a record twice', async () => {
    const tokens = new RotatingTokens();
    stub = await startStub(
      withAuth(tokens, (req) => ({
        body: {items: [{id: req.query.get('bookmark') ?? 'first'}], bookmark: 'same'},
      }))
    );
    const seen: string[] = [];
    const run = async () => {
      for await (const page of client(stub!, new MemoryTokenStore()).paginate<{id: string}>({
        path: '/pins',
        category: 'org_read',
      })) {
        seen.push(...page.map((r) => r.id));
      }
    };
    await expect(run()).rejects.toBeInstanceOf(PaginationError);
    expect(seen).toEqual(['first', 'same']);
  });

  it('retries malformed and truncated JSON to success; gives up with a retriable typed error', async () => {
    const tokens = new RotatingTokens();
    let n = 0;
    stub = await startStub(
      withAuth(tokens, (req) => {
        if (req.path.endsWith('/always-bad')) return {raw: '{"items": [1, 2'};
        n += 1;
        return n === 1 ? {raw: '{"items": [{"id": "1"}'} : n === 2 ? {raw: 'not json'} : {body: {id: 'ok'}};
      })
    );
    const hooks: string[] = [];
    const c = client(stub, new MemoryTokenStore(), {}, {onRetry: (e) => hooks.push(e.reason)});
    await expect(c.get({path: '/user_account', category: 'org_read'})).resolves.toEqual({id: 'ok'});
    expect(hooks).toEqual(['malformed', 'malformed']);
    const error = await failureOf(c.get({path: '/always-bad', category: 'org_read'}));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.reason).toBe('malformed');
    expect(error.retriable).toBe(true);
  });

  it('waits out a 429 by its reset header and a transient 400 by its message, then succeeds', async () => {
    const tokens = new RotatingTokens();
    let n = 0;
    stub = await startStub(
      withAuth(tokens, () => {
        n += 1;
        if (n === 1)
          return {
            status: 429,
            body: {code: 8, message: 'exceeded a rate limit'},
            headers: {'x-ratelimit-reset': '1'},
          };
        if (n === 2)
          return {
            status: 400,
            body: {code: 2726, message: 'Reporting query cost limit exceeded. Retry after 1 seconds'},
          };
        return {body: {ok: true}};
      })
    );
    const started = Date.now();
    await expect(
      client(stub, new MemoryTokenStore()).get({path: '/user_account', category: 'org_read'})
    ).resolves.toEqual({ok: true});
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('a daily cap pauses only its category, visible in budget() and as QuotaExhaustedError', async () => {
    const tokens = new RotatingTokens();
    stub = await startStub(
      withAuth(tokens, (req) =>
        req.path.includes('/analytics')
          ? {
              status: 429,
              body: {code: 8, message: 'exceeded a rate limit'},
              headers: {'x-ratelimit-reset': '67150'},
            }
          : {body: {ok: true}}
      )
    );
    const c = client(stub, new MemoryTokenStore());
    const analytics = {
      path: '/ad_accounts/{ad_account_id}/analytics',
      pathParams: {ad_account_id: '1'},
      category: 'ads_analytics' as const,
    };
    const first = await failureOf(c.get(analytics));
    expect(first).toBeInstanceOf(QuotaExhaustedError);
    expect(first.retriable).toBe(false);
    expect(first.resumeAt.getTime()).toBeGreaterThan(Date.now() + 67_000_000);
    const before = stub.requests.length;
    await expect(c.get(analytics)).rejects.toBeInstanceOf(QuotaExhaustedError);
    expect(stub.requests.length).toBe(before);
    await expect(c.get({path: '/ad_accounts', category: 'ads_read'})).resolves.toEqual({ok: true});
    expect(c.budget().ads_analytics.pausedUntil).toBeInstanceOf(Date);
    expect(c.budget().ads_read.pausedUntil).toBeUndefined();
  });

  it('does not retry a spam 429', async () => {
    const tokens = new RotatingTokens();
    stub = await startStub(
      withAuth(tokens, () => ({status: 429, body: {code: 8, message: 'x', message_detail: 'spam'}}))
    );
    const error = await failureOf(
      client(stub, new MemoryTokenStore()).get({path: '/pins', category: 'org_read'})
    );
    expect(error.retriable).toBe(false);
    expect(stub.requests.filter((r) => r.path === '/v5/pins')).toHaveLength(1);
  });
});

describe('async reports', () => {
  const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
  function reportStub(tokens: RotatingTokens, finalStatus: string): StubHandler {
    let polls = 0;
    return withAuth(tokens, (req) => {
      if (req.method === 'POST') return {body: {token: 'tok-1', report_status: 'IN_PROGRESS', message: null}};
      polls += 1;
      if (polls < 2) return {body: {report_status: 'IN_PROGRESS', url: null, size: null}};
      if (finalStatus !== 'FINISHED') return {body: {report_status: finalStatus, url: null, size: null}};
      return {
        body: {
          report_status: 'FINISHED',
          url: `${stub!.origin}/files/report.json?X-Amz-Signature=s3cr3t`,
          size: 10,
        },
      };
    });
  }

  it('creates, polls, downloads and parses a BY_ID report', async () => {
    const tokens = new RotatingTokens();
    const inner = reportStub(tokens, 'FINISHED');
    stub = await startStub((req) =>
      req.path === '/files/report.json'
        ? {
            body: {
              '123': [{DATE: '2024-01-01', SPEND_IN_MICRO_DOLLAR: 5}],
              '456': [{DATE: '2024-01-02', IMPRESSION_1: 3}],
            },
          }
        : inner(req)
    );
    const c = client(stub, new MemoryTokenStore(), {
      reports: {pollInitialDelayMs: 5, pollBackoffFactor: 1, pollMaxDelayMs: 5, pollTimeoutMs: 5000},
    });
    const rows = [];
    for await (const batch of c.analytics({
      level: 'campaign',
      adAccountId: '9',
      ids: ['123', '456'],
      startDate: day(201),
      endDate: day(200),
    })) {
      rows.push(...batch);
    }
    expect(rows).toEqual([
      {
        level: 'campaign',
        adAccountId: '9',
        entityId: '123',
        date: '2024-01-01',
        source: 'report',
        metrics: {SPEND_IN_MICRO_DOLLAR: 5},
      },
      {
        level: 'campaign',
        adAccountId: '9',
        entityId: '456',
        date: '2024-01-02',
        source: 'report',
        metrics: {IMPRESSION_1: 3},
      },
    ]);
    const post = stub.requests.find((r) => r.method === 'POST' && r.path.endsWith('/reports'));
    expect(JSON.parse(post?.body ?? '{}')).toMatchObject({
      level: 'CAMPAIGN',
      campaign_ids: ['123', '456'],
      granularity: 'DAY',
    });
    expect(stub.requests.find((r) => r.path === '/files/report.json')?.headers.authorization).toBeUndefined();
  });

  it('fails clearly when the report ends FAILED', async () => {
    const tokens = new RotatingTokens();
    stub = await startStub(reportStub(tokens, 'FAILED'));
    const c = client(stub, new MemoryTokenStore(), {
      reports: {pollInitialDelayMs: 5, pollBackoffFactor: 1, pollMaxDelayMs: 5, pollTimeoutMs: 5000},
    });
    const run = async () => {
      for await (const _ of c.analytics({
        level: 'ad',
        adAccountId: '9',
        ids: ['1'],
        startDate: day(201),
        endDate: day(200),
      })) {
        // drain
      }
    };
    const error = await failureOf(run());
    expect(error).toBeInstanceOf(ReportFailedError);
    expect(error.reportStatus).toBe('FAILED');
  });
});

describe('secrets', () => {
  it('never appear in logs, hook events or errors of a run with faults', async () => {
    const tokens = new RotatingTokens();
    let n = 0;
    stub = await startStub(
      withAuth(tokens, (req) => {
        n += 1;
        if (n % 4 === 1) return {status: 500, body: {code: 500, message: 'oops'}};
        if (n % 4 === 2) return {raw: '{"trunc'};
        if (req.path.endsWith('/deny'))
          return {status: 403, body: {code: 29, message: 'You are not permitted to access that resource.'}};
        return {body: {ok: true}};
      })
    );
    const logs: unknown[] = [];
    const events: unknown[] = [];
    const hooks: RequestHooks = {
      onRequest: (e) => events.push(e),
      onRetry: (e) => events.push(e),
      onTokenRefresh: (e) => events.push(e),
      onRateLimited: (e) => events.push(e),
    };
    const c = client(stub, new MemoryTokenStore(), {}, hooks, logs);
    const errors: unknown[] = [];
    await c.get({path: '/user_account', category: 'org_read'}).catch((e) => errors.push(e));
    await c.get({path: '/deny', category: 'org_read'}).catch((e) => errors.push(e));
    tokens.validAccess.clear();
    tokens.current = 'pinr.retired-elsewhere';
    await c.get({path: '/user_account', category: 'org_read'}).catch((e) => errors.push(e));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    const dump = JSON.stringify({
      logs,
      events,
      errors: errors.map((e) => ({
        ...(e as object),
        message: (e as Error).message,
        stack: (e as Error).stack,
        cause: String((e as Error).cause),
      })),
    });
    const secrets = [
      CLIENT_SECRET,
      'pinr.stub-refresh-0',
      'pinr.stub-refresh-1',
      'pina.stub-access-1',
      Buffer.from(`cid:${CLIENT_SECRET}`).toString('base64'),
    ];
    for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(dump).toContain('/user_account');
  });
});
