/**
 * Every product metric the code declares moves in an end-to-end run (issue 10). The service runs in process
 * (runService, as `pinterest-cdc run` does) against the sandbox and the test stack, its registry served by the
 * real /metrics endpoint, which the test scrapes after each phase. The metrics checked are those the registry
 * holds under METRIC_PREFIX (no hand list): each must have moved in some scrape — a counter or histogram counted
 * something, a gauge held a value other than 0.
 *
 * The run goes through what each metric needs: snapshots and an analytics cycle; a record the schema cannot hold
 * (encode error, dead letter) and one Kafka refuses once its topic's limit is lowered (produce error, dead
 * letter); 503s and 429s on one endpoint
 * (retries, rate-limited answers); an empty complete listing (held deletes); analytics reports refused while the
 * backfill needs them (backfill windows left); a spent daily quota (a paused category); then two short runs on
 * the same metrics with a refused refresh token (re-authorisation required) and refused app credentials (client
 * rejected), as a deployment meets them.
 */
import {randomBytes} from 'node:crypto';
import {Registry} from 'prom-client';

import {openPipeline, runService} from '../../../src/app';
import {loadConfig, type AppConfig} from '../../../src/config';
import {METRIC_PREFIX, Metrics, Readiness, startHttpServer, SyncProgress} from '../../../src/observability';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {serviceEnv} from '../helpers/service-env';
import {setMaxMessageBytes} from '../kafka/helpers';

jest.setTimeout(300_000);

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const PINS_TOPIC_LIMIT = 8192;
const DAY_MS = 86_400_000;

/** `name{labels} value` lines of a Prometheus text page: per sample name, the values of its series. */
function samples(page: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of page.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const values = out.get(match[1]!) ?? [];
    values.push(Number(match[3]));
    out.set(match[1]!, values);
  }
  return out;
}

