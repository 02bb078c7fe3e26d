/**
 * Every response the sandbox gives for the covered endpoints (200 bodies and error bodies) is validated against
 * the schema the OpenAPI description declares for that operation and status (or `default`), with ajv.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {fullFormats} from 'ajv-formats/dist/formats';
import {readFileSync} from 'node:fs';
import path from 'node:path';

import {ALL_STATUSES, harness, Harness, refresh} from './helpers';

const spec = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, {responses: Record<string, unknown>}>>;
};
const ajv = new Ajv({strict: false, allErrors: true});
addFormats(ajv);
// Live boards/pins carry zone-less ISO timestamps (notes/pinterest-api.md §10) where the spec says date-time;
// RFC 3339 date-time demands a zone, so accept ISO date-times with an optional zone, and nothing looser.
ajv.addFormat('date-time', fullFormats['iso-date-time']);
ajv.addSchema(nullableWithoutType(structuredClone(spec)) as object, 'openapi');

/**
 * OpenAPI 3.0 `nullable: true` next to `allOf`/`$ref` without `type` means "this, or null"; ajv only knows
 * `nullable` beside `type`, so rewrite those nodes as anyOf [node, null] (the spec's meaning, nothing looser).
 */
function nullableWithoutType(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableWithoutType);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableWithoutType(v);
  if ('nullable' in out && !('type' in out)) {
    const {nullable, ...rest} = out;
    return nullable === true ? {anyOf: [rest, {type: 'null'}]} : rest;
  }
  return out;
}

