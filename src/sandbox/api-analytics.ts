/**
 * Synchronous analytics (notes/pinterest-api.md §3) and async reports (§4): date limits, id limits, column
 * validation, bare-array responses with UPPER_CASE keys, zero rows and zero columns omitted.
 */
import {addMetrics, AnalyticsLevel, buildRow, Metrics} from './analytics';
import {SYNC_ANALYTICS_COLUMNS} from './analytics-columns';
import {accountScope} from './api-entities';
import {ApiError, invalidParameter} from './api-error';
import {ApiRecord} from './generate-ads';
import {EntityKind} from './ids';
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

const LEVEL_KIND: Record<AnalyticsLevel, EntityKind> = {
  ad: 'ads',
  campaign: 'campaigns',
  ad_group: 'ad_groups',
};

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

/** The id columns an entity can fill in a row (AD_ACCOUNT_ID, CAMPAIGN_ID, ...). */
function idColumns(record: ApiRecord | undefined, accountId: string): Record<string, string> {
  const out: Record<string, string> = {AD_ACCOUNT_ID: accountId, ADVERTISER_ID: accountId};
  if (!record) return out;
  const put = (col: string, field: string): void => {
    if (typeof record[field] === 'string') out[col] = record[field] as string;
  };
  put('CAMPAIGN_ID', record.type === 'campaign' ? 'id' : 'campaign_id');
  if (record.type === 'adgroup') put('AD_GROUP_ID', 'id');
  else put('AD_GROUP_ID', 'ad_group_id');
  if (record.type === 'pinpromotion') {
    put('AD_ID', 'id');
    put('PIN_PROMOTION_ID', 'id');
    put('PIN_ID', 'pin_id');
  }
  return out;
}

interface RowsRequest {
  level: AnalyticsLevel;
  scope: number;
  ids: string[];
  startDay: number;
  endDay: number;
  columns: readonly string[];
  total: boolean;
  today: number;
}

/** Rows of many entities (id-major, date order); entities of other accounts give no rows. */
export function analyticsRows(state: SandboxState, q: RowsRequest): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  const kind = LEVEL_KIND[q.level];
  const accountId = state.ids.encode('ad_accounts', -1, q.scope);
  for (const id of q.ids) {
    const decoded = state.ids.decode(kind, id);
    if (!decoded || decoded.scope !== q.scope || decoded.index >= state.store.count(kind, q.scope)) continue;
    // Deleted entities keep their history: generate the record only for its creation day and parents.
    const record =
      state.store.get(kind, q.scope, decoded.index) ?? state.store.generate(kind, q.scope, decoded.index);
    const createdDay =
      typeof record.created_time === 'number' ? utcDay(record.created_time * 1000) : q.startDay;
    const cols = idColumns(record, accountId);
    const rows: Record<string, unknown>[] = [];
    let sum: Metrics | undefined;
    for (let day = Math.max(q.startDay, createdDay); day <= q.endDay; day++) {
      const m = state.analytics.metrics(q.level, id, day, q.today);
      if (q.total) {
        sum = sum ? addMetrics(sum, m) : m;
        continue;
      }
      const row = buildRow({level: q.level, id, day, metrics: m, columns: q.columns, idColumns: cols});
      if (row) rows.push(row);
    }
    if (q.total && sum) {
      const row = buildRow({level: q.level, id, metrics: sum, columns: q.columns, idColumns: cols});
      if (row) rows.push(row);
    }
    if (rows.length > 0) out.set(id, rows);
  }
  return out;
}

function syncAnalytics(level: AnalyticsLevel, state: SandboxState, req: ApiRequest) {
  const scope = accountScope(state, req.params.ad_account_id ?? '');
  const q = req.query;
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
  let ids: string[];
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
    if (adIds) ids = adIds;
    else if (campaignIds && pinIds) ids = adsOfCampaignsAndPins(state, scope, campaignIds, new Set(pinIds));
    else throw badIds();
  } else {
    const name = level === 'campaign' ? 'campaign_ids' : 'ad_group_ids';
    const list = idList(q, name, SYNC_MAX_IDS);
    if (!list) throw badIds();
    ids = list;
  }
  const rows = analyticsRows(state, {
    level,
    scope,
    ids,
    startDay,
    endDay,
    columns,
    total: granularity === 'TOTAL',
    today,
  });
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

