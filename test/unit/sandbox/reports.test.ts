/**
 * Async reports as live answers them (notes/pinterest-api.md §10), against the sandbox over HTTP (no stubs).
 * START is 2026-03-10.
 */
import {Harness, oneAccount} from './helpers';

interface Created {
  token: string;
  report_status: string;
  message: string | null;
}
interface Polled {
  report_status: string;
  url: string | null;
  size: number | null;
}

describe('sandbox async reports', () => {
  let h: Harness;
  let account: string;
  const post = async (
    body: object
  ): Promise<{status: number; body: Created & {code?: number; message: string}}> => {
    const res = await h.get(`/ad_accounts/${account}/reports`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify(body),
    });
    return {status: res.status, body: (await res.json()) as Created & {message: string}};
  };
  const poll = async (token: string): Promise<Polled> =>
    (await h.json<Polled>(`/ad_accounts/${account}/reports?token=${encodeURIComponent(token)}`)).body;
  const finish = async (token: string): Promise<Record<string, Record<string, unknown>[]>> => {
    for (let i = 0; i < 5; i++) {
      const p = await poll(token);
      if (p.report_status === 'FINISHED') return (await (await fetch(p.url as string)).json()) as never;
    }
    throw new Error('report never finished');
  };
  const base = {
    start_date: '2025-12-01',
    end_date: '2026-03-05',
    granularity: 'DAY',
    columns: ['SPEND_IN_MICRO_DOLLAR', 'TOTAL_CHECKOUT'],
  };

  beforeEach(async () => {
    ({h, account} = await oneAccount({campaignsPerAccount: 4, adGroupsPerCampaign: 2, adsPerAdGroup: 3}));
  });
  afterEach(() => h.sb.close());

  test('an identical request returns the same token: IN_PROGRESS, then FINISHED with the live message', async () => {
    const first = await post({...base, level: 'CAMPAIGN'});
    expect(first.body).toMatchObject({report_status: 'IN_PROGRESS', message: null});
    const token = first.body.token;
    // Live tokens: 388 characters, URL-safe base64 with '-', '_' and '==' inside: they must be URL-encoded.
    expect(token).toHaveLength(388);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}==[A-Za-z0-9_-]{363}=$/);
    expect(token).toMatch(/-/);
    expect(token).toMatch(/_/);
    // Same body, other key order: the same report.
    const {columns, ...rest} = {...base, level: 'CAMPAIGN'};
    expect((await post({columns, ...rest})).body).toEqual({
      token,
      report_status: 'IN_PROGRESS',
      message: null,
    });
    await finish(token);
    expect((await post({...base, level: 'CAMPAIGN'})).body).toEqual({
      token,
      report_status: 'FINISHED',
      message: `This job has already finished processing. Please make a GET request to this endpoint and pass in the token parameter ${token}`,
    });
    // Another request, another token; once a report expired, the same request makes a new one.
    const other = await post({...base, level: 'CAMPAIGN', end_date: '2026-03-04'});
    expect(other.body.token).not.toBe(token);
    h.sb.control.advanceClock(3600);
    expect((await poll(token)).report_status).toBe('EXPIRED');
    const renewed = await post({...base, level: 'CAMPAIGN'});
    expect(renewed.body).toMatchObject({report_status: 'IN_PROGRESS', message: null});
    expect(renewed.body.token).not.toBe(token);
  });

  test('the FINISHED url is a pre-signed S3-style link to a .txt file holding the BY_ID JSON', async () => {
    const {token} = (await post({...base, level: 'PIN_PROMOTION'})).body;
    await poll(token);
    await poll(token);
    const done = await poll(token);
    const url = new URL(done.url as string);
    expect(url.pathname).toMatch(
      new RegExp(`^/_reports/async_reporting_v3/${account}-\\d{10}-\\d{16}/metrics_report\\.txt$`)
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const file = await fetch(url);
    expect(file.headers.get('content-type')).toBe('text/plain');
    const text = await file.text();
    expect(text.length).toBe(done.size);
    expect(Object.keys(JSON.parse(text) as object).length).toBeGreaterThan(0);
    url.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect((await fetch(url)).status).toBe(403);
  });

  test('without id filters a report covers every entity of its level; filters narrow; ADVERTISER is the account', async () => {
    const ads = h.sb.control.truth('ads', account).items;
    const truth = h.sb.control.analyticsTruth({
      collection: 'ad_analytics',
      startDate: base.start_date,
      endDate: base.end_date,
      columns: base.columns,
    }).items;
    const all = await finish((await post({...base, level: 'PIN_PROMOTION'})).body.token);
    expect(Object.keys(all).sort()).toEqual([...new Set(truth.map((t) => t.key.ad_id))].sort());
    expect(Object.values(all).flat()).toHaveLength(truth.length);
    expect(
      Object.values(all)
        .flat()
        .map((r) => ({...r, PIN_PROMOTION_ID: undefined}))
    ).toEqual(truth.map((t) => ({...t.row, PIN_PROMOTION_ID: undefined})));

    const campaign = ads.find((a) => Object.keys(all).includes(a.id as string))?.campaign_id as string;
    const narrowed = await finish(
      (await post({...base, level: 'PIN_PROMOTION', campaign_ids: [campaign]})).body.token
    );
    const inCampaign = new Set(ads.filter((a) => a.campaign_id === campaign).map((a) => a.id));
    expect(Object.keys(narrowed).length).toBeGreaterThan(0);
    expect(Object.keys(narrowed).every((id) => inCampaign.has(id))).toBe(true);

    const advertiser = await finish((await post({...base, level: 'ADVERTISER'})).body.token);
    expect(Object.keys(advertiser)).toEqual([account]);
    const accountTruth = h.sb.control.analyticsTruth({
      collection: 'ad_account_analytics',
      startDate: base.start_date,
      endDate: base.end_date,
      columns: base.columns,
    }).items;
    expect(advertiser[account]?.map((r) => r.DATE)).toEqual(accountTruth.map((t) => t.key.date));
    expect(advertiser[account]?.[0]).toMatchObject({AD_ACCOUNT_ID: account, ADVERTISER_ID: account});

    const tooMany = await post({
      ...base,
      level: 'CAMPAIGN',
      campaign_ids: Array.from({length: 501}, (_, i) => `${i}`),
    });
    expect(tooMany).toMatchObject({status: 400, body: {code: 1}});
    const csv = await post({...base, level: 'CAMPAIGN', report_format: 'CSV'});
    expect(csv).toMatchObject({
      status: 400,
      body: {code: 1, message: expect.stringContaining('not implemented')},
    });
  });
});
