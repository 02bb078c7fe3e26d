/**
 * Pinterest client benchmark against the in-process sandbox.
 *   node -r @swc-node/register bench/pinterest-requests.ts [--quick]
 * Table 1: requests per endpoint for a full read (entities + 90 days of ad and campaign analytics) beside the
 *          minimum the API allows (list pages of 250; analytics 250 ids per request over the longest range).
 * Table 2: the same entity read under a tight ads_read budget on a 10x sandbox clock: elapsed time beside the
 *          time the budget implies (requests / rate), and the 429s drawn.
 */
import {startSandbox, type RunningSandbox} from '../src/sandbox';
import {
  MemoryTokenStore,
  PinterestClient,
  resolveClientConfig,
  type PinterestClientConfig,
} from '../src/pinterest';
import {reportTarget} from './targets';

const quick = process.argv.includes('--quick');
const SCALE = quick
  ? {adAccounts: 3, campaignsPerAccount: 67, adGroupsPerCampaign: 10, adsPerAdGroup: 5, analyticsDays: 90}
  : {adAccounts: 3, campaignsPerAccount: 667, adGroupsPerCampaign: 10, adsPerAdGroup: 5, analyticsDays: 90};
const STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DRAFT', 'DELETED_DRAFT'];
// notes/pinterest-api.md §1 and §3: 250 per page, 250 ids per analytics request.
const PAGE = 250;
const SPEED = 10;

function fastTime(speed: number) {
  const t0 = Date.now();
  return {
    clock: {now: () => t0 + (Date.now() - t0) * speed},
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms / speed))),
  };
}

function makeClient(
  sandbox: RunningSandbox,
  time: ReturnType<typeof fastTime>,
  config: Partial<PinterestClientConfig> = {}
) {
  return new PinterestClient({
    config: resolveClientConfig({
      ...sandbox.credentials,
      apiBaseUrl: sandbox.baseUrl,
      maxConcurrency: 8,
      ...config,
    }),
    tokenStore: new MemoryTokenStore(),
    clock: time.clock,
    sleep: time.sleep,
  });
}

async function ids(client: PinterestClient, path: string, accountId?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const page of client.paginate<{id: string}>({
    path,
    pathParams: accountId ? {ad_account_id: accountId} : undefined,
    query: accountId ? {entity_statuses: STATUSES} : undefined,
    category: 'ads_read',
  })) {
    for (const r of page) out.push(r.id);
  }
  return out;
}

interface EntityRead {
  accounts: string[];
  perAccount: Map<string, {campaigns: string[]; ad_groups: string[]; ads: string[]}>;
}

async function readEntities(client: PinterestClient): Promise<EntityRead> {
  const accounts = await ids(client, '/ad_accounts');
  const perAccount = new Map<string, {campaigns: string[]; ad_groups: string[]; ads: string[]}>();
  await Promise.all(
    accounts.map(async (a) => {
      const [campaigns, adGroups, ads] = await Promise.all(
        ['campaigns', 'ad_groups', 'ads'].map((k) => ids(client, `/ad_accounts/{ad_account_id}/${k}`, a))
      );
      perAccount.set(a, {campaigns: campaigns ?? [], ad_groups: adGroups ?? [], ads: ads ?? []});
    })
  );
  return {accounts, perAccount};
}

const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
const pad = (s: string | number, n: number) => String(s).padStart(n);