const REPORT_LEVELS: Record<string, AnalyticsLevel> = {
  PIN_PROMOTION: 'ad',
  CAMPAIGN: 'campaign',
  AD_GROUP: 'ad_group',
};
// Spec `AdsAnalyticsCreateAsyncRequest.level` values the sandbox does not produce.
const OTHER_REPORT_LEVELS = new Set([
  'ADVERTISER',
  'KEYWORD',
  'PRODUCT_GROUP',
  'PRODUCT_ITEM',
  'ADVERTISER_TARGETING',
]);

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
  const level = String(b.level);
  if (!(level in REPORT_LEVELS)) {
    if (OTHER_REPORT_LEVELS.has(level) || level.endsWith('_TARGETING')) {
      throw invalidParameter(
        `level ${level} is not implemented by the sandbox (PIN_PROMOTION, CAMPAIGN, AD_GROUP are)`
      );
    }
    throw invalidParameter(`Invalid value for parameter 'level': '${level}'`);
  }
  const granularity = String(b.granularity);
  if (granularity !== 'DAY' && granularity !== 'TOTAL') {
    throw invalidParameter(
      `granularity ${granularity} is not implemented by the sandbox (DAY and TOTAL are)`
    );
  }
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
  const idField = {ad: 'ad_ids', campaign: 'campaign_ids', ad_group: 'ad_group_ids'}[
    REPORT_LEVELS[level] as AnalyticsLevel
  ];
  let ids: string[] | undefined;
  for (const name of ['campaign_ids', 'ad_group_ids', 'ad_ids']) {
    const v = b[name];
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && /^\d+$/.test(x))) {
      throw invalidParameter(`Parameter '${name}' must be a list of numeric strings`);
    }
    if (v.length > REPORT_MAX_IDS)
      throw invalidParameter(`Parameter '${name}' has ${v.length} items, the maximum is 500`);
    if (name === idField) ids = v as string[];
  }
  return {
    scope,
    level: level as ReportRequest['level'],
    columns: b.columns as string[],
    granularity,
    startDay,
    endDay,
    ids,
  };
}

/** The report file: BY_ID layout `{"<entity id>": [rows]}` (notes/pinterest-api.md §4). */
export function buildReport(
  state: SandboxState,
  request: ReportRequest,
  atMs: number
): Record<string, unknown[]> {
  const level = REPORT_LEVELS[request.level] as AnalyticsLevel;
  const kind = LEVEL_KIND[level];
  const ids = request.ids ?? state.store.all(kind, request.scope).map((r) => r.id as string);
  const rows = analyticsRows(state, {
    level,
    scope: request.scope,
    ids,
    startDay: request.startDay,
    endDay: request.endDay,
    columns: request.columns,
    total: request.granularity === 'TOTAL',
    today: utcDay(atMs),
  });
  const out: Record<string, unknown[]> = {};
  for (const [id, list] of rows) {
    out[id] = level === 'ad' ? list.map((r) => ({...r, PIN_PROMOTION_ID: id})) : list;
  }
  return out;
}

const ADS_ANALYTICS = ['ads_analytics'] as const;

export const ANALYTICS_ROUTES: Route[] = [
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}/ads/analytics',
    categories: ADS_ANALYTICS,
    auth: true,
    analytics: true,
    handle: (state, req) => syncAnalytics('ad', state, req),
  },
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}/campaigns/analytics',
    categories: ADS_ANALYTICS,
    auth: true,
    analytics: true,
    handle: (state, req) => syncAnalytics('campaign', state, req),
  },
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}/ad_groups/analytics',
    categories: ADS_ANALYTICS,
    auth: true,
    analytics: true,
    handle: (state, req) => syncAnalytics('ad_group', state, req),
  },
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
