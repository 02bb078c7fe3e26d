/**
 * Analytics cycles of a 100,000-ad account under the documented ads_analytics budget (300/min, the sandbox's
 * default limit).
 *   node --expose-gc -r @swc-node/register bench/analytics.ts [--ads 100000] [--cycles 10]
 * The sandbox runs as a child process (`pinterest-cdc sandbox`), so its CPU is not this process's. Every ad, ad
 * group and campaign is set ACTIVE through the control API, then the sandbox clock moves 31 days on: the 30-day
 * window is full of rows and every ad can have rows in it (the sandbox's own data pauses and archives most of
 * them). One cycle = runAnalyticsShard for ad_analytics and campaign_analytics (the defaults); the sandbox clock
 * moves one day between cycles, so the window moves, a day settles and figures restate. Kafka is replaced by a
 * sink that counts: the bench measures requests, pacing and state, not the writer.
 * Table 1: requests per cycle beside the minimum the API allows: ceil(entities with at least one row in the
 *          window / 250) per collection, one 30-day range each (target ratio 1.00).
 * Table 2: cycle time on the sandbox clock beside the time the budget implies (requests / 5 per second) and beside
 *          a bare read of the same requests (same concurrency, nothing but the HTTP call and JSON parse), and the
 *          429s drawn (target: measured / max(implied, bare) <= 1.1, no 429).
 * Table 3: the analytics state across the cycles: rows, bytes of the row table, bytes per row, V8 heap after a GC
 *          (flat once the window is full).
 */
import {cpus, loadavg} from 'node:os';

import {orderedPrefetch, runAnalyticsShard, type EntityLifetime} from '../src/analytics';
import {entityLifetimes} from '../src/app/analytics-unit';
import {COLLECTIONS, CollectionRegistry} from '../src/collections';
import {MemoryTokenStore, PinterestClient, resolveClientConfig, type AnalyticsPart} from '../src/pinterest';
import {addDays, chunk, todayUtc} from '../src/pinterest/dates';
import {TRUTH_COLUMNS} from '../src/sandbox';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog} from '../src/serde';
import {StateStore} from '../src/state';
import {startSandboxChild} from './sandbox-child';
import {reportTarget} from './targets';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const ADS = arg('ads', 100_000);
const CYCLES = arg('cycles', 10);
const WINDOW_DAYS = 30;
const CONCURRENCY = 8;
// notes/pinterest-api.md §7: ads_analytics 300 requests/min (Standard access); §3: 250 ids per request.
const BUDGET_PER_SECOND = 300 / 60;
const IDS_PER_REQUEST = 250;
// The sandbox's ground-truth columns: every one of them has figures.
const COLUMNS = TRUTH_COLUMNS;
const RUN = ['ad_analytics', 'campaign_analytics'];

interface Stats {
  requests: {byEndpoint: Record<string, number>; byCategory: Record<string, number>};
  rateLimited: number;
}

