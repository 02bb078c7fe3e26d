/** Pure parts of the Pinterest client: classifier, header parsing, date planning, backoff, rate budget. */
import {classifyOutcome} from '../../../src/pinterest/classify';
import {
  AuthError,
  BadRequestError,
  NotFoundError,
  PermissionError,
  QuotaExhaustedError,
  RateLimitedError,
  TransientError,
} from '../../../src/pinterest/errors';
import {parseRateLimitHeaders, retryAfterFromMessage} from '../../../src/pinterest/rate-limit-headers';
import {planAnalytics} from '../../../src/pinterest/analytics';
import {splitDateRange} from '../../../src/pinterest/dates';
import {backoffDelayMs} from '../../../src/pinterest/retry-policy';
import {RateBudget} from '../../../src/pinterest/rate-budget';
import {DEFAULT_CLIENT_CONFIG} from '../../../src/pinterest/config';

const ctx = {
  endpoint: '/ad_accounts/{ad_account_id}/campaigns',
  category: 'ads_read' as const,
  maxRateLimitWaitSeconds: 900,
  now: 0,
};

describe('classifier', () => {
  it.each([
    [401, {code: 2, message: 'Authentication failed.'}, AuthError, false],
    [401, {code: 3, message: 'missing scope'}, PermissionError, false],
    [403, {code: 2625, message: 'disapproved'}, PermissionError, false],
    [404, {code: 50, message: 'Pin not found'}, NotFoundError, false],
    [400, {code: 1, message: 'Invalid parameters'}, BadRequestError, false],
    [400, {code: 12, message: 'Something went wrong on our end'}, TransientError, true],
    [400, {code: 1, message: 'Busy. Retry after 2 seconds'}, TransientError, true],
    [503, {code: 4197, message: 'ramped down'}, TransientError, true],
    [429, {code: 8, message: 'exceeded a rate limit'}, RateLimitedError, true],
    [429, {code: 8, message: 'x', message_detail: 'request blocked as spam'}, PermissionError, false],
  ])('%s %j -> typed', (status, body, type, retriable) => {
    const error = classifyOutcome({status, body}, ctx);
    expect(error).toBeInstanceOf(type);
    expect(error.retriable).toBe(retriable);
    expect(error.status).toBe(status);
    expect(error.pinterestCode).toBe(body.code);
    expect(error.endpoint).toBe(ctx.endpoint);
  });

  it('tells a daily cap (far reset) from a throttle (near reset)', () => {
    const daily = classifyOutcome(
      {status: 429, body: {code: 8, message: 'm'}, headers: {'x-ratelimit-reset': '67150'}},
      ctx
    );
    expect(daily).toBeInstanceOf(QuotaExhaustedError);
    expect(daily.retriable).toBe(false);
    expect((daily as QuotaExhaustedError).resumeAt.getTime()).toBe(67_150_000);
    const short = classifyOutcome(
      {status: 429, body: {code: 8, message: 'm'}, headers: {'x-ratelimit-reset': '3'}},
      ctx
    );
    expect(short).toBeInstanceOf(RateLimitedError);
    expect((short as RateLimitedError).retryAfterMs).toBe(3000);
  });

  it('types transport failures as retriable with their reason', () => {
    for (const transport of ['network', 'timeout', 'malformed'] as const) {
      const error = classifyOutcome({transport}, ctx) as TransientError;
      expect(error).toBeInstanceOf(TransientError);
      expect(error.reason).toBe(transport);
      expect(error.retriable).toBe(true);
    }
  });

  it('scrubs token-shaped text out of server messages', () => {
    const error = classifyOutcome(
      {status: 400, body: {code: 1, message: 'bad token pina.abcDEF123 given'}},
      ctx
    );
    expect(error.message).not.toContain('pina.abcDEF123');
  });
});

describe('rate-limit headers', () => {
  it('parses the item format and the bucket names', () => {
    const info = parseRateLimitHeaders({
      'x-ratelimit-limit':
        '1000, 100;w=1;name="safety_net_app_id_user_id", 1000;w=60;name="ads_read_app_id_user_id"',
      'x-ratelimit-remaining': '998',
      'x-ratelimit-reset': '42',
    });
    expect(info?.currentLimit).toBe(1000);
    expect(info?.remaining).toBe(998);
    expect(info?.resetSeconds).toBe(42);
    expect(info?.policies).toEqual([
      {limit: 100, windowSeconds: 1, name: 'safety_net_app_id_user_id', bucket: 'safety_net'},
      {limit: 1000, windowSeconds: 60, name: 'ads_read_app_id_user_id', bucket: 'ads_read'},
    ]);
    expect(
      parseRateLimitHeaders({'x-ratelimit-limit': '800;w=60;name="analytics_get_report_app_id"'})?.policies[0]
        ?.bucket
    ).toBe('analytics_get_report');
    expect(parseRateLimitHeaders({})).toBeUndefined();
  });

  it('reads "Retry after N seconds"', () => {
    expect(retryAfterFromMessage('Reporting query cost limit exceeded. Retry after 1 seconds')).toBe(1000);
    expect(retryAfterFromMessage('nothing here')).toBeUndefined();
  });
});

