/**
 * Sandbox throughput and memory. Run: node -r @swc-node/register bench/sandbox.ts
 * Pages of 250 records per second for pins and ads, sequential and concurrent clients, against a baseline
 * trivial node:http server returning a fixed 250-record body (measured in the same run), plus RSS with the
 * 1,000,000-pin + 100,000-ad account after paging through a good part of it.
 */
import {SCALE_PRESETS, startSandbox} from '../src/sandbox';
import {startFixedBodyServer} from './fixed-body-server';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

async function token(baseUrl: string, clientId: string, secret: string, refresh: string): Promise<string> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {authorization: 'Basic ' + Buffer.from(`${clientId}:${secret}`).toString('base64')},
    body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: refresh}),
  });
  return ((await res.json()) as {access_token: string}).access_token;
}

/** `clients` loops, each following bookmarks from the start of `path`, for SECONDS; returns pages/s. */
async function pagesPerSecond(
  url: (bookmark?: string) => string,
  auth: string,
  clients: number
): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let pages = 0;
  const loop = async (): Promise<void> => {
    let bookmark: string | undefined;
    while (Date.now() < end) {
      const res = await fetch(url(bookmark), {headers: {authorization: auth}});
      const body = (await res.json()) as {items: unknown[]; bookmark?: string | null};
      if (res.status !== 200 || body.items.length !== 250) throw new Error(`unexpected page: ${res.status}`);
      pages++;
      bookmark = body.bookmark ?? undefined;
    }
  };
  await Promise.all(Array.from({length: clients}, loop));
  return pages / SECONDS;
}

async function main(): Promise<void> {
  const sb = await startSandbox({
    scale: SCALE_PRESETS.large,
    limits: {categories: {ads_read: {perMinute: 1e9}, org_read: {perMinute: 1e9}}, safetyNetPerSecond: 1e9},
  });
  const rssStart = process.memoryUsage().rss;
  const auth = `Bearer ${await token(sb.baseUrl, sb.credentials.clientId, sb.credentials.clientSecret, sb.credentials.refreshToken)}`;
  const account = sb.control.truth('ad_accounts').items[0]?.id as string;

  // Baseline: fixed 250-pin body, same size class as a sandbox page.
  const fixed = Buffer.from(
    JSON.stringify(
      await (await fetch(`${sb.baseUrl}/pins?page_size=250`, {headers: {authorization: auth}})).json()
    )
  );
  const baseline = await startFixedBodyServer(fixed);
  const baseUrl = `${baseline.origin}/v5/pins`;

  const pinsUrl = (b?: string): string =>
    `${sb.baseUrl}/pins?page_size=250${b ? `&bookmark=${encodeURIComponent(b)}` : ''}`;
  const statuses = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DRAFT', 'DELETED_DRAFT']
    .map((s) => `entity_statuses=${s}`)
    .join('&');
  const adsUrl = (b?: string): string =>
    `${sb.baseUrl}/ad_accounts/${account}/ads?page_size=250&${statuses}${b ? `&bookmark=${encodeURIComponent(b)}` : ''}`;

  const rows: {name: string; clients: number; pps: number; base: number}[] = [];
  for (const clients of [1, 4, 8]) {
    const base = await pagesPerSecond(() => baseUrl, auth, clients);
    rows.push({name: 'pins', clients, pps: await pagesPerSecond(pinsUrl, auth, clients), base});
    rows.push({name: 'ads (all statuses)', clients, pps: await pagesPerSecond(adsUrl, auth, clients), base});
  }
  // A deep walk: page through 40% of the 1M pins, then report RSS.
  let bookmark: string | undefined;
  for (let i = 0; i < 1600; i++) {
    const body = (await (await fetch(pinsUrl(bookmark), {headers: {authorization: auth}})).json()) as {
      bookmark: string;
    };
    bookmark = body.bookmark;
  }
  for (let i = 0; i < 400 && bookmark !== null; i++) {
    const body = (await (
      await fetch(adsUrl(i === 0 ? undefined : bookmark), {headers: {authorization: auth}})
    ).json()) as {bookmark: string};
    bookmark = body.bookmark;
  }
  const rssEnd = process.memoryUsage().rss;

  console.log(
    `sandbox bench (${SECONDS}s per cell; page = 250 records; baseline = node:http fixed 250-pin body)`
  );
  console.log('| endpoint | clients | sandbox pages/s | baseline pages/s | sandbox/baseline |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.clients} | ${r.pps.toFixed(0)} | ${r.base.toFixed(0)} | ${(r.pps / r.base).toFixed(2)} |`
    );
  }
  console.log('');
  console.log('| memory (1,000,000 pins + 100,000-ad account) | MB |');
  console.log('|---|---|');
  console.log(`| RSS after start | ${(rssStart / 1e6).toFixed(0)} |`);
  console.log(`| RSS after paging 400k pins + 100k ads + bench | ${(rssEnd / 1e6).toFixed(0)} |`);
  await baseline.close();
  await sb.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
