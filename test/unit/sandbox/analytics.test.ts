import {ALL_STATUSES, harness, Harness, walk} from './helpers';

// START is 2026-03-10 (UTC): 90 days back is 2025-12-10; 914 days back is 2023-09-08.
const COLS = 'columns=SPEND_IN_MICRO_DOLLAR,IMPRESSION_1,TOTAL_CHECKOUT,TOTAL_CONVERSIONS';

describe('sandbox analytics and reports', () => {
  let h: Harness;
  let account: string;
  let adIds: string[];
  /** Ads with data in February 2026 (drafts and stopped ads have none). */
  let delivering: string[];
  const analytics = (query: string) =>
    h.json<Record<string, unknown>[] & {code?: number; message?: string}>(
      `/ad_accounts/${account}/ads/analytics?${query}`
    );

  beforeEach(async () => {
    h = await harness({
      accessTokenTtlSeconds: 10 * 365 * 86400,
      scale: {adAccounts: 1, campaignsPerAccount: 3, adGroupsPerCampaign: 2, adsPerAdGroup: 3},
    });
    account = h.sb.control.truth('ad_accounts').items[0]?.id as string;
    adIds = (await walk(h, `/ad_accounts/${account}/ads?${ALL_STATUSES}`)).items.map((a) => a.id as string);
    const truth = h.sb.control.analyticsTruth({
      collection: 'ad_analytics',
      startDate: '2026-02-01',
      endDate: '2026-03-09',
    });
    delivering = [...new Set(truth.items.map((r) => r.key.ad_id as string))];
  });
  afterEach(() => h.sb.close());

  test('a bare array of UPPER_CASE rows; zero rows and unknown-but-valid columns omitted', async () => {
    const q = `start_date=2026-02-01&end_date=2026-03-10&granularity=DAY&${COLS},VIDEO_LENGTH&${adIds.map((id) => `ad_ids=${id}`).join('&')}`;
    const {status, body} = await analytics(q);
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body.length).toBeGreaterThan(0);
    expect(body.length).toBeLessThan(adIds.length * 38); // inactive days omitted
    for (const row of body) {
      expect(Object.keys(row).every((k) => /^[A-Z0-9_]+$/.test(k))).toBe(true);
      expect(row).toHaveProperty('DATE');
      expect(adIds).toContain(row.AD_ID);
      expect(row).not.toHaveProperty('VIDEO_LENGTH');
      expect(Object.values(row)).not.toContain(0);
    }
    const total = await analytics(
      `start_date=2026-02-01&end_date=2026-03-10&granularity=TOTAL&${COLS}&ad_ids=${delivering[0]}`
    );
    expect(total.body).toHaveLength(1);
    const days = body.filter((r) => r.AD_ID === delivering[0]);
    expect(total.body[0]?.IMPRESSION_1).toBe(days.reduce((n, r) => n + ((r.IMPRESSION_1 as number) ?? 0), 0));
    expect(total.body[0]).not.toHaveProperty('DATE');
    expect(
      (
        await analytics(
          `start_date=2026-02-01&end_date=2026-02-02&granularity=DAY&columns=NOT_A_COLUMN&ad_ids=${adIds[0]}`
        )
      ).status
    ).toBe(400);
  });

  test('90-day limits: start at most 90 days back, range at most 90 days; 250 ids', async () => {
    const one = `granularity=DAY&${COLS}&ad_ids=${adIds[0]}`;
    expect((await analytics(`start_date=2025-12-10&end_date=2026-01-10&${one}`)).status).toBe(200);
    const old = await analytics(`start_date=2025-12-09&end_date=2026-01-10&${one}`);
    expect(old).toMatchObject({
      status: 400,
      body: {code: 1, message: 'You can only get data from the last 90 days.'},
    });
    h.sb.control.advanceClock(86400 * 10);
    expect((await analytics(`start_date=2025-12-19&end_date=2026-03-20&${one}`)).status).toBe(400);
    expect((await analytics(`start_date=2025-12-20&end_date=2026-03-20&${one}`)).status).toBe(200);
    const ids = Array.from({length: 251}, (_, i) => `ad_ids=${i + 1}`).join('&');
    const many = await analytics(`start_date=2026-03-01&end_date=2026-03-02&granularity=DAY&${COLS}&${ids}`);
    expect(many.status).toBe(400);
    const ok250 = Array.from({length: 250}, (_, i) => `ad_ids=${i + 1}`).join('&');
    expect(
      (await analytics(`start_date=2026-03-01&end_date=2026-03-02&granularity=DAY&${COLS}&${ok250}`)).status
    ).toBe(200);
    const none = await analytics(`start_date=2026-03-01&end_date=2026-03-02&granularity=DAY&${COLS}`);
    expect(none).toMatchObject({
      status: 400,
      body: {code: 400, message: 'Invalid ad account ads analytics parameters.'},
    });
  });

  test('late conversions: a day keeps changing for 30 days, spend settles after 2', async () => {
    const row = async (date: string) => {
      const {body} = await analytics(
        `start_date=${date}&end_date=${date}&granularity=DAY&${COLS}&${adIds.map((id) => `ad_ids=${id}`).join('&')}`
      );
      return body;
    };
    const date = '2026-03-09';
    const day1 = await row(date);
    h.sb.control.advanceClock(86400 * 2);
    const day3 = await row(date);
    h.sb.control.advanceClock(86400 * 5);
    const day8 = await row(date);
    h.sb.control.advanceClock(86400 * 40);
    const settled1 = await row(date);
    h.sb.control.advanceClock(86400 * 10);
    const settled2 = await row(date);
    const sum = (rows: Record<string, unknown>[], k: string) =>
      rows.reduce((n, r) => n + ((r[k] as number) ?? 0), 0);
    expect(sum(day3, 'SPEND_IN_MICRO_DOLLAR')).toBeGreaterThan(sum(day1, 'SPEND_IN_MICRO_DOLLAR'));
    expect(sum(day8, 'SPEND_IN_MICRO_DOLLAR')).toBe(sum(day3, 'SPEND_IN_MICRO_DOLLAR'));
    expect(sum(day8, 'TOTAL_CONVERSIONS')).toBeGreaterThan(sum(day3, 'TOTAL_CONVERSIONS'));
    expect(sum(settled1, 'TOTAL_CONVERSIONS')).toBeGreaterThan(sum(day8, 'TOTAL_CONVERSIONS'));
    expect(settled2).toEqual(settled1);
  });

  test('restate changes rows and returns the ground truth', async () => {
    const {applied} = h.sb.control.applyChanges([
      {kind: 'restate', collection: 'ad_analytics', days: 5, count: 3},
    ]);
    expect(applied).toHaveLength(3);
    for (const change of applied) {
      expect(change).toMatchObject({collection: 'ad_analytics', op: 'u', key: {ad_account_id: account}});
      const {body} = await analytics(
        `start_date=${change.key.date}&end_date=${change.key.date}&granularity=DAY&columns=TOTAL_CHECKOUT,TOTAL_CONVERSIONS&ad_ids=${change.key.ad_id}`
      );
      expect(body[0]?.TOTAL_CHECKOUT).toBe(change.after?.TOTAL_CHECKOUT);
      expect(change.after?.TOTAL_CHECKOUT as number).toBeGreaterThan(
        (change.before?.TOTAL_CHECKOUT as number) ?? 0
      );
    }
  });

  test('reports: 186-day range, 914 days back, IN_PROGRESS then FINISHED with a 5-minute url, BY_ID file', async () => {
    const post = (body: object) =>
      h.get(`/ad_accounts/${account}/reports`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify(body),
      });
    const base = {
      granularity: 'DAY',
      level: 'PIN_PROMOTION',
      columns: ['SPEND_IN_MICRO_DOLLAR', 'TOTAL_CHECKOUT'],
    };
    const tooLong = await post({...base, start_date: '2025-01-01', end_date: '2025-07-06'});
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toEqual({
      code: 1,
      message: 'The time range specified is too large, it must be less than 186 days',
    });
    expect((await post({...base, start_date: '2023-09-07', end_date: '2023-09-10'})).status).toBe(400);
    const created = await post({
      ...base,
      start_date: '2025-09-01',
      end_date: '2026-03-05',
      ad_ids: delivering.slice(0, 2),
    });
    expect(created.status).toBe(200);
    const {token, report_status} = (await created.json()) as {token: string; report_status: string};
    expect(report_status).toBe('IN_PROGRESS');
    const poll = async () =>
      (
        await h.json<{report_status: string; url: string | null; size: number | null}>(
          `/ad_accounts/${account}/reports?token=${encodeURIComponent(token)}`
        )
      ).body;
    expect((await poll()).report_status).toBe('IN_PROGRESS');
    expect((await poll()).report_status).toBe('IN_PROGRESS');
    const done = await poll();
    expect(done.report_status).toBe('FINISHED');
    const file = await fetch(done.url as string);
    const text = await file.text();
    expect(text.length).toBe(done.size);
    const json = JSON.parse(text) as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(json).sort()).toEqual(delivering.slice(0, 2).sort());
    expect(json[delivering[0] as string]?.[0]).toMatchObject({
      AD_ID: delivering[0],
      PIN_PROMOTION_ID: delivering[0],
      DATE: expect.any(String),
    });
    h.sb.control.advanceClock(300);
    const expired = await fetch(done.url as string);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    expect((await poll()).url).not.toBe(done.url);
    h.sb.control.advanceClock(3600);
    expect((await poll()).report_status).toBe('EXPIRED');
  });

  test('reports: FAILED on command; unknown token DOES_NOT_EXIST', async () => {
    const res = await h.get(`/ad_accounts/${account}/reports`, {
      method: 'POST',
      body: JSON.stringify({
        start_date: '2026-01-01',
        end_date: '2026-01-02',
        granularity: 'DAY',
        level: 'CAMPAIGN',
        columns: ['SPEND_IN_MICRO_DOLLAR'],
      }),
    });
    const {token} = (await res.json()) as {token: string};
    expect(h.sb.control.forceReport('FAILED').tokens).toEqual([token]);
    expect((await h.json(`/ad_accounts/${account}/reports?token=${encodeURIComponent(token)}`)).body).toEqual(
      {
        report_status: 'FAILED',
        url: null,
        size: null,
      }
    );
    expect((await h.json(`/ad_accounts/${account}/reports?token=zzz`)).body).toMatchObject({
      report_status: 'DOES_NOT_EXIST',
    });
  });
});
