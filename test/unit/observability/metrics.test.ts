import {Registry} from 'prom-client';

import {endpointTemplate, Metrics, statusClass} from '../../../src/observability';

async function series(registry: Registry, name: string) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric.values as {value: number; labels: Record<string, string | number>; metricName?: string}[];
}

const REQUIRED = [
  'pinterest_cdc_deletes_held_total',
  'pinterest_cdc_build_info',
  'pinterest_cdc_api_requests_total',
  'pinterest_cdc_api_request_duration_seconds',
  'pinterest_cdc_api_retries_total',
  'pinterest_cdc_api_rate_limited_total',
  'pinterest_cdc_api_budget_remaining',
  'pinterest_cdc_api_category_paused',
  'pinterest_cdc_oauth_token_refreshes_total',
  'pinterest_cdc_oauth_reauthorization_required',
  'pinterest_cdc_oauth_client_rejected',
  'pinterest_cdc_records_fetched_total',
  'pinterest_cdc_change_events_total',
  'pinterest_cdc_snapshot_duration_seconds',
  'pinterest_cdc_tracked_entities',
  'pinterest_cdc_analytics_windows_total',
  'pinterest_cdc_analytics_watermark_timestamp_seconds',
  'pinterest_cdc_backfill_windows_remaining',
  'pinterest_cdc_kafka_messages_produced_total',
  'pinterest_cdc_kafka_produced_bytes_total',
  'pinterest_cdc_kafka_produce_duration_seconds',
  'pinterest_cdc_kafka_produce_errors_total',
  'pinterest_cdc_schema_registry_requests_total',
  'pinterest_cdc_avro_encode_errors_total',
  'pinterest_cdc_dead_letters_total',
  'pinterest_cdc_state_checkpoints_total',
  'pinterest_cdc_last_checkpoint_timestamp_seconds',
  'pinterest_cdc_cycle_duration_seconds',
  'pinterest_cdc_last_successful_cycle_timestamp_seconds',
];