describe('analytics planning', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const ids = Array.from({length: 600}, (_, i) => String(1_000_000_000_000_000 + i));

  it('reads the last 90 days in one sync range with 250 ids per request', () => {
    const plan = planAnalytics(
      {level: 'ad', adAccountId: '1', ids, startDate: '2025-12-02', endDate: '2026-03-01'},
      now
    );
    expect(plan.reports).toEqual([]);
    expect(plan.sync.map((p) => [p.start, p.end, p.ids.length])).toEqual([
      ['2025-12-02', '2026-03-01', 250],
      ['2025-12-02', '2026-03-01', 250],
      ['2025-12-02', '2026-03-01', 100],
    ]);
  });

  it('sends older dates to 186-day reports with 500 ids, and clamps at 913 days back', () => {
    const plan = planAnalytics(
      {level: 'campaign', adAccountId: '1', ids, startDate: '2020-01-01', endDate: '2026-03-01'},
      now
    );
    expect(plan.clampedStart).toBe('2023-08-31');
    expect(plan.sync).toHaveLength(3);
    const ranges = [...new Set(plan.reports.map((r) => `${r.start}..${r.end}`))];
    expect(ranges[0]).toBe('2023-08-31..2024-03-03');
    expect(ranges.at(-1)?.endsWith('2025-12-01')).toBe(true);
    expect(plan.reports.every((r) => r.ids.length <= 500)).toBe(true);
  });

  it('splits ranges inclusively', () => {
    expect(splitDateRange('2026-01-01', '2026-01-10', 4)).toEqual([
      {start: '2026-01-01', end: '2026-01-04'},
      {start: '2026-01-05', end: '2026-01-08'},
      {start: '2026-01-09', end: '2026-01-10'},
    ]);
    expect(splitDateRange('2026-01-02', '2026-01-01', 4)).toEqual([]);
  });
});

describe('backoff', () => {
  it('doubles per attempt within [50%, 100%] of the ceiling and stays capped', () => {
    const bounds = {...DEFAULT_CLIENT_CONFIG.retry, baseDelayMs: 100, maxDelayMs: 1000};
    expect(backoffDelayMs(1, bounds, () => 0)).toBe(50);
    expect(backoffDelayMs(3, bounds, () => 1)).toBe(400);
    expect(backoffDelayMs(10, bounds, () => 1)).toBe(1000);
  });
});

describe('rate budget', () => {
  function manual() {
    let t = 0;
    const clock = {now: () => t};
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    };
    return {clock, sleep, sleeps, advance: (ms: number) => (t += ms)};
  }

  it('paces a category at its rate once the burst is spent', async () => {
    const m = manual();
    const budget = new RateBudget({
      ...m,
      overrides: {ads_read: {limit: 10, windowSeconds: 1}},
      maxWaitMs: 60_000,
    });
    for (let i = 0; i < 10; i++) await budget.acquire('ads_read');
    expect(m.sleeps).toEqual([]);
    await budget.acquire('ads_read');
    await budget.acquire('ads_read');
    expect(m.clock.now()).toBeCloseTo(200, 5);
  });

  it('waits for the reset when the headers say nothing remains', async () => {
    const m = manual();
    const budget = new RateBudget({...m, maxWaitMs: 60_000});
    await budget.acquire('ads_analytics');
    budget.release('ads_analytics', {
      policies: [
        {limit: 300, windowSeconds: 60, name: 'ads_analytics_app_id_user_id', bucket: 'ads_analytics'},
      ],
      currentLimit: 300,
      remaining: 0,
      resetSeconds: 7,
    });
    await budget.acquire('ads_analytics');
    expect(m.clock.now()).toBeGreaterThanOrEqual(7000);
  });

  it('pauses one category on a daily cap and lets the others go on', async () => {
    const m = manual();
    const budget = new RateBudget({...m, maxWaitMs: 900_000});
    budget.pause('ads_analytics', new Date(67_150_000));
    await expect(budget.acquire('ads_analytics')).rejects.toBeInstanceOf(QuotaExhaustedError);
    await budget.acquire('ads_read');
    expect(m.sleeps).toEqual([]);
    expect(budget.snapshot().ads_analytics.pausedUntil?.getTime()).toBe(67_150_000);
    expect(budget.snapshot().ads_read.pausedUntil).toBeUndefined();
    m.advance(67_150_001);
    await budget.acquire('ads_analytics');
  });
});
