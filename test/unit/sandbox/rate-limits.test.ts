import {harness, Harness} from './helpers';

describe('sandbox rate limits', () => {
  let h: Harness;
  let now = 0;
  beforeEach(async () => {
    now = Date.parse('2026-03-10T05:20:50.000Z');
    // A frozen real clock: windows only move when the test advances the sandbox clock.
    h = await harness({now: () => now, limits: {categories: {ads_read: {perMinute: 3}}}});
  });
  afterEach(() => h.sb.close());

  test('remaining counts down, then 429 code 8 with the real headers; the window resets', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.get('/ad_accounts');
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-remaining') as string);
      expect(res.headers.get('x-ratelimit-limit')).toBe(
        '3, 100;w=1;name="safety_net_app_id_user_id", 3;w=60;name="ads_read_app_id_user_id"'
      );
      expect(res.headers.get('x-pinterest-rid')).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await h.get('/ad_accounts');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('10'); // 05:20:50 -> 05:21:00
    expect(await limited.json()).toEqual({
      code: 8,
      message:
        'This request exceeded a rate limit. This can happen if the client exceeds one\nof the published rate limits within a short time window.',
    });
    // Other categories have their own buckets.
    expect((await h.get('/boards')).status).toBe(200);
    h.sb.control.advanceClock(10);
    expect((await h.get('/ad_accounts')).status).toBe(200);
    const stats = h.sb.control.stats();
    expect(stats.rateLimited).toBe(1);
    expect(stats.requests.byStatus['429']).toBe(1);
    expect(stats.requests.byEndpoint['GET /v5/ad_accounts']).toBe(5);
  });

  test('safety net per second across categories; report polls carry two buckets', async () => {
    h.sb.control.advanceClock(1); // the token refresh of the harness spent one safety-net request
    h.sb.control.setLimits({safetyNetPerSecond: 2});
    expect((await h.get('/boards')).status).toBe(200);
    expect((await h.get('/pins')).status).toBe(200);
    const res = await h.get('/boards');
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ratelimit-reset')).toBe('1');
    h.sb.control.advanceClock(1);
    h.sb.control.setLimits({safetyNetPerSecond: 100});
    const account = h.sb.control.truth('ad_accounts').items[0]?.id as string;
    const poll = await h.get(`/ad_accounts/${account}/reports?token=x`);
    expect(poll.headers.get('x-ratelimit-limit')).toContain(
      '300;w=60;name="ads_analytics_app_id_user_id", 800;w=60;name="analytics_get_report_app_id"'
    );
  });

  test('an exhausted daily cap is 429 code 8 with a reset of hours', async () => {
    h.sb.control.exhaust('ads_analytics');
    const account = h.sb.control.truth('ad_accounts').items[0]?.id as string;
    const res = await h.get(
      `/ad_accounts/${account}/campaigns/analytics?start_date=2026-03-01&end_date=2026-03-02&granularity=DAY&columns=SPEND_IN_DOLLAR&campaign_ids=1`
    );
    expect(res.status).toBe(429);
    expect(((await res.json()) as {code: number}).code).toBe(8);
    expect(res.headers.get('x-ratelimit-reset')).toBe('67150'); // 05:20:50 -> midnight UTC
    expect(res.headers.get('x-ratelimit-limit')).toContain(
      '1000;w=86400;name="ads_analytics_app_id_user_id_daily"'
    );
    expect((await h.get('/ad_accounts')).status).toBe(200);
  });

  test('limits are configurable over HTTP', async () => {
    h.sb.control.advanceClock(60); // the token refresh spent one org_read request of this minute
    const res = await fetch(`${h.sb.controlUrl}/limits`, {
      method: 'POST',
      body: JSON.stringify({categories: {org_read: {perMinute: 1}}}),
    });
    expect(
      ((await res.json()) as {limits: {categories: {org_read: {perMinute: number}}}}).limits.categories
        .org_read.perMinute
    ).toBe(1);
    expect((await h.get('/pins')).status).toBe(200);
    expect((await h.get('/pins')).status).toBe(429);
  });
});