describe('every declared metric moves in an end-to-end run', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 1,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 2,
        boards: 2,
        // 4 pages of 250: a slowed listing is long enough to be scraped while it runs.
        pins: 1000,
      },
    });
  });
  afterAll(() => sandbox?.close());

  it('moves every pinterest_cdc_ metric of the registry, scraped from /metrics', async () => {
    const registry = new Registry();
    const metrics = new Metrics({registry, version: 'test'});
    const server = await startHttpServer({port: 0, registry});
    const moved = new Set<string>();
    const log: string[] = [];
    /** Scrapes /metrics; a sample name with a non-zero value marks its metric as moved. */
    const scrape = async (phase: string) => {
      const page = await (await fetch(`${server.url}/metrics`)).text();
      const now = [...samples(page)]
        .filter(([name, values]) => name.startsWith(METRIC_PREFIX) && values.some((v) => v !== 0))
        .map(([name]) => name.replace(/_(bucket|sum|count)$/, ''));
      const fresh = [...new Set(now)].filter((name) => !moved.has(name));
      for (const name of now) moved.add(name);
      log.push(`${phase}: ${fresh.length > 0 ? fresh.sort().join(', ') : '(nothing new)'}`);
    };

    const prefix = `metrics_${randomBytes(4).toString('hex')}`;
    const env = (extra: Record<string, string> = {}) =>
      serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
        PINTEREST_CDC_ANALYTICS__INTERVAL_SECONDS: '1',
        // Older than the sync endpoint reaches (89 days): the backfill needs async reports.
        PINTEREST_CDC_ANALYTICS__START_DATE: new Date(Date.now() - 100 * DAY_MS).toISOString().slice(0, 10),
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '10',
        ...extra,
      });
    const config = loadConfig({env: env()});

    sandbox.control.applyChanges([
      {kind: 'update', collection: 'campaigns', count: 1, set: {daily_spend_cap: 'twelve dollars'}},
    ]);

    // Two deployments that cannot authenticate first, on the same metrics (fresh prefixes: nothing stored; the
    // spent quota of the last phase would answer their token requests with 429s).
    for (const [phase, extra] of [
      ['a refused refresh token', {PINTEREST_REFRESH_TOKEN: 'pinr.long-retired-token'}],
      ['refused app credentials', {PINTEREST_CLIENT_SECRET: 'not-the-secret'}],
    ] as const) {
      const blocked = startService(
        loadConfig({
          env: {...env(extra), PINTEREST_CDC_TOPIC_PREFIX: `${prefix}_${randomBytes(2).toString('hex')}`},
        }),
        metrics
      );
      try {
        await blocked.cycles(1, {orEnd: true});
        await scrape(phase);
      } finally {
        const ended = await blocked.stop();
        log.push(`  (${phase}: the service ${ended === undefined ? 'stopped' : `ended: ${String(ended)}`})`);
      }
    }

    // Reports refused while the backfill needs them: the analytics unit fails with windows left.
    sandbox.control.setFaults({errorRate: 1, errorStatus: 400, pathPattern: '/reports'});
    const service = startService(config, metrics);
    try {
      await service.cycles(2);
      await scrape('snapshots, analytics with reports refused, a record the schema cannot hold');

      // The pins topic's max.message.bytes is lowered under the running service (as a platform might), and a pin
      // grows past it: the broker refuses the batch (a produce error), the pin is dead-lettered.
      await setMaxMessageBytes(`${prefix}.pins`, PINS_TOPIC_LIMIT);
      sandbox.control.applyChanges([
        {kind: 'update', collection: 'pins', count: 1, set: {description: 'd'.repeat(3 * PINS_TOPIC_LIMIT)}},
      ]);
      await service.cycles(2);
      await scrape('a pin larger than its topic now takes');

      sandbox.control.setFaults({errorRate: 0.5, errorStatus: 503, pathPattern: '^/v5/boards$'});
      await service.cycles(2);
      sandbox.control.setFaults({errorRate: 0.5, errorStatus: 429, pathPattern: '^/v5/boards$'});
      await service.cycles(2);
      await scrape('503s and 429s on /boards');

      // Two cycles: the first complete listing in them holds its deletes (the second may confirm them).
      sandbox.control.setFaults({emptyListingRate: 1, pathPattern: '/campaigns$'});
      await service.cycles(2);
      sandbox.control.clearFaults();
      await service.cycles(2);
      await scrape('an empty /campaigns listing, then no faults (the backfill through reports)');

      // A slow /pins listing, scraped while it runs: its shard synced before, so the remaining records and seconds
      // have an estimate (the gauges read 0 between listings).
      sandbox.control.setFaults({latencyMs: 400, pathPattern: '/pins$'});
      const slowCycle = service.cycles(1);
      for (let i = 0; i < 80 && !moved.has(`${METRIC_PREFIX}sync_progress_remaining_seconds`); i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await scrape('a slow /pins listing, while it runs');
      }
      sandbox.control.clearFaults();
      await slowCycle;

      // A one-off run takes every task by force (as `sync --once` beside a fleet does): the service's next
      // transaction, a change to write, finds its task fenced (it drops the task and takes it back).
      const forced = await openPipeline(config, {logger: silent, version: 'test'});
      try {
        sandbox.control.applyChanges([{kind: 'update', collection: 'campaigns', count: 1}]);
        for (let i = 0; i < 5 && !moved.has(`${METRIC_PREFIX}fenced_tasks_total`); i++) {
          await service.cycles(1);
          await scrape('a one-off run took the tasks by force');
        }
      } finally {
        await forced.close();
      }

      sandbox.control.exhaust('org_read');
      await service.cycles(1);
      await scrape('the org_read daily quota spent');
    } finally {
      expect(await service.stop()).toBeUndefined();
    }
    await server.close();

    const declared = (await registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((name) => name.startsWith(METRIC_PREFIX))
      .sort();
    const still = declared.filter((name) => !moved.has(name));
    process.stderr.write(
      `[metrics] ${declared.length} declared, ${declared.length - still.length} moved; by phase:\n  ${log.join('\n  ')}\n` +
        `[metrics] did not move: ${still.length > 0 ? still.join(', ') : '(none)'}\n`
    );
    expect(declared.length).toBeGreaterThanOrEqual(25);
    expect(still).toEqual([]);
  });
});

/** The service in process with fast cycles; `cycles(n)` waits until n more cycles (failed ones too) have ended. */
function startService(config: AppConfig, metrics: Metrics) {
  const stop = new AbortController();
  let ended = 0;
  const waiters: {at: number; resolve: () => void}[] = [];
  // As `run` does (src/cli/serve.ts): the progress tracker feeds the pinterest_cdc_sync_progress_* gauges.
  const progress = new SyncProgress();
  metrics.trackProgress(() => progress.report());
  const outcome = runService({
    config,
    progress,
    logger: silent,
    metrics,
    readiness: new Readiness(),
    version: 'test',
    signal: stop.signal,
    onCycle: () => {
      ended += 1;
      for (const w of waiters.filter((w) => ended >= w.at)) w.resolve();
    },
  }).catch((error: unknown) => error);
  return {
    /** With `orEnd`, a service that ends (e.g. refused at its start) counts as done too. */
    async cycles(n: number, options: {orEnd?: boolean; timeoutMs?: number} = {}) {
      const timeoutMs = options.timeoutMs ?? 120_000;
      const at = ended + n;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${n} cycles not ended after ${timeoutMs} ms`)),
          timeoutMs
        );
        waiters.push({
          at,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        const failed = (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        };
        void outcome.then((result) => {
          if (options.orEnd) {
            clearTimeout(timer);
            resolve();
          } else if (result !== undefined) failed(result);
        });
      });
    },
    /** Stops the service; returns what it ended with (undefined, or the error it failed with). */
    async stop(): Promise<unknown> {
      stop.abort();
      return outcome;
    },
  };
}
