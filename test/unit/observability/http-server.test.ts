import {Registry} from 'prom-client';

import {Metrics, Readiness, startHttpServer, type RunningHttpServer} from '../../../src/observability';

describe('startHttpServer', () => {
  let server: RunningHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /metrics, /healthz and /readyz on 127.0.0.1 by default', async () => {
    const registry = new Registry();
    const metrics = new Metrics({registry, version: '9.9.9', defaultMetrics: false});
    metrics.changeEvents.inc({collection: 'campaigns', op: 'c'}, 3);
    const readiness = new Readiness({state: 'not restored', producer: 'not connected'});
    server = await startHttpServer({port: 0, registry, health: readiness});
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toBe(registry.contentType);
    const text = await scrape.text();
    expect(text).toContain('pinterest_cdc_change_events_total{collection="campaigns",op="c"} 3');
    expect(text).toContain('pinterest_cdc_build_info{version="9.9.9"');

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not ready',
      reasons: ['state: not restored', 'producer: not connected'],
      notes: [],
    });

    readiness.satisfy('state');
    readiness.satisfy('producer');
    readiness.addNotes(() => ['ads_analytics paused by a daily cap until 2025-01-02T00:00:00.000Z']);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      reasons: [],
      notes: ['ads_analytics paused by a daily cap until 2025-01-02T00:00:00.000Z'],
    });

    readiness.block('shutdown', 'shutting down');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, {method: 'POST'})).status).toBe(405);
  });

  it('closes and frees the port', async () => {
    const registry = new Registry();
    const first = await startHttpServer({port: 0, registry});
    await first.close();
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();
    server = await startHttpServer({port: first.port, registry, host: '127.0.0.1'});
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('fails to start on a taken port', async () => {
    const registry = new Registry();
    server = await startHttpServer({port: 0, registry});
    await expect(startHttpServer({port: server.port, registry})).rejects.toThrow(/EADDRINUSE/);
  });
});
