/**
 * Synchronous analytics (notes/pinterest-api.md §3) and async reports (§4): date limits, id limits, column
 * validation, bare-array responses with UPPER_CASE keys, zero rows and zero columns omitted.
 */
import {AnalyticsLevel} from './analytics';
import {SYNC_ANALYTICS_COLUMNS} from './analytics-columns';
import {analyticsRows, levelIds} from './analytics-rows';
import {accountScope} from './api-entities';
import {ApiError, invalidParameter} from './api-error';
import {idList} from './query';
import {reportRangeError, ReportRequest} from './reports';
import {ApiRequest, ok, Route} from './route';
import {SandboxState} from './state';
import {parseDate, utcDay} from './time-format';

// notes/pinterest-api.md §3: non-HOUR sync analytics reach 90 days back, range at most 90 days; 250 ids.
export const SYNC_MAX_DAYS_BACK = 90;
export const SYNC_MAX_RANGE_DAYS = 90;
export const SYNC_MAX_IDS = 250;
// notes/pinterest-api.md §3: `pin_ids` with campaign_ids, 1..100.
export const SYNC_MAX_PIN_IDS = 100;
// notes/pinterest-api.md §4: reports reach 914 days back, range below 186 days, <= 500 ids per filter.
export const REPORT_MAX_DAYS_BACK = 914;
export const REPORT_MAX_RANGE_DAYS = 186;
export const REPORT_MAX_IDS = 500;
const ATTRIBUTION_WINDOWS = new Set(['0', '1', '7', '14', '30', '60']);

function required(params: URLSearchParams, name: string): string {
  const v = params.get(name);
  // [I] live wording for a missing required parameter not recorded.
  if (v === null || v === '') throw invalidParameter(`Parameter '${name}' is required`);
  return v;
}

function dateParam(name: string, raw: string): number {
  const day = parseDate(raw);
  if (day === undefined)
    throw invalidParameter(`Parameter '${name}' value '${raw}' is not a valid date (YYYY-MM-DD)`);
  return day;
}

/**
 * The checks every synchronous analytics level shares: dates (90 days back, 90-day range), columns,
 * granularity, attribution windows. Returns the date range and what the rows need.
 */
function commonParams(state: SandboxState, q: URLSearchParams) {
  const startDay = dateParam('start_date', required(q, 'start_date'));
  const endDay = dateParam('end_date', required(q, 'end_date'));
  const columns = required(q, 'columns').split(',');
  const granularity = required(q, 'granularity');
  for (const c of columns) {
    if (!SYNC_ANALYTICS_COLUMNS.has(c))
      throw invalidParameter(`Invalid value for parameter 'columns': '${c}'`);
  }
  if (!['TOTAL', 'DAY', 'HOUR', 'WEEK', 'MONTH'].includes(granularity)) {
    throw invalidParameter(`Invalid value for parameter 'granularity': '${granularity}'`);
  }
  if (granularity !== 'TOTAL' && granularity !== 'DAY') {
    throw invalidParameter(
      `granularity ${granularity} is not implemented by the sandbox (DAY and TOTAL are)`
    );
  }
  for (const name of ['click_window_days', 'engagement_window_days', 'view_window_days']) {
    const v = q.get(name);
    if (v !== null && !ATTRIBUTION_WINDOWS.has(v))
      throw invalidParameter(`Invalid value for parameter '${name}': '${v}'`);
  }
  const today = utcDay(state.clock.nowMs());
  if (endDay < startDay) throw invalidParameter('Parameter end_date must be on or after start_date');
  // Live message recorded by several clients (notes/pinterest-api.md §3), code 1.
  if (startDay < today - SYNC_MAX_DAYS_BACK)
    throw invalidParameter('You can only get data from the last 90 days.');
  // [I] live wording for a too-long sync range not recorded.
  if (endDay - startDay > SYNC_MAX_RANGE_DAYS) {
    throw invalidParameter('The time range specified is too large, it must be at most 90 days');
  }
  return {startDay, endDay, columns, total: granularity === 'TOTAL', today};
}

/** The ids a level's request names (ad account level: the account itself). */
function requestedIds(
  level: AnalyticsLevel,
  state: SandboxState,
  scope: number,
  q: URLSearchParams
): string[] {
  if (level === 'ad_account') return levelIds(state, 'ad_account', scope);
  const badIds = (): ApiError => {
    // Bodies from the spec's examples for each endpoint's 400.
    const what = {ad: 'ads', campaign: 'campaign', ad_group: 'group'}[level];
    return new ApiError(400, 400, `Invalid ad account ${what} analytics parameters.`);
  };
  if (level === 'ad') {
    const adIds = idList(q, 'ad_ids', SYNC_MAX_IDS);
    const campaignIds = idList(q, 'campaign_ids', SYNC_MAX_IDS);
    const pinIds = idList(q, 'pin_ids', SYNC_MAX_PIN_IDS);
    // Spec: "either ad_ids or both campaign_ids and pin_ids".
    if (adIds && (campaignIds || pinIds)) throw badIds();
    if (adIds) return adIds;
    if (campaignIds && pinIds) return adsOfCampaignsAndPins(state, scope, campaignIds, new Set(pinIds));
    throw badIds();
  }
  const list = idList(q, level === 'campaign' ? 'campaign_ids' : 'ad_group_ids', SYNC_MAX_IDS);
  if (!list) throw badIds();
  return list;
}

