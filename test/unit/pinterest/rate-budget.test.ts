/**
 * How the rate budget learns from response headers (RateBudget.release -> observe), pinned case by case so the
 * code can be simplified without changing what it does. Pure: a manual clock, no I/O.
 */
import {parseRateLimitHeaders, type RateLimitInfo} from '../../../src/pinterest/rate-limit-headers';
import {RateBudget} from '../../../src/pinterest/rate-budget';
import type {RateCategory} from '../../../src/pinterest/types';

function manual() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    clock: {now: () => t},
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms: number) => (t += ms),
  };
}

const headers = (h: Record<string, string>): RateLimitInfo => parseRateLimitHeaders(h)!;

/** A fresh budget on a manual clock that spent one request of `category` and got `h` as its headers. */
async function answered(
  category: RateCategory,
  h: Record<string, string>,
  overrides?: ConstructorParameters<typeof RateBudget>[0]['overrides']
) {
  const m = manual();
  const budget = new RateBudget({...m, maxWaitMs: 60_000, overrides});
  await budget.acquire(category);
  budget.release(category, headers(h));
  return {m, budget};
}

describe('rate budget: learning from headers', () => {
  it('adopts the shortest window a bucket names, and the server may lower the documented limit', async () => {
    const {m, budget} = await answered('ads_read', {
      'x-ratelimit-limit': '20;w=60;name="ads_read_app_id_user_id", 5000;w=86400;name="ads_read_day"',
    });
    // capacity 20 (not the documented 1000: what was left is cut to it), refilled at 20 per 60 s
    expect(budget.remaining('ads_read')).toBe(20);
    for (let i = 0; i < 20; i++) await budget.acquire('ads_read');
    expect(m.sleeps).toEqual([]);
    await budget.acquire('ads_read');
    expect(m.clock.now()).toBeCloseTo(3000, 5);
  });

  it('never raises a bucket above the operator cap', async () => {
    const {m, budget} = await answered(
      'org_read',
      {'x-ratelimit-limit': '1000;w=60;name="org_read_app_id_user_id"'},
      {org_read: {limit: 10, windowSeconds: 60}}
    );
    expect(budget.remaining('org_read')).toBe(9);
    for (let i = 0; i < 9; i++) await budget.acquire('org_read');
    await budget.acquire('org_read');
    expect(m.clock.now()).toBeCloseTo(6000, 5); // 10 per 60 s
  });

  // Which bucket `remaining` describes: [case, request category, x-ratelimit-limit, remaining, buckets after].
  it.each([
    [
      "the request's own category, when several policies share the leading limit",
      'ads_read',
      '1000, 1000;w=60;name="org_read_x", 1000;w=60;name="ads_read_x"',
      {ads_read: 3, org_read: 1000},
    ],
    [
      'the first policy with the leading limit, when none is the category',
      'ads_read',
      '1000, 1000;w=60;name="org_read_x", 300;w=60;name="ads_analytics_x"',
      {org_read: 3, ads_read: 999},
    ],
    [
      "a lone policy's bucket",
      'ads_read',
      '300;w=60;name="ads_analytics_x"',
      {ads_analytics: 3, ads_read: 999},
    ],
    ["the request's category, without policies", 'org_read', undefined, {org_read: 3}],
    [
      "the request's category, when several policies name other limits",
      'ads_read',
      '1000;w=60;name="org_read_x", 300;w=60;name="ads_analytics_x"',
      {ads_read: 3, org_read: 1000},
    ],
  ] as const)('puts `remaining` on %s', async (_case, category, limit, expected) => {
    const h: Record<string, string> = {'x-ratelimit-remaining': '3'};
    if (limit !== undefined) h['x-ratelimit-limit'] = limit;
    const {budget} = await answered(category, h);
    for (const [bucket, remaining] of Object.entries(expected)) {
      expect(budget.remaining(bucket as RateCategory)).toBe(remaining);
    }
  });

  it('counts requests still in flight against `remaining`, and blocks until the reset when none are left', async () => {
    const m = manual();
    const budget = new RateBudget({...m, maxWaitMs: 60_000});
    await budget.acquire('ads_read');
    await budget.acquire('ads_read'); // in flight while the first answer arrives
    budget.release('ads_read', headers({'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '9'}));
    // 1 remaining on the server, 1 of ours not yet counted there: nothing left, wait for the reset.
    expect(budget.remaining('ads_read')).toBe(0);
    await budget.acquire('ads_read');
    expect(m.clock.now()).toBeGreaterThanOrEqual(9000);
  });

  it('ignores a reset while something remains, and headers without a window for the limits', async () => {
    const {m, budget} = await answered('ads_read', {
      'x-ratelimit-limit': '5;name="ads_read_x"',
      'x-ratelimit-remaining': '50',
      'x-ratelimit-reset': '30',
    });
    expect(budget.remaining('ads_read')).toBe(50);
    await budget.acquire('ads_read');
    expect(m.sleeps).toEqual([]);
  });
});

describe('rate budget: a fleet member plans for its share', () => {
  it('refills and bursts at its share of the limit, and counts on its share of the shared remainder', async () => {
    const m = manual();
    const budget = new RateBudget({
      ...m,
      maxWaitMs: 600_000,
      overrides: {ads_read: {limit: 60, windowSeconds: 60}},
    });
    budget.setShare(1 / 3);
    expect(budget.remaining('ads_read')).toBe(20);
    for (let i = 0; i < 20; i++) await budget.acquire('ads_read');
    expect(m.sleeps).toEqual([]);
    // The 21st waits for its share of the refill: 20 per minute = 3 s a request.
    await budget.acquire('ads_read');
    expect(m.clock.now()).toBe(3000);
    for (let i = 0; i < 21; i++) budget.release('ads_read', undefined);
    // The server says 30 are left for the user and app: a third of them is this instance's.
    m.advance(60_000);
    budget.release('ads_read', headers({'x-ratelimit-remaining': '30', 'x-ratelimit-reset': '20'}));
    expect(budget.remaining('ads_read')).toBe(10);
    expect(() => budget.setShare(0)).toThrow(RangeError);
  });
});