function pointer(...parts: string[]): string {
  return parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

interface Seen {
  template: string;
  method: string;
  status: number;
  body: unknown;
}

function validate(seen: Seen): string[] {
  const op = spec.paths[seen.template]?.[seen.method.toLowerCase()];
  if (!op) return [`no operation ${seen.method} ${seen.template} in the spec`];
  const status = String(seen.status) in op.responses ? String(seen.status) : 'default';
  if (!(status in op.responses)) return [`${seen.method} ${seen.template}: no schema for ${seen.status}`];
  const ref = `openapi#/${pointer('paths', seen.template, seen.method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema')}`;
  const fn = ajv.getSchema(ref);
  if (!fn) return [`cannot resolve ${ref}`];
  if (fn(seen.body)) return [];
  return [`${seen.method} ${seen.template} ${seen.status}: ${ajv.errorsText(fn.errors)}`];
}

describe('sandbox responses validate against the OpenAPI description', () => {
  let h: Harness;
  const seen: Seen[] = [];
  const record = async (template: string, url: string, init?: RequestInit): Promise<unknown> => {
    const res = await h.get(url, init);
    const body: unknown = await res.json();
    seen.push({template, method: init?.method ?? 'GET', status: res.status, body});
    return body;
  };

  beforeAll(async () => {
    h = await harness({
      scale: {
        adAccounts: 2,
        campaignsPerAccount: 4,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 3,
        boards: 3,
        pins: 40,
      },
    });
  });
  afterAll(() => h.sb.close());

  test('lists, gets, analytics, reports, oauth and errors', async () => {
    const accounts = (await record('/ad_accounts', '/ad_accounts')) as {items: {id: string}[]};
    const a = accounts.items[0]?.id as string;
    await record('/ad_accounts/{ad_account_id}', `/ad_accounts/${a}`);
    const lists: [string, string][] = [
      ['/ad_accounts/{ad_account_id}/campaigns', `/ad_accounts/${a}/campaigns?${ALL_STATUSES}`],
      ['/ad_accounts/{ad_account_id}/ad_groups', `/ad_accounts/${a}/ad_groups?${ALL_STATUSES}`],
      ['/ad_accounts/{ad_account_id}/ads', `/ad_accounts/${a}/ads?${ALL_STATUSES}&page_size=250`],
      ['/boards', '/boards'],
      ['/pins', '/pins?page_size=250'],
    ];
    const firsts: Record<string, {id: string; board_id?: string}> = {};
    for (const [template, url] of lists) {
      const body = (await record(template, url)) as {items: {id: string}[]};
      expect(body.items.length).toBeGreaterThan(0);
      firsts[template] = body.items[0] as {id: string};
    }
    const campaign = firsts['/ad_accounts/{ad_account_id}/campaigns']?.id;
    const adGroup = firsts['/ad_accounts/{ad_account_id}/ad_groups']?.id;
    const ad = firsts['/ad_accounts/{ad_account_id}/ads']?.id;
    // Entities that delivered in the range (the first listed ones may be drafts, which have no data).
    const delivered = (
      collection: 'ad_analytics' | 'campaign_analytics' | 'ad_group_analytics',
      key: string
    ) =>
      h.sb.control.analyticsTruth({
        collection,
        adAccountId: a,
        startDate: '2026-02-20',
        endDate: '2026-03-10',
      }).items[0]?.key[key] as string;
    const adWithData = delivered('ad_analytics', 'ad_id');
    const campaignWithData = delivered('campaign_analytics', 'campaign_id');
    const adGroupWithData = delivered('ad_group_analytics', 'ad_group_id');
    const board = firsts['/boards']?.id;
    const pin = firsts['/pins']?.id;
    await record(
      '/ad_accounts/{ad_account_id}/campaigns/{campaign_id}',
      `/ad_accounts/${a}/campaigns/${campaign}`
    );
    await record(
      '/ad_accounts/{ad_account_id}/ad_groups/{ad_group_id}',
      `/ad_accounts/${a}/ad_groups/${adGroup}`
    );
    await record('/ad_accounts/{ad_account_id}/ads/{ad_id}', `/ad_accounts/${a}/ads/${ad}`);
    await record('/boards/{board_id}', `/boards/${board}`);
    await record('/boards/{board_id}/pins', `/boards/${board}/pins?page_size=250`);
    await record('/pins/{pin_id}', `/pins/${pin}`);
    await record('/user_account', '/user_account');

    const range =
      'start_date=2026-02-20&end_date=2026-03-10&columns=SPEND_IN_MICRO_DOLLAR,IMPRESSION_1,TOTAL_CHECKOUT,CTR,CAMPAIGN_ID';
    for (const granularity of ['DAY', 'TOTAL']) {
      const rows = [
        await record(
          '/ad_accounts/{ad_account_id}/ads/analytics',
          `/ad_accounts/${a}/ads/analytics?${range}&granularity=${granularity}&ad_ids=${ad},${adWithData}`
        ),
        await record(
          '/ad_accounts/{ad_account_id}/campaigns/analytics',
          `/ad_accounts/${a}/campaigns/analytics?${range}&granularity=${granularity}&campaign_ids=${campaignWithData}`
        ),
        await record(
          '/ad_accounts/{ad_account_id}/ad_groups/analytics',
          `/ad_accounts/${a}/ad_groups/analytics?${range}&granularity=${granularity}&ad_group_ids=${adGroupWithData}`
        ),
        await record(
          '/ad_accounts/{ad_account_id}/analytics',
          `/ad_accounts/${a}/analytics?${range}&granularity=${granularity}`
        ),
      ] as unknown[][];
      for (const r of rows) expect(r.length).toBeGreaterThan(0);
    }
    const created = (await record('/ad_accounts/{ad_account_id}/reports', `/ad_accounts/${a}/reports`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({
        start_date: '2025-10-01',
        end_date: '2025-10-05',
        granularity: 'DAY',
        level: 'PIN_PROMOTION',
        columns: ['SPEND_IN_MICRO_DOLLAR'],
      }),
    })) as {token: string};
    for (let i = 0; i < 3; i++)
      await record(
        '/ad_accounts/{ad_account_id}/reports',
        `/ad_accounts/${a}/reports?token=${encodeURIComponent(created.token)}`
      );
    // The identical request again: the same token, FINISHED, with a message; and an ADVERTISER report.
    const again = (await record('/ad_accounts/{ad_account_id}/reports', `/ad_accounts/${a}/reports`, {
      method: 'POST',
      body: JSON.stringify({
        columns: ['SPEND_IN_MICRO_DOLLAR'],
        level: 'PIN_PROMOTION',
        granularity: 'DAY',
        end_date: '2025-10-05',
        start_date: '2025-10-01',
      }),
    })) as {token: string; report_status: string; message: string};
    expect(again).toMatchObject({token: created.token, report_status: 'FINISHED'});
    await record('/ad_accounts/{ad_account_id}/reports', `/ad_accounts/${a}/reports`, {
      method: 'POST',
      body: JSON.stringify({
        start_date: '2025-10-01',
        end_date: '2025-10-05',
        granularity: 'DAY',
        level: 'ADVERTISER',
        columns: ['SPEND_IN_MICRO_DOLLAR'],
      }),
    });
    await record('/ad_accounts/{ad_account_id}/reports', `/ad_accounts/${a}/reports?token=nope`);

    // Errors.
    await record('/ad_accounts/{ad_account_id}/ads', `/ad_accounts/${a}/ads?page_size=251`);
    await record('/pins', '/pins?page_size=3e');
    await record('/pins/{pin_id}', '/pins/1000000000000000000');
    await record('/boards/{board_id}/pins', '/boards/5400000000000000000/pins');
    await record('/ad_accounts/{ad_account_id}', '/ad_accounts/549000000000');
    await record('/ad_accounts/{ad_account_id}/campaigns/{campaign_id}', `/ad_accounts/${a}/campaigns/1`);
    await record(
      '/ad_accounts/{ad_account_id}/ads/analytics',
      `/ad_accounts/${a}/ads/analytics?start_date=2025-01-01&end_date=2025-01-02&granularity=DAY&columns=SPEND_IN_DOLLAR&ad_ids=${ad}`
    );
    await record('/ad_accounts/{ad_account_id}/reports', `/ad_accounts/${a}/reports`, {
      method: 'POST',
      body: JSON.stringify({
        start_date: '2025-01-01',
        end_date: '2025-12-01',
        granularity: 'DAY',
        level: 'CAMPAIGN',
        columns: ['SPEND_IN_DOLLAR'],
      }),
    });
    const unauthorized = await fetch(`${h.sb.baseUrl}/ad_accounts`, {
      headers: {authorization: 'Bearer pina.nope'},
    });
    seen.push({
      template: '/ad_accounts',
      method: 'GET',
      status: unauthorized.status,
      body: await unauthorized.json(),
    });
    await h.sb.control.setLimits({categories: {org_read: {perMinute: 0}}});
    await record('/boards', '/boards');
    h.sb.control.setLimits({categories: {org_read: {perMinute: 1000}}});

    const token = await refresh(h.sb, h.refreshToken);
    seen.push({template: '/oauth/token', method: 'POST', status: token.status, body: await token.json()});
    const reused = await refresh(h.sb, h.refreshToken);
    seen.push({template: '/oauth/token', method: 'POST', status: reused.status, body: await reused.json()});
    const wrongClient = await refresh(h.sb, h.refreshToken, 'Basic ' + Buffer.from('1:2').toString('base64'));
    seen.push({
      template: '/oauth/token',
      method: 'POST',
      status: wrongClient.status,
      body: await wrongClient.json(),
    });
    // The empty-listing fault's body is a valid (empty, complete) page too.
    h.sb.control.setFaults({emptyListingRate: 1});
    await record('/pins', '/pins');
    h.sb.control.clearFaults();

    const statuses = new Set(seen.map((s) => s.status));
    expect([...statuses].sort()).toEqual([200, 400, 401, 404, 429]);
    expect(seen.length).toBeGreaterThan(35);
    expect(seen.flatMap(validate)).toEqual([]);
  });

  test('the validator is not vacuous: a wrong shape fails', () => {
    expect(validate({template: '/pins/{pin_id}', method: 'GET', status: 200, body: {id: 123}})).toHaveLength(
      1
    );
    expect(
      validate({
        template: '/pins/{pin_id}',
        method: 'GET',
        status: 200,
        body: {id: '1', created_at: 'yesterday'},
      })
    ).toHaveLength(1);
    expect(
      validate({
        template: '/ad_accounts/{ad_account_id}/ads/analytics',
        method: 'GET',
        status: 200,
        body: [{AD_ID: 5}],
      })
    ).toHaveLength(1);
    expect(
      validate({template: '/ad_accounts', method: 'GET', status: 429, body: {message: 'x'}})
    ).toHaveLength(1);
  });
});