function syncAnalytics(level: AnalyticsLevel, state: SandboxState, req: ApiRequest) {
  const scope = accountScope(state, req.params.ad_account_id ?? '');
  const common = commonParams(state, req.query);
  const ids = requestedIds(level, state, scope, req.query);
  const rows = analyticsRows(state, {level, scope, ids, ...common});
  return ok([...rows.values()].flat());
}

function adsOfCampaignsAndPins(
  state: SandboxState,
  scope: number,
  campaignIds: string[],
  pins: Set<string>
): string[] {
  const s = state.gen.scale;
  const span = s.adGroupsPerCampaign * s.adsPerAdGroup;
  const wanted = new Set(campaignIds);
  const ranges = campaignIds
    .map((id) => state.ids.decode('campaigns', id))
    .filter((d): d is {scope: number; index: number} => d !== undefined && d.scope === scope)
    .map((d) => ({start: d.index * span, end: (d.index + 1) * span, step: 1}));
  const page = state.store.list('ads', scope, {
    desc: false,
    pageSize: Number.MAX_SAFE_INTEGER,
    baseRanges: ranges,
    predicate: (r) => wanted.has(r.campaign_id as string) && pins.has(r.pin_id as string),
  });
  return page.items.map((r) => r.id as string);
}

// Spec `AdsAnalyticsCreateAsyncRequest.level`: the levels the sandbox produces (ADVERTISER = the ad account).
const REPORT_LEVELS: Record<string, AnalyticsLevel> = {
  PIN_PROMOTION: 'ad',
  AD_GROUP: 'ad_group',
  CAMPAIGN: 'campaign',
  ADVERTISER: 'ad_account',
};
// Spec levels the sandbox does not produce.
const OTHER_REPORT_LEVELS = new Set(['KEYWORD', 'PRODUCT_GROUP', 'PRODUCT_ITEM']);
const REPORT_ID_FILTERS = ['campaign_ids', 'ad_group_ids', 'ad_ids'] as const;

/** JSON with object keys sorted, so key order does not make two requests differ. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function optionalEnum(b: Record<string, unknown>, name: string, implemented: string, known: string[]): void {
  const v = b[name];
  if (v === undefined || v === null || v === implemented) return;
  if (!known.includes(String(v)))
    throw invalidParameter(`Invalid value for parameter '${name}': '${String(v)}'`);
  throw invalidParameter(`${name} ${String(v)} is not implemented by the sandbox (${implemented} is)`);
}

function reportRequest(state: SandboxState, scope: number, body: Buffer): ReportRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidParameter('Invalid request body: not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalidParameter('Invalid request body');
  const b = parsed as Record<string, unknown>;
  for (const name of ['start_date', 'end_date', 'granularity', 'level', 'columns']) {
    if (b[name] === undefined || b[name] === null) throw invalidParameter(`Parameter '${name}' is required`);
  }
  const startDay = dateParam('start_date', String(b.start_date));
  const endDay = dateParam('end_date', String(b.end_date));
  const levelName = String(b.level);
  const level = REPORT_LEVELS[levelName];
  if (!level) {
    if (OTHER_REPORT_LEVELS.has(levelName) || levelName.endsWith('_TARGETING')) {
      throw invalidParameter(
        `level ${levelName} is not implemented by the sandbox (${Object.keys(REPORT_LEVELS).join(', ')} are)`
      );
    }
    throw invalidParameter(`Invalid value for parameter 'level': '${levelName}'`);
  }
  const granularity = String(b.granularity);
  if (granularity !== 'DAY' && granularity !== 'TOTAL') {
    throw invalidParameter(
      `granularity ${granularity} is not implemented by the sandbox (DAY and TOTAL are)`
    );
  }
  optionalEnum(b, 'report_format', 'JSON', ['JSON', 'CSV']);
  optionalEnum(b, 'primary_sort', 'BY_ID', ['BY_ID', 'BY_DATE']);
  if (
    !Array.isArray(b.columns) ||
    b.columns.length === 0 ||
    !b.columns.every((c) => typeof c === 'string' && /^[A-Z0-9_]+$/.test(c))
  ) {
    throw invalidParameter("Parameter 'columns' must be a non-empty list of column names");
  }
  const today = utcDay(state.clock.nowMs());
  if (endDay < startDay) throw invalidParameter('Parameter end_date must be on or after start_date');
  // [I] live wording for the 914-day limit not recorded.
  if (startDay < today - REPORT_MAX_DAYS_BACK)
    throw invalidParameter('You can only get data from the last 914 days.');
  if (endDay - startDay >= REPORT_MAX_RANGE_DAYS) throw reportRangeError();
  const filters: ReportRequest['filters'] = {};
  for (const name of REPORT_ID_FILTERS) {
    const v = b[name];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && /^\d+$/.test(x))) {
      throw invalidParameter(`Parameter '${name}' must be a list of numeric strings`);
    }
    // notes/pinterest-api.md §4: at most 500 ids per filter.
    if (v.length > REPORT_MAX_IDS)
      throw invalidParameter(`Parameter '${name}' has ${v.length} items, the maximum is ${REPORT_MAX_IDS}`);
    filters[name] = v as string[];
  }
  return {
    scope,
    accountId: state.ids.encode('ad_accounts', -1, scope),
    level,
    columns: b.columns as string[],
    granularity,
    startDay,
    endDay,
    filters,
    canonical: `${scope}|${canonicalJson(b)}`,
  };
}

/** The entity ids a report covers: every entity of its level in the account, narrowed by its id filters. */
function reportIds(state: SandboxState, request: ReportRequest): string[] {
  const all = levelIds(state, request.level, request.scope);
  const filters = Object.entries(request.filters);
  if (request.level === 'ad_account' || filters.length === 0) return all;
  const kind = request.level === 'ad' ? 'ads' : request.level === 'ad_group' ? 'ad_groups' : 'campaigns';
  const field: Record<string, Record<string, string>> = {
    ads: {campaign_ids: 'campaign_id', ad_group_ids: 'ad_group_id', ad_ids: 'id'},
    ad_groups: {campaign_ids: 'campaign_id', ad_group_ids: 'id'},
    campaigns: {campaign_ids: 'id'},
  };
  const tests = filters.map(([name, ids]) => ({field: field[kind]?.[name], ids: new Set(ids)}));
  return all.filter((id, index) => {
    const record = state.store.peek(kind, request.scope, index);
    // [I] a filter on a level the report's entities do not carry (e.g. ad_ids on CAMPAIGN) narrows nothing.
    return tests.every(
      (t) => t.field === undefined || (record !== undefined && t.ids.has(record[t.field] as string))
    );
  });
}

