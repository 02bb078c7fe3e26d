/**
 * Analytics across the four levels, entity lifetimes and the analytics ground truth, against the sandbox over
 * HTTP (no stubs). START is 2026-03-10.
 */
import type {AnalyticsCollection} from '../../../src/sandbox';
import {Harness, oneAccount} from './helpers';

type Row = Record<string, unknown>;

// Additive columns: a level's row must be the sum of its children's.
const COUNTS = [
  'SPEND_IN_MICRO_DOLLAR',
  'IMPRESSION_1',
  'CLICKTHROUGH_1',
  'TOTAL_CHECKOUT',
  'TOTAL_CLICK_CHECKOUT',
  'TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_CONVERSIONS',
];
const RANGE = 'start_date=2026-02-10&end_date=2026-03-10';

function sumBy(rows: Row[], key: (r: Row) => string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const k = key(r);
    const acc = out.get(k) ?? {};
    for (const c of COUNTS) acc[c] = (acc[c] ?? 0) + ((r[c] as number | undefined) ?? 0);
    out.set(k, acc);
  }
  return out;
}

function countsOf(r: Row): Record<string, number> {
  return Object.fromEntries(COUNTS.map((c) => [c, (r[c] as number | undefined) ?? 0]));
}

describe('sandbox analytics: levels, lifetimes, ground truth', () => {
  let h: Harness;
  let account: string;
  const get = async (path: string): Promise<Row[]> => {
    const res = await h.json<Row[]>(`/ad_accounts/${account}${path}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const truth = (collection: AnalyticsCollection, startDate = '2026-02-10', endDate = '2026-03-10') =>
    h.sb.control.analyticsTruth({collection, adAccountId: account, startDate, endDate, columns: COUNTS});

  beforeEach(async () => {
    ({h, account} = await oneAccount({campaignsPerAccount: 6, adGroupsPerCampaign: 3, adsPerAdGroup: 4}));
  });
  afterEach(() => h.sb.close());

  test('the account row is the sum of its campaigns, a campaign of its ad groups, an ad group of its ads', async () => {
    const ids = (kind: string) => h.sb.control.truth(kind, account).items.map((r) => r.id as string);
    const records = (kind: string) => new Map(h.sb.control.truth(kind, account).items.map((r) => [r.id, r]));
    const cols = `columns=${COUNTS.join(',')}&granularity=DAY`;
    const ads = await get(`/ads/analytics?${RANGE}&${cols}&ad_ids=${ids('ads').join(',')}`);
    const groups = await get(
      `/ad_groups/analytics?${RANGE}&${cols}&ad_group_ids=${ids('ad_groups').join(',')}`
    );
    const campaigns = await get(
      `/campaigns/analytics?${RANGE}&${cols}&campaign_ids=${ids('campaigns').join(',')}`
    );
    const accountRows = await get(`/analytics?${RANGE}&${cols}`);
    expect(ads.length).toBeGreaterThan(50);
    expect(accountRows.length).toBeGreaterThan(20);
    expect(accountRows.every((r) => r.AD_ACCOUNT_ID === account && typeof r.DATE === 'string')).toBe(true);

    const adRecords = records('ads');
    const groupRecords = records('ad_groups');
    const byGroup = sumBy(ads, (r) => `${adRecords.get(r.AD_ID)?.ad_group_id}|${r.DATE}`);
    for (const g of groups) expect(countsOf(g)).toEqual(byGroup.get(`${g.AD_GROUP_ID}|${g.DATE}`));
    expect(groups.length).toBe(byGroup.size);
    const byCampaign = sumBy(groups, (r) => `${groupRecords.get(r.AD_GROUP_ID)?.campaign_id}|${r.DATE}`);
    for (const c of campaigns) expect(countsOf(c)).toEqual(byCampaign.get(`${c.CAMPAIGN_ID}|${c.DATE}`));
    const byDay = sumBy(campaigns, (r) => r.DATE as string);
    for (const a of accountRows) expect(countsOf(a)).toEqual(byDay.get(a.DATE as string));
    expect(accountRows.length).toBe(byDay.size);

    // TOTAL is the sum of the days.
    const total = await get(`/analytics?${RANGE}&columns=${COUNTS.join(',')}&granularity=TOTAL`);
    expect(total).toHaveLength(1);
    expect(countsOf(total[0] as Row)).toEqual(sumBy(accountRows, () => 'all').get('all'));
  });

  test('lifetimes: no row before creation, none for drafts, none after a pause; conversions of earlier days still move', async () => {
    const ads = h.sb.control.truth('ads', account).items;
    const rows = truth('ad_analytics', '2025-02-06', '2026-03-10').items;
    const days = new Map<string, string[]>();
    for (const r of rows)
      days.set(r.key.ad_id as string, [...(days.get(r.key.ad_id as string) ?? []), r.key.date as string]);
    for (const ad of ads) {
      const created = new Date((ad.created_time as number) * 1000).toISOString().slice(0, 10);
      const dates = days.get(ad.id as string) ?? [];
      expect(dates.every((d) => d >= created)).toBe(true);
      if (ad.status === 'DRAFT' || ad.status === 'DELETED_DRAFT') expect(dates).toEqual([]);
      if (ad.status === 'PAUSED' || ad.status === 'ARCHIVED') {
        const stopped = new Date((ad.updated_time as number) * 1000).toISOString().slice(0, 10);
        expect(dates.every((d) => d <= stopped)).toBe(true);
      }
    }
    expect(days.size).toBeGreaterThan(5);

    // Pause an ad with data today: it has a row today, none from tomorrow; yesterday's conversions still grow.
    const today = '2026-03-10';
    const live = rows.filter((r) => r.key.date === today).map((r) => r.key.ad_id as string);
    const ad = live.find((id) =>
      rows.some((r) => r.key.ad_id === id && r.key.date === '2026-03-09')
    ) as string;
    expect(ad).toBeDefined();
    h.sb.control.applyChanges([{kind: 'update', collection: 'ads', ids: [ad], set: {status: 'PAUSED'}}]);
    const cols = `columns=${COUNTS.join(',')}&granularity=DAY&ad_ids=${ad}`;
    const before = await get(`/ads/analytics?start_date=2026-03-09&end_date=${today}&${cols}`);
    expect(before.map((r) => r.DATE)).toEqual(['2026-03-09', today]);
    const conversionsOn = (date: string): number =>
      truth('ad_analytics', date, date).items.reduce(
        (n, t) => n + ((t.row.TOTAL_CONVERSIONS as number) ?? 0),
        0
      );
    const earlier = conversionsOn('2026-03-09');
    h.sb.control.advanceClock(5 * 86400);
    const after = await get(`/ads/analytics?start_date=2026-03-09&end_date=2026-03-15&${cols}`);
    expect(after.map((r) => r.DATE)).toEqual(['2026-03-09', today]);
    expect(after[0]?.SPEND_IN_MICRO_DOLLAR as number).toBeGreaterThanOrEqual(
      before[0]?.SPEND_IN_MICRO_DOLLAR as number
    );
    expect(conversionsOn('2026-03-09')).toBeGreaterThan(earlier);

    // A paused campaign stops its ads too; a created ad has data from its creation day only.
    const campaign = h.sb.control.truth('campaigns', account).items.find((c) => c.status === 'ACTIVE');
    h.sb.control.applyChanges([{kind: 'archive', collection: 'campaigns', ids: [campaign?.id as string]}]);
    h.sb.control.advanceClock(86400);
    const stopped = truth('campaign_analytics', '2026-03-16', '2026-03-16').items;
    expect(stopped.some((r) => r.key.campaign_id === campaign?.id)).toBe(false);
  });

  test('the analytics truth is what the API answers, at every level, and restatements move all levels alike', async () => {
    const cols = `columns=${COUNTS.join(',')}&granularity=DAY`;
    const levels: [AnalyticsCollection, string, string, string][] = [
      ['ad_analytics', 'ads', 'ad_ids', 'ad_id'],
      ['ad_group_analytics', 'ad_groups', 'ad_group_ids', 'ad_group_id'],
      ['campaign_analytics', 'campaigns', 'campaign_ids', 'campaign_id'],
    ];
    for (const [collection, path, param, idKey] of levels) {
      const ids = h.sb.control.truth(path, account).items.map((r) => r.id as string);
      const api = await get(`/${path}/analytics?${RANGE}&${cols}&${param}=${ids.join(',')}`);
      const expected = truth(collection).items;
      expect(expected.map((t) => t.row)).toEqual(api);
      expect(
        expected.every((t) => t.key.ad_account_id === account && t.key[idKey] === t.row[idKey.toUpperCase()])
      ).toBe(true);
      expect(expected.every((t) => t.key.date === t.row.DATE)).toBe(true);
    }
    const accountTruth = truth('ad_account_analytics').items;
    expect(accountTruth.map((t) => t.row)).toEqual(await get(`/analytics?${RANGE}&${cols}`));
    expect(Object.keys(accountTruth[0]?.key ?? {}).sort()).toEqual(['ad_account_id', 'date']);

    // Over HTTP, with the user addressed.
    const res = await fetch(
      `${h.sb.controlUrl}/truth/ad_account_analytics?user=default&start_date=2026-02-10&end_date=2026-03-10&columns=${COUNTS.join(',')}`
    );
    expect(((await res.json()) as {items: unknown[]}).items).toEqual(accountTruth);
    expect((await fetch(`${h.sb.controlUrl}/truth/ad_analytics?start_date=2026-02-10`)).status).toBe(400);

    for (const collection of [
      'ad_analytics',
      'ad_group_analytics',
      'campaign_analytics',
      'ad_account_analytics',
    ] as const) {
      const accountBefore = truth('ad_account_analytics').items;
      const {applied} = h.sb.control.applyChanges([{kind: 'restate', collection, days: 10, count: 2}]);
      expect(applied).toHaveLength(2);
      let added = 0;
      for (const change of applied) {
        expect(change).toMatchObject({collection, op: 'u', key: {ad_account_id: account}});
        const gained =
          (change.after?.TOTAL_CHECKOUT as number) - ((change.before?.TOTAL_CHECKOUT as number) ?? 0);
        expect(gained).toBeGreaterThan(0);
        added += gained;
        const now = truth(collection, change.key.date, change.key.date).items.find(
          (t) => JSON.stringify(t.key) === JSON.stringify(change.key)
        );
        expect(now?.row.TOTAL_CHECKOUT).toBe(change.after?.TOTAL_CHECKOUT);
      }
      const sum = (items: {row: Row}[]) =>
        items.reduce((n, t) => n + ((t.row.TOTAL_CHECKOUT as number) ?? 0), 0);
      expect(sum(truth('ad_account_analytics').items) - sum(accountBefore)).toBe(added);
    }
  });
});