describe('Metrics', () => {
  it('defines every product metric with a valid name and unit suffix, plus unprefixed default metrics', async () => {
    const registry = new Registry();
    new Metrics({registry, version: '0.1.0', commit: 'abc'});
    const all = await registry.getMetricsAsJSON();
    const ours = all.filter((m) => m.name.startsWith('pinterest_cdc_'));
    expect(ours.map((m) => m.name).sort()).toEqual([...REQUIRED].sort());
    for (const m of ours) {
      expect(m.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      if (String(m.type) === 'counter') expect(m.name).toMatch(/_total$/);
      else expect(m.name).not.toMatch(/_total$/);
      if (String(m.type) === 'histogram') expect(m.name).toMatch(/_seconds$/);
      expect(m.name).not.toMatch(/_ms$|_milliseconds/);
      expect(m.help.length).toBeGreaterThan(10);
    }
    expect(all.some((m) => m.name === 'process_cpu_seconds_total')).toBe(true);
    expect(all.some((m) => m.name.startsWith('nodejs_'))).toBe(true);
    expect(await series(registry, 'pinterest_cdc_build_info')).toEqual([
      {value: 1, labels: {version: '0.1.0', commit: 'abc', node_version: process.version}},
    ]);
  });

  it('uses its own registry, so two instances never clash', () => {
    expect(() => {
      new Metrics({registry: new Registry(), version: '1', defaultMetrics: false});
      new Metrics({registry: new Registry(), version: '1', defaultMetrics: false});
    }).not.toThrow();
  });

  it('maps client events to metrics with bounded labels: templates, no ids', async () => {
    const registry = new Registry();
    const metrics = new Metrics({registry, version: '1', defaultMetrics: false});
    const hooks = metrics.pinterestHooks();
    const base = {
      method: 'get',
      category: 'ads_read' as const,
      durationSeconds: 0.3,
      budgetRemaining: 900,
      retry: false,
    };
    hooks.onRequest?.({
      ...base,
      endpoint: '/ad_accounts/{ad_account_id}/campaigns',
      statusClass: '2xx',
      status: 200,
    });
    hooks.onRequest?.({
      ...base,
      endpoint: '/ad_accounts/549755885175/campaigns?bookmark=abc',
      statusClass: '2xx',
      status: 200,
    });
    hooks.onRequest?.({
      ...base,
      endpoint: 'https://api.pinterest.com/v5/pins/1234567890123456789',
      statusClass: '4xx',
      status: 429,
    });
    hooks.onRetry?.({
      endpoint: '/pins/{pin_id}',
      method: 'GET',
      category: 'ads_read',
      reason: 'rate_limited',
      attempt: 2,
      delaySeconds: 1,
    });
    hooks.onTokenRefresh?.({outcome: 'success', durationSeconds: 0.1});

    const requests = await series(registry, 'pinterest_cdc_api_requests_total');
    const endpoints = new Set(requests.map((s) => s.labels.endpoint));
    expect(endpoints).toEqual(
      new Set(['/ad_accounts/{ad_account_id}/campaigns', '/ad_accounts/{id}/campaigns', '/v5/pins/{id}'])
    );
    for (const s of requests) expect(String(s.labels.endpoint)).not.toMatch(/\d{5,}|\?|bookmark/);
    expect(requests.find((s) => s.labels.status_class === '429')?.value).toBe(1);
    expect(requests.every((s) => s.labels.method === 'GET')).toBe(true);
    expect((await series(registry, 'pinterest_cdc_api_rate_limited_total'))[0]?.labels).toEqual({
      connection: 'default',
      endpoint: '/v5/pins/{id}',
    });
    expect((await series(registry, 'pinterest_cdc_api_retries_total'))[0]).toMatchObject({
      value: 1,
      labels: {endpoint: '/pins/{pin_id}', reason: 'rate_limited'},
    });
    expect((await series(registry, 'pinterest_cdc_api_budget_remaining'))[0]).toMatchObject({
      value: 900,
      labels: {category: 'ads_read'},
    });
    expect((await series(registry, 'pinterest_cdc_oauth_token_refreshes_total'))[0]).toMatchObject({
      value: 1,
      labels: {outcome: 'success'},
    });
  });

  it('caps the number of distinct endpoints', async () => {
    const registry = new Registry();
    const metrics = new Metrics({registry, version: '1', defaultMetrics: false});
    const hooks = metrics.pinterestHooks();
    for (let i = 0; i < 150; i++) {
      hooks.onRequest?.({
        endpoint: `/route_${i}/x`,
        method: 'GET',
        statusClass: '2xx',
        status: 200,
        category: 'org_read',
        durationSeconds: 0.1,
        budgetRemaining: 1,
        retry: false,
      });
    }
    const endpoints = new Set(
      (await series(registry, 'pinterest_cdc_api_requests_total')).map((s) => s.labels.endpoint)
    );
    expect(endpoints.size).toBe(101);
    expect(endpoints.has('other')).toBe(true);
  });

  it('shows a daily-cap pause until it ends, from events and from the client budget', async () => {
    let now = Date.parse('2025-01-01T00:00:00Z');
    const registry = new Registry();
    const metrics = new Metrics({registry, version: '1', defaultMetrics: false, now: () => now});
    metrics
      .pinterestHooks()
      .onRateLimited?.({category: 'ads_analytics', kind: 'daily_cap', resumeAt: new Date(now + 60_000)});
    const paused = async () =>
      Object.fromEntries(
        (await series(registry, 'pinterest_cdc_api_category_paused')).map((s) => [s.labels.category, s.value])
      );
    expect(await paused()).toMatchObject({ads_analytics: 1, ads_read: 0});
    expect(metrics.pausedCategories()).toEqual([
      {connection: 'default', category: 'ads_analytics', until: new Date(now + 60_000)},
    ]);
    now += 61_000;
    expect(await paused()).toMatchObject({ads_analytics: 0});

    metrics.trackBudget(() => ({
      org_read: {remaining: 7, pausedUntil: new Date(now + 1000)},
      ads_read: {remaining: 50},
    }));
    expect(await paused()).toMatchObject({org_read: 1, ads_analytics: 0});
    const budget = Object.fromEntries(
      (await series(registry, 'pinterest_cdc_api_budget_remaining')).map((s) => [s.labels.category, s.value])
    );
    expect(budget).toMatchObject({org_read: 7, ads_read: 50});
  });

  it('says while re-authorisation is required or the client is rejected, and when it is over', async () => {
    const registry = new Registry();
    const metrics = new Metrics({registry, version: '1', defaultMetrics: false});
    const gauges = async () => ({
      reauthorization: (await series(registry, 'pinterest_cdc_oauth_reauthorization_required'))[0]?.value,
      client: (await series(registry, 'pinterest_cdc_oauth_client_rejected'))[0]?.value,
    });
    expect(metrics.authorizationProblem()).toBeUndefined();
    const hooks = metrics.pinterestHooks();
    expect(await gauges()).toEqual({reauthorization: 0, client: 0});
    hooks.onAuthorization?.({
      state: 'reauthorization_required',
      message: 'Pinterest refused ...: re-authenticate',
    });
    expect(await gauges()).toEqual({reauthorization: 1, client: 0});
    expect(metrics.authorizationProblem()).toMatch(/re-authenticate/);
    hooks.onAuthorization?.({state: 'client_rejected', message: 'invalid client'});
    expect(await gauges()).toEqual({reauthorization: 0, client: 1});
    hooks.onAuthorization?.({state: 'ok'});
    expect(await gauges()).toEqual({reauthorization: 0, client: 0});
    expect(metrics.authorizationProblem()).toBeUndefined();
  });

  it('keeps each connection apart: its own authorisation state, pauses and budget, labelled by name', async () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    const registry = new Registry();
    const metrics = new Metrics({registry, version: '1', defaultMetrics: false, now: () => now});
    const a = metrics.pinterestHooks('agency-a');
    metrics.pinterestHooks('agency-b');
    metrics.trackBudget(() => ({ads_read: {remaining: 11}}), 'agency-a');
    metrics.trackBudget(() => ({ads_read: {remaining: 22}}), 'agency-b');
    a.onAuthorization?.({state: 'reauthorization_required', message: 're-authenticate'});
    a.onRateLimited?.({category: 'ads_read', kind: 'daily_cap', resumeAt: new Date(now + 60_000)});
    const byConnection = async (name: string) =>
      Object.fromEntries(
        (await series(registry, name)).map((s) => [
          `${s.labels.connection}/${s.labels.category ?? ''}`,
          s.value,
        ])
      );
    expect(await byConnection('pinterest_cdc_oauth_reauthorization_required')).toEqual({
      'agency-a/': 1,
      'agency-b/': 0,
    });
    expect(await byConnection('pinterest_cdc_api_budget_remaining')).toEqual({
      'agency-a/ads_read': 11,
      'agency-b/ads_read': 22,
    });
    expect(await byConnection('pinterest_cdc_api_category_paused')).toMatchObject({
      'agency-a/ads_read': 1,
      'agency-b/ads_read': 0,
    });
    expect(metrics.authorizationProblems()).toEqual([{connection: 'agency-a', problem: 're-authenticate'}]);
    expect(metrics.authorizationProblem()).toBe('agency-a: re-authenticate');
  });

  it('normalises endpoints and status classes', () => {
    expect(endpointTemplate('/boards/{board_id}/pins')).toBe('/boards/{board_id}/pins');
    expect(endpointTemplate('/ad_accounts/123/ads/analytics?ad_ids=1,2')).toBe(
      '/ad_accounts/{id}/ads/analytics'
    );
    expect(endpointTemplate('/pins/AbCdEfGhIjKlMnOpQrStUvWxYz')).toBe('/pins/{id}');
    expect(statusClass(503)).toBe('5xx');
    expect(statusClass(429)).toBe('429');
    expect(statusClass(undefined, 'timeout')).toBe('timeout');
    expect(statusClass(undefined, 'weird-value')).toBe('error');
  });
});