/** The report file: BY_ID layout `{"<entity id>": [rows]}` (notes/pinterest-api.md §4). */
export function buildReport(
  state: SandboxState,
  request: ReportRequest,
  atMs: number
): Record<string, unknown[]> {
  const rows = analyticsRows(state, {
    level: request.level,
    scope: request.scope,
    ids: reportIds(state, request),
    startDay: request.startDay,
    endDay: request.endDay,
    columns: request.columns,
    total: request.granularity === 'TOTAL',
    today: utcDay(atMs),
  });
  // [I] Report rows also carry the report level's own id column name (PIN_PROMOTION_ID, ADVERTISER_ID).
  const alias: Partial<Record<AnalyticsLevel, string>> = {
    ad: 'PIN_PROMOTION_ID',
    ad_account: 'ADVERTISER_ID',
  };
  const extra = alias[request.level];
  const out: Record<string, unknown[]> = {};
  for (const [id, list] of rows) out[id] = extra ? list.map((r) => ({...r, [extra]: id})) : list;
  return out;
}

const ADS_ANALYTICS = ['ads_analytics'] as const;

function syncRoute(template: string, level: AnalyticsLevel): Route {
  return {
    method: 'GET',
    template,
    categories: ADS_ANALYTICS,
    auth: true,
    analytics: true,
    handle: (state, req) => syncAnalytics(level, state, req),
  };
}

export const ANALYTICS_ROUTES: Route[] = [
  syncRoute('/v5/ad_accounts/{ad_account_id}/ads/analytics', 'ad'),
  syncRoute('/v5/ad_accounts/{ad_account_id}/campaigns/analytics', 'campaign'),
  syncRoute('/v5/ad_accounts/{ad_account_id}/ad_groups/analytics', 'ad_group'),
  syncRoute('/v5/ad_accounts/{ad_account_id}/analytics', 'ad_account'),
  {
    method: 'POST',
    template: '/v5/ad_accounts/{ad_account_id}/reports',
    categories: ADS_ANALYTICS,
    auth: true,
    analytics: true,
    handle: (state, req) => {
      const scope = accountScope(state, req.params.ad_account_id ?? '');
      return ok(state.reports.create(reportRequest(state, scope, req.body)));
    },
  },
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}/reports',
    // notes/pinterest-api.md §7: report polls carry both the ads_analytics and the analytics_get_report bucket.
    categories: ['ads_analytics', 'analytics_get_report'],
    auth: true,
    handle: (state, req) => {
      const scope = accountScope(state, req.params.ad_account_id ?? '');
      const token = req.query.get('token');
      if (!token) throw invalidParameter("Parameter 'token' is required");
      return ok(state.reports.poll(scope, token, req.origin));
    },
  },
];
