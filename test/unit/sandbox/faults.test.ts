import {harness, Harness} from './helpers';

describe('sandbox faults', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.sb.close());

  test('5xx at a rate, deterministic for a seed, restricted to a path pattern', async () => {
    h.sb.control.setFaults({errorRate: 0.5, pathPattern: '^/v5/pins'});
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await h.get('/pins')).status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(3);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect((await h.get('/boards')).status).toBe(200);
    const res = await h.get('/pins');
    if (res.status === 503) expect(await res.json()).toEqual({code: 503, message: expect.any(String)});
    const again = await harness();
    again.sb.control.setFaults({errorRate: 0.5, pathPattern: '^/v5/pins'});
    const replay: number[] = [];
    for (let i = 0; i < 20; i++) replay.push((await again.get('/pins')).status);
    await again.sb.close();
    expect(replay).toEqual(statuses);
  });

  test('errorStatus and latency', async () => {
    h.sb.control.setFaults({errorRate: 1, errorStatus: 502});
    expect((await h.get('/boards')).status).toBe(502);
    h.sb.control.clearFaults();
    h.sb.control.setFaults({latencyMs: 150});
    const t0 = Date.now();
    expect((await h.get('/boards')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  test('connection reset and timeout (the socket is held)', async () => {
    h.sb.control.setFaults({resetRate: 1});
    await expect(h.get('/boards')).rejects.toThrow();
    h.sb.control.setFaults({timeoutRate: 1});
    await expect(h.get('/boards', {signal: AbortSignal.timeout(300)})).rejects.toThrow(/abort|timeout/i);
    const stats = h.sb.control.stats().requests.byStatus;
    expect(stats.reset).toBe(1);
    expect(stats.timeout).toBe(1);
  });

  test('malformed JSON and truncated bodies come with status 200', async () => {
    h.sb.control.setFaults({malformedRate: 1});
    const bad = await h.get('/boards');
    expect(bad.status).toBe(200);
    await expect(bad.json()).rejects.toThrow(/JSON/);
    h.sb.control.setFaults({truncatedRate: 1});
    const cut = await h.get('/boards');
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
  });

  test('analytics cost limit 429 code 2726; faults over HTTP and DELETE', async () => {
    const account = h.sb.control.truth('ad_accounts').items[0]?.id as string;
    await fetch(`${h.sb.controlUrl}/faults`, {method: 'POST', body: JSON.stringify({costLimitRate: 1})});
    const res = await h.get(
      `/ad_accounts/${account}/campaigns/analytics?start_date=2026-03-01&end_date=2026-03-02&granularity=DAY&columns=SPEND_IN_DOLLAR&campaign_ids=1`
    );
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      code: 2726,
      message: 'Reporting query cost limit exceeded. Retry after 1 seconds',
    });
    expect((await h.get('/boards')).status).toBe(200);
    await fetch(`${h.sb.controlUrl}/faults`, {method: 'DELETE'});
    expect(
      (
        await h.get(
          `/ad_accounts/${account}/campaigns/analytics?start_date=2026-03-01&end_date=2026-03-02&granularity=DAY&columns=SPEND_IN_DOLLAR&campaign_ids=1`
        )
      ).status
    ).toBe(200);
  });

  test('emptyListingRate: a list answers 200 {items: []} without a bookmark; other routes are untouched', async () => {
    h.sb.control.setFaults({emptyListingRate: 1, pathPattern: '^/v5/pins'});
    const res = await h.get('/pins?page_size=10');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({items: []});
    const pin = h.sb.control.truth('pins').items[0]?.id as string;
    expect((await h.json(`/pins/${pin}`)).body).toMatchObject({id: pin});
    expect((await h.json<{items: unknown[]}>('/boards')).body.items.length).toBeGreaterThan(0);
    // It counts as a normal 200 that spent budget.
    expect(h.sb.control.stats().requests.byEndpoint['GET /v5/pins']).toBe(1);
    h.sb.control.clearFaults();
    expect((await h.json<{items: unknown[]}>('/pins')).body.items.length).toBeGreaterThan(0);
  });
});