async function main(): Promise<void> {
  const campaigns = Math.max(1, Math.round(ADS / 1000));
  const sandbox = await startSandboxChild({
    adAccounts: 1,
    campaignsPerAccount: campaigns,
    adGroupsPerCampaign: 10,
    adsPerAdGroup: 100,
    boards: 1,
    pins: 1,
  });
  // Listing and set-up are not what is measured: lift every limit but ads_analytics.
  await sandbox.control('POST', '/limits', {
    categories: {ads_read: {perMinute: 1e9}, org_read: {perMinute: 1e9}},
    safetyNetPerSecond: 1e9,
  });
  let offsetMs = 0;
  const syncClock = async () => {
    const {now} = (await sandbox.control('GET', '/clock')) as {now: string};
    offsetMs = Date.parse(now) - Date.now();
  };
  const sandboxNow = () => Date.now() + offsetMs;
  // The sandbox rotates the refresh token: both clients share one store.
  const tokenStore = new MemoryTokenStore();
  const newClient = () =>
    new PinterestClient({
      config: resolveClientConfig({
        apiBaseUrl: sandbox.baseUrl,
        clientId: '1500000',
        clientSecret: 'sandbox-client-secret',
        refreshToken: 'pinr.sandbox-initial-refresh-token',
        maxConcurrency: CONCURRENCY,
      }),
      tokenStore,
      clock: {now: sandboxNow},
    });
  const client = newClient();
  // The baseline's reads go through a client of their own (own budget), with the limit lifted.
  const bareClient = newClient();
  const accounts = (await sandbox.control('GET', '/truth/ad_accounts')) as {items: {id: string}[]};
  const adAccountId = accounts.items[0]!.id;

  // Every entity running, from 31 days before the first cycle on.
  for (const collection of ['campaigns', 'ad_groups', 'ads']) {
    const {items} = (await sandbox.control('GET', `/truth/${collection}?ad_account_id=${adAccountId}`)) as {
      items: {id: string}[];
    };
    for (const ids of chunk(
      items.map((i) => i.id),
      20_000
    )) {
      await sandbox.control('POST', '/changes', {
        changes: [{kind: 'update', collection, ids, set: {status: 'ACTIVE'}, adAccountId}],
      });
    }
  }
  await sandbox.control('POST', '/clock', {advanceSeconds: 31 * 86_400});
  await syncClock();

  const listed = new Map<string, readonly EntityLifetime[]>();
  const lister = entityLifetimes(new StateStore(), client);
  for (const c of ['ads', 'ad_groups', 'campaigns']) listed.set(c, await lister.entities(c, adAccountId));
  const registry = new CollectionRegistry();
  const catalog = new SchemaCatalog({collections: COLLECTIONS});
  const ids = new Map(COLLECTIONS.map((c, i) => [c.name, {keyId: 2 * i + 1, valueId: 2 * i + 2}]));
  const encoder = new InlineBatchEncoder(new EventSerializer(catalog, ids));
  const state = new StateStore();
  let messages = 0;
  const startDate = addDays(todayUtc(sandboxNow()), -(WINDOW_DAYS - 1));

  const requestsRows: string[] = [];
  const timeRows: string[] = [];
  const memoryRows: string[] = [];
  let worstRequestRatio = 0;
  let worstTimeRatio = 0;
  let drawn = 0;
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    // A day later (the window moves), and every rate window of the sandbox and the client is fresh: each cycle
    // starts on a full budget, as hourly cycles would.
    if (cycle > 1) {
      await sandbox.control('POST', '/clock', {advanceSeconds: 86_400});
      await syncClock();
    }
    await sandbox.control('POST', '/stats/reset');
    const parts: AnalyticsPart[] = [];
    const entities = new Map(RUN.map((c) => [c, new Set<string>()]));
    const started = sandboxNow();
    const cpuBefore = process.cpuUsage();
    const results = await runAnalyticsShard(
      {
        adAccountId,
        collections: RUN.map((n) => registry.get(n)),
        state,
        settings: {
          startDate,
          restatementDays: WINDOW_DAYS,
          columns: COLUMNS,
          attribution: {
            clickWindowDays: 30,
            engagementWindowDays: 30,
            viewWindowDays: 1,
            conversionReportTime: 'TIME_OF_AD_ACTION',
          },
        },
        connectorName: 'bench',
        version: 'bench',
        syncId: `cycle-${cycle}`,
      },
      {
        encoder,
        sink: {writeBatch: async (batch) => void (messages += batch.length)},
        topics: {events: (c) => `b.${c}`, state: 'b.state', deadLetters: 'b.dlq'},
        maxEventsPerTransaction: 1000,
        logger: {debug() {}, info() {}, warn() {}, error() {}},
        now: sandboxNow,
        rows: {
          read: async (part) => {
            parts.push(part);
            const answer = await client.analyticsPart(part);
            const seen = entities.get(part.level === 'ad' ? 'ad_analytics' : 'campaign_analytics');
            for (const row of answer.rows) seen?.add(row.entityId);
            return answer;
          },
        },
        entities: {entities: async (c) => listed.get(c) ?? []},
        concurrency: CONCURRENCY,
      }
    );
    const seconds = (sandboxNow() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const stats = (await sandbox.control('GET', '/stats')) as Stats;
    drawn += stats.rateLimited;
    const made = RUN.map((c) => parts.filter((p) => (p.level === 'ad') === (c === 'ad_analytics')).length);
    const minimum = RUN.map((c) => Math.ceil(entities.get(c)!.size / IDS_PER_REQUEST));
    const min = minimum.reduce((a, b) => a + b, 0);
    const analyticsRequests = stats.requests.byCategory.ads_analytics ?? 0;
    worstRequestRatio = Math.max(worstRequestRatio, analyticsRequests / min);
    const byOp = {r: 0, c: 0, u: 0, d: 0};
    for (const r of results) for (const op of ['r', 'c', 'u', 'd'] as const) byOp[op] += r.events[op];
    const events = byOp.r + byOp.c + byOp.u + byOp.d;
    requestsRows.push(
      `| ${cycle} | ${made[0]} / ${minimum[0]} | ${made[1]} / ${minimum[1]} | ${analyticsRequests} | ${min} | ` +
        `${(analyticsRequests / min).toFixed(2)} | ${byOp.r} / ${byOp.c} / ${byOp.u} / ${byOp.d} |`
    );

    // Baseline in the same cycle: the same requests, bare (no diff, no state, no encoding) and unthrottled: how
    // fast the sandbox answers them.
    await sandbox.control('POST', '/limits', {categories: {ads_analytics: {perMinute: 1e9}}});
    const bareStarted = sandboxNow();
    for await (const _ of orderedPrefetch(
      parts.map((p) => () => bareClient.analyticsPart(p)),
      CONCURRENCY
    )) {
      // only the reads count
    }
    const bare = (sandboxNow() - bareStarted) / 1000;
    await sandbox.control('POST', '/limits', {categories: {ads_analytics: {perMinute: 300}}});
    const implied = analyticsRequests / BUDGET_PER_SECOND;
    const bound = Math.max(implied, bare);
    worstTimeRatio = Math.max(worstTimeRatio, seconds / bound);
    timeRows.push(
      `| ${cycle} | ${analyticsRequests} | ${seconds.toFixed(1)} | ${cpuSeconds.toFixed(1)} | ${implied.toFixed(1)} | ` +
        `${bare.toFixed(1)} | ${(seconds / bound).toFixed(2)} | ${stats.rateLimited} |`
    );
    global.gc?.();
    const table = state.analytics('ad_analytics', adAccountId).rows;
    const heap = process.memoryUsage().heapUsed;
    memoryRows.push(
      `| ${cycle} | ${table.size} | ${(table.bytes() / 2 ** 20).toFixed(1)} | ` +
        `${(table.bytes() / Math.max(1, table.size)).toFixed(0)} | ${(heap / 2 ** 20).toFixed(0)} |`
    );
    process.stderr.write(
      `cycle ${cycle}: ${analyticsRequests} requests, ${seconds.toFixed(1)} s, ${events} events\n`
    );
  }

  console.log(
    `\nanalytics bench: 1 ad account, ${ADS} ads (all ACTIVE), ${campaigns} campaigns; ${WINDOW_DAYS}-day window, ` +
      `${CYCLES} cycles a day apart; ads_analytics 300/min; ${CONCURRENCY} requests in flight; load average ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores`
  );
  console.log('\nTable 1: ads_analytics requests per cycle (made / minimum)');
  console.log(
    '| cycle | ad_analytics | campaign_analytics | total | minimum | ratio | events r / c / u / d |'
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const row of requestsRows) console.log(row);
  console.log(`\nTable 2: cycle time under ads_analytics 300/min (seconds)`);
  console.log(
    '| cycle | requests | measured | CPU of this process | budget-implied | bare read | measured / max(implied, bare) | 429s |'
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of timeRows) console.log(row);
  console.log('\nTable 3: ad_analytics state (rows of the window)');
  console.log('| cycle | rows | table MiB | bytes/row | heap used MiB |');
  console.log('|---|---|---|---|---|');
  for (const row of memoryRows) console.log(row);
  console.log(
    `\nworst request ratio ${worstRequestRatio.toFixed(2)} (target 1.00); worst time ratio ` +
      `${worstTimeRatio.toFixed(2)} (target <= 1.1); 429s drawn ${drawn} (target 0); ${messages} Kafka messages counted`
  );
  if (!global.gc) console.log('(run with node --expose-gc for the heap column)');
  const sizes = `${ADS} ads, ${CYCLES} cycles`;
  reportTarget({
    id: 'analytics.requests-per-cycle',
    label: 'analytics requests per cycle / minimum (worst cycle)',
    value: worstRequestRatio,
    op: '<=',
    limit: 1,
    detail: sizes,
  });
  reportTarget({
    id: 'analytics.time-under-budget',
    label: 'analytics cycle time / max(budget-implied, bare read) (worst cycle)',
    value: worstTimeRatio,
    op: '<=',
    limit: 1.1,
    detail: sizes,
  });
  reportTarget({
    id: 'analytics.rate-limited',
    label: 'analytics 429s drawn',
    value: drawn,
    op: '<=',
    limit: 0,
    detail: sizes,
  });
  await sandbox.stop();
  if (worstRequestRatio > 1 || worstTimeRatio > 1.1 || drawn > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
