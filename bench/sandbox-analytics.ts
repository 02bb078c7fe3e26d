/**
 * Sandbox analytics speed at the `large` scale (100,000-ad account). Run: node -r @swc-node/register
 * bench/sandbox-analytics.ts
 * One analytics cycle = every ad of the account in requests of 250 ids (400 requests), 30 days, DAY granularity,
 * as the analytics pipeline reads it; plus the ad group, campaign and account levels over the same 30 days.
 * Milliseconds per request beside a baseline measured in the same run: a trivial node:http server returning a
 * fixed body of the size of a typical 250-ad answer (so HTTP + JSON cost is what the ratio removes).
 */
import {DEFAULT_SCALE, SCALE_PRESETS, startSandbox, TRUTH_COLUMNS} from '../src/sandbox';
import {startFixedBodyServer} from './fixed-body-server';

const COLUMNS = TRUTH_COLUMNS.join(',');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

interface Timing {
  name: string;
  requests: number;
  rows: number;
  median: number;
  p95: number;
  totalMs: number;
}

function summarise(name: string, times: number[], rows: number, totalMs: number): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {name, requests: times.length, rows, median: at(0.5), p95: at(0.95), totalMs};
}

/** Runs `urls` with `clients` concurrent loops; per-request ms. */
async function run(name: string, urls: string[], auth: string, clients: number): Promise<Timing> {
  const times: number[] = [];
  let rows = 0;
  let next = 0;
  const started = performance.now();
  const loop = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++] as string;
      const t0 = performance.now();
      const res = await fetch(url, {headers: {authorization: auth}});
      const body = (await res.json()) as unknown[];
      if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`);
      times.push(performance.now() - t0);
      rows += body.length;
    }
  };
  await Promise.all(Array.from({length: clients}, loop));
  return summarise(name, times, rows, performance.now() - started);
}

async function main(): Promise<void> {
  const sb = await startSandbox({
    scale: SCALE_PRESETS.large,
    limits: {categories: {ads_analytics: {perMinute: 1e9}}, safetyNetPerSecond: 1e9},
  });
  const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: sb.credentials.refreshToken});
  const basic = Buffer.from(`${sb.credentials.clientId}:${sb.credentials.clientSecret}`).toString('base64');
  const tokenRes = await fetch(`${sb.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {authorization: `Basic ${basic}`},
    body: form,
  });
  const auth = `Bearer ${((await tokenRes.json()) as {access_token: string}).access_token}`;
  const account = sb.control.truth('ad_accounts').items[0]?.id as string;
  const end = sb.control.now().toISOString().slice(0, 10);
  const start = new Date(sb.control.now().getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  const range = `start_date=${start}&end_date=${end}&granularity=DAY&columns=${COLUMNS}`;
  const level = (path: string, param: string, ids: string[]): string[] => {
    const urls: string[] = [];
    for (let i = 0; i < ids.length; i += 250) {
      urls.push(
        `${sb.baseUrl}/ad_accounts/${account}/${path}?${range}&${param}=${ids.slice(i, i + 250).join(',')}`
      );
    }
    return urls;
  };
  // Ids by index (ids.ts layout), not by listing: the benchmark measures analytics, not the 100,000-ad listing.
  const s = {...DEFAULT_SCALE, ...SCALE_PRESETS.large};
  const perAccount = (n: number, prefix: string, digits: number): string[] =>
    Array.from({length: n}, (_, i) => `${prefix}110000${String(i).padStart(digits, '0')}`);
  const campaigns = s.campaignsPerAccount;
  const groups = campaigns * s.adGroupsPerCampaign;
  const ads = groups * s.adsPerAdGroup;
  const adUrls = level('ads/analytics', 'ad_ids', perAccount(ads, '687', 9));

  const timings: Timing[] = [];
  const rssStart = process.memoryUsage().rss;
  timings.push(await run('ads, cycle 1 (cold), 1 client', adUrls, auth, 1));
  timings.push(await run('ads, cycle 2 (warm), 1 client', adUrls, auth, 1));
  timings.push(await run(`ads, cycle 3 (warm), ${CONCURRENCY} clients`, adUrls, auth, CONCURRENCY));
  sb.control.advanceClock(86_400);
  timings.push(await run('ads, next day (figures recomputed), 1 client', adUrls, auth, 1));
  timings.push(
    await run(
      'ad groups (1,000 in 4 requests)',
      level('ad_groups/analytics', 'ad_group_ids', perAccount(groups, '2680', 7)),
      auth,
      1
    )
  );
  timings.push(
    await run(
      'campaigns (100 in 1 request)',
      level('campaigns/analytics', 'campaign_ids', perAccount(campaigns, '626', 6)),
      auth,
      1
    )
  );
  timings.push(
    await run('ad account (1 request)', [`${sb.baseUrl}/ad_accounts/${account}/analytics?${range}`], auth, 1)
  );
  const rssEnd = process.memoryUsage().rss;

  // Baseline: the same HTTP round trip with a fixed body of a typical 250-ad answer's size.
  const sample = Buffer.from(
    JSON.stringify(await (await fetch(adUrls[0] as string, {headers: {authorization: auth}})).json())
  );
  const baseline = await startFixedBodyServer(sample);
  const baseUrl = `${baseline.origin}/v5/ads/analytics`;
  const base = await run(
    'baseline',
    adUrls.map(() => baseUrl),
    auth,
    1
  );

  console.log(
    `sandbox analytics bench: large scale (${ads} ads), 30 days DAY, ${COLUMNS.split(',').length} columns; ` +
      `baseline = node:http fixed ${sample.length}-byte body (a 250-ad answer), median ${base.median.toFixed(1)} ms`
  );
  console.log('| requests | count | rows | median ms | p95 ms | total s | median / baseline |');
  console.log('|---|---|---|---|---|---|---|');
  for (const t of timings) {
    console.log(
      `| ${t.name} | ${t.requests} | ${t.rows} | ${t.median.toFixed(1)} | ${t.p95.toFixed(1)} | ` +
        `${(t.totalMs / 1000).toFixed(1)} | ${(t.median / base.median).toFixed(1)} |`
    );
  }
  console.log('');
  console.log(
    `RSS: ${(rssStart / 1e6).toFixed(0)} MB before, ${(rssEnd / 1e6).toFixed(0)} MB after the cycles`
  );
  await baseline.close();
  await sb.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