async function requestCounts(): Promise<void> {
  const time = fastTime(SPEED);
  const sandbox = await startSandbox({now: time.clock.now, scale: SCALE});
  try {
    const client = makeClient(sandbox, time, {analyticsColumns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1']});
    const started = Date.now();
    const read = await readEntities(client);
    const today = sandbox.control.now().toISOString().slice(0, 10);
    const start = new Date(sandbox.control.now().getTime() - 89 * 86_400_000).toISOString().slice(0, 10);
    let rows = 0;
    for (const [accountId, e] of read.perAccount) {
      for (const [level, list] of [
        ['ad', e.ads],
        ['campaign', e.campaigns],
      ] as const) {
        for await (const batch of client.analytics({
          level,
          adAccountId: accountId,
          ids: list,
          startDate: start,
          endDate: today,
        })) {
          rows += batch.length;
        }
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const stats = sandbox.control.stats();
    const sum = (f: (e: {campaigns: string[]; ad_groups: string[]; ads: string[]}) => number) =>
      [...read.perAccount.values()].reduce((acc, e) => acc + f(e), 0);
    const lines: Array<[string, number, number]> = [
      [
        'GET /v5/ad_accounts',
        stats.requests.byEndpoint['GET /v5/ad_accounts'] ?? 0,
        pages(read.accounts.length),
      ],
      ...(['campaigns', 'ad_groups', 'ads'] as const).map((k): [string, number, number] => [
        `GET /v5/ad_accounts/{ad_account_id}/${k}`,
        stats.requests.byEndpoint[`GET /v5/ad_accounts/{ad_account_id}/${k}`] ?? 0,
        sum((e) => pages(e[k].length)),
      ]),
      [
        'GET /v5/ad_accounts/{ad_account_id}/ads/analytics',
        stats.requests.byEndpoint['GET /v5/ad_accounts/{ad_account_id}/ads/analytics'] ?? 0,
        sum((e) => Math.ceil(e.ads.length / 250)),
      ],
      [
        'GET /v5/ad_accounts/{ad_account_id}/campaigns/analytics',
        stats.requests.byEndpoint['GET /v5/ad_accounts/{ad_account_id}/campaigns/analytics'] ?? 0,
        sum((e) => Math.ceil(e.campaigns.length / 250)),
      ],
      ['POST /v5/oauth/token', stats.requests.byEndpoint['POST /v5/oauth/token'] ?? 0, 1],
    ];
    const total = sum((e) => e.campaigns.length + e.ad_groups.length + e.ads.length);
    console.log(
      `\nTable 1: requests for a full read (${read.accounts.length} accounts, ${total} entities, 90 days of ad + campaign analytics, ${rows} rows; ${seconds.toFixed(1)} s)`
    );
    console.log(`${'endpoint'.padEnd(58)} ${pad('made', 7)} ${pad('minimum', 8)} ${pad('ratio', 6)}`);
    let made = 0;
    let minimum = 0;
    for (const [name, n, min] of lines) {
      made += n;
      minimum += min;
      console.log(`${name.padEnd(58)} ${pad(n, 7)} ${pad(min, 8)} ${pad((n / min).toFixed(2), 6)}`);
    }
    console.log(
      `${'total'.padEnd(58)} ${pad(made, 7)} ${pad(minimum, 8)} ${pad((made / minimum).toFixed(2), 6)}`
    );
    const other = Object.entries(stats.requests.byEndpoint).filter(([k]) => !lines.some(([n]) => n === k));
    if (other.length) console.log('other endpoints:', Object.fromEntries(other));
    console.log(`429s drawn: ${stats.rateLimited}`);
    reportTarget({
      id: 'pinterest.requests-per-full-read',
      label: 'API requests per full read / minimum the API allows',
      value: made / minimum,
      op: '<=',
      limit: 1,
      detail: `${made} made, ${minimum} minimum`,
    });
  } finally {
    await sandbox.close();
  }
}

async function budgetTiming(): Promise<void> {
  // "60 per 6 s": the sandbox enforces 120 ads_read requests per sandbox minute on a 10x clock (= 6 real s).
  const perMinute = quick ? 12 : 120;
  const time = fastTime(SPEED);
  const sandbox = await startSandbox({
    now: time.clock.now,
    scale: SCALE,
    limits: {categories: {ads_read: {perMinute}}},
  });
  try {
    const client = makeClient(sandbox, time);
    await client.get({path: '/user_account', category: 'org_read'});
    sandbox.control.resetStats();
    const started = time.clock.now();
    await readEntities(client);
    const elapsed = (time.clock.now() - started) / 1000;
    const stats = sandbox.control.stats();
    const requests = stats.requests.byCategory.ads_read ?? 0;
    const implied = requests / (perMinute / 60);
    console.log(
      `\nTable 2: entity read under a tight ads_read budget (${perMinute}/min on a ${SPEED}x sandbox clock)`
    );
    console.log(`${'ads_read requests'.padEnd(28)} ${pad(requests, 10)}`);
    console.log(
      `${'budget-implied time (s)'.padEnd(28)} ${pad(implied.toFixed(1), 10)}   (requests / rate, sandbox seconds)`
    );
    console.log(
      `${'measured time (s)'.padEnd(28)} ${pad(elapsed.toFixed(1), 10)}   (sandbox seconds; real = /${SPEED})`
    );
    console.log(`${'ratio measured / implied'.padEnd(28)} ${pad((elapsed / implied).toFixed(2), 10)}`);
    console.log(`${'429s drawn'.padEnd(28)} ${pad(stats.rateLimited, 10)}`);
    reportTarget({
      id: 'pinterest.time-under-budget',
      label: 'entity read time under an ads_read budget / time the budget implies',
      value: elapsed / implied,
      op: '<=',
      limit: 1.1,
      detail: `${elapsed.toFixed(1)} s measured, ${implied.toFixed(1)} s implied, ${stats.rateLimited} 429s`,
    });
  } finally {
    await sandbox.close();
  }
}

(async () => {
  await requestCounts();
  await budgetTiming();
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
