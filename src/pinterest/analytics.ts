/**
 * Analytics reads: ids in batches, date ranges split within the documented limits; the synchronous endpoint
 * for what it reaches (the last 90 days), async reports for older dates. Rows come out normalised with the
 * level id and DATE; a row without them is handed back raw (`rejected`) for the caller to dead-letter.
 */
import type {AttributionOptions} from './config';
import {addDays, chunk, daysBetween, splitDateRange, todayUtc, type DateRange} from './dates';
import type {RateCategory} from './types';

export type AnalyticsLevel = 'ad' | 'campaign' | 'ad_group' | 'ad_account';

export interface AnalyticsRequest {
  level: AnalyticsLevel;
  adAccountId: string;
  /** Ignored for the ad-account level (its endpoint takes no ids). */
  ids: readonly string[];
  /** Inclusive UTC dates, YYYY-MM-DD. */
  startDate: string;
  endDate: string;
  /** Default: the configured analytics columns (sync) and report columns (async). */
  columns?: readonly string[];
  granularity?: 'DAY';
  attribution?: AttributionOptions;
}

export interface AnalyticsRow {
  level: AnalyticsLevel;
  adAccountId: string;
  /** The AD_ID / CAMPAIGN_ID / AD_GROUP_ID / AD_ACCOUNT_ID of the row, always a string (ids exceed 2^53). */
  entityId: string;
  /** YYYY-MM-DD */
  date: string;
  source: 'sync' | 'report';
  /** Every other key of the row as the API gave it; absent metrics had no value. */
  metrics: Record<string, unknown>;
}

/** Rows of one request, and the raw rows that had no usable id or DATE (never dropped silently). */
export interface AnalyticsRows {
  rows: AnalyticsRow[];
  rejected: unknown[];
}

export interface LevelSpec {
  /** Sync endpoint (path template). */
  path: string;
  /** Its id list parameter; null for the ad-account level, which takes none. */
  idParam: string | null;
  /** The row key holding the level's id. */
  idColumn: string;
  /** The async report `level`. */
  reportLevel: string;
  /** The report body's id filter (<= 500 ids); null when the level has none. */
  reportIdFilter: string | null;
  /** Other report row keys that repeat the level's id (dropped so sync and report rows look alike). */
  reportIdAliases: readonly string[];
}

// notes/pinterest-api.md §3 (sync paths, id params, row keys) and §4 (report `level`; PIN_PROMOTION = ad,
// ADVERTISER = ad account, id filters); §10: the ad-account route answers live.
export const LEVELS: Record<AnalyticsLevel, LevelSpec> = {
  ad: {
    path: '/ad_accounts/{ad_account_id}/ads/analytics',
    idParam: 'ad_ids',
    idColumn: 'AD_ID',
    reportLevel: 'PIN_PROMOTION',
    reportIdFilter: 'ad_ids',
    reportIdAliases: ['PIN_PROMOTION_ID'],
  },
  campaign: {
    path: '/ad_accounts/{ad_account_id}/campaigns/analytics',
    idParam: 'campaign_ids',
    idColumn: 'CAMPAIGN_ID',
    reportLevel: 'CAMPAIGN',
    reportIdFilter: 'campaign_ids',
    reportIdAliases: [],
  },
  ad_group: {
    path: '/ad_accounts/{ad_account_id}/ad_groups/analytics',
    idParam: 'ad_group_ids',
    idColumn: 'AD_GROUP_ID',
    reportLevel: 'AD_GROUP',
    reportIdFilter: 'ad_group_ids',
    reportIdAliases: [],
  },
  ad_account: {
    path: '/ad_accounts/{ad_account_id}/analytics',
    idParam: null,
    idColumn: 'AD_ACCOUNT_ID',
    reportLevel: 'ADVERTISER',
    reportIdFilter: null,
    reportIdAliases: ['ADVERTISER_ID'],
  },
};

export const ANALYTICS_CATEGORY: RateCategory = 'ads_analytics';

// notes/pinterest-api.md §3: at most 250 ids per sync analytics request.
export const SYNC_IDS_PER_REQUEST = 250;
// notes/pinterest-api.md §3: start_date at most 90 days back; peers floor at today - 89 days (boundary 400s).
export const SYNC_MAX_DAYS_BACK = 89;
// notes/pinterest-api.md §3: a range of at most 90 days (counted inclusively here, the safe reading).
export const SYNC_MAX_RANGE_DAYS = 90;
// notes/pinterest-api.md §4: report id filters take at most 500 ids each.
export const REPORT_IDS_PER_REQUEST = 500;
// notes/pinterest-api.md §4: "it must be less than 186 days"; 914 days back (Airbyte starts at 913).
export const REPORT_MAX_RANGE_DAYS = 186;
export const REPORT_MAX_DAYS_BACK = 913;

/** One request's worth of analytics: a date range and an id batch, served by the sync endpoint or a report. */
export interface AnalyticsPart extends DateRange {
  level: AnalyticsLevel;
  adAccountId: string;
  /** At most 250 (sync) or 500 (report) ids; null = every entity of the level (reports, the ad-account level). */
  ids: readonly string[] | null;
  columns: readonly string[];
  attribution?: AttributionOptions;
  via: 'sync' | 'report';
}

export interface AnalyticsPlan {
  sync: Array<DateRange & {ids: string[]}>;
  reports: Array<DateRange & {ids: string[]}>;
  /** Set when the request started before the oldest date any endpoint serves. */
  clampedStart?: string;
}

/** Which requests cover `req`, as few as the documented limits allow. */
export function planAnalytics(req: AnalyticsRequest, nowMs: number): AnalyticsPlan {
  const today = todayUtc(nowMs);
  const oldest = addDays(today, -REPORT_MAX_DAYS_BACK);
  const syncFloor = addDays(today, -SYNC_MAX_DAYS_BACK);
  const start = daysBetween(req.startDate, oldest) > 0 ? oldest : req.startDate;
  const end = daysBetween(today, req.endDate) > 0 ? today : req.endDate;
  const plan: AnalyticsPlan = {sync: [], reports: []};
  if (start !== req.startDate) plan.clampedStart = start;
  const withoutIds = LEVELS[req.level].idParam === null;
  const ids = withoutIds ? [] : [...new Set(req.ids)];
  if ((!withoutIds && ids.length === 0) || daysBetween(start, end) < 0) return plan;
  const batches = (size: number) => (withoutIds ? [[]] : chunk(ids, size));

  const syncStart = daysBetween(start, syncFloor) > 0 ? syncFloor : start;
  if (daysBetween(syncStart, end) >= 0) {
    for (const range of splitDateRange(syncStart, end, SYNC_MAX_RANGE_DAYS)) {
      for (const batch of batches(SYNC_IDS_PER_REQUEST)) plan.sync.push({...range, ids: batch});
    }
  }
  const dayBeforeSync = addDays(syncFloor, -1);
  const reportEnd = daysBetween(dayBeforeSync, end) > 0 ? dayBeforeSync : end;
  if (daysBetween(start, reportEnd) >= 0) {
    for (const range of splitDateRange(start, reportEnd, REPORT_MAX_RANGE_DAYS)) {
      for (const batch of batches(REPORT_IDS_PER_REQUEST)) plan.reports.push({...range, ids: batch});
    }
  }
  return plan;
}

/** Query parameters of the sync endpoint; attribution defaults stay the API's unless configured. */
export function attributionQuery(
  attribution: AttributionOptions | undefined
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (attribution?.clickWindowDays !== undefined) out.click_window_days = attribution.clickWindowDays;
  if (attribution?.engagementWindowDays !== undefined)
    out.engagement_window_days = attribution.engagementWindowDays;
  if (attribution?.viewWindowDays !== undefined) out.view_window_days = attribution.viewWindowDays;
  if (attribution?.conversionReportTime !== undefined)
    out.conversion_report_time = attribution.conversionReportTime;
  return out;
}

/**
 * The query of one sync request. Id lists go comma-joined in one value: the form live traffic shows accepted on
 * analytics (notes/pinterest-api.md §10). A server that kept only one of repeated keys would silently answer
 * for 1 id of 250; a comma-joined list it did not accept fails loudly (400 on the id pattern). docs/notes.md
 * ("Analytics") records the choice.
 */
export function syncAnalyticsQuery(part: AnalyticsPart): Record<string, string | number> {
  const spec = LEVELS[part.level];
  const query: Record<string, string | number> = {
    start_date: part.start,
    end_date: part.end,
    // notes/pinterest-api.md §3: `columns` is explode:false, i.e. comma-separated.
    columns: part.columns.join(','),
    granularity: 'DAY',
    ...attributionQuery(part.attribution),
  };
  if (spec.idParam !== null) {
    if (part.ids === null || part.ids.length === 0 || part.ids.length > SYNC_IDS_PER_REQUEST) {
      throw new RangeError(`a sync ${part.level} analytics request takes 1..${SYNC_IDS_PER_REQUEST} ids`);
    }
    query[spec.idParam] = part.ids.join(',');
  }
  return query;
}

export function idString(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  // A JSON number id above 2^53 has already lost digits: refuse it rather than emit a wrong key.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Rows of a sync answer (`[{DATE, AD_ID, ...metrics}]`) -> AnalyticsRows. The ad-account level's rows name the
 * account in AD_ACCOUNT_ID; when a row lacks it, it is the requested account's.
 */
export function normaliseSyncRows(
  rows: readonly unknown[],
  level: AnalyticsLevel,
  adAccountId: string
): AnalyticsRows {
  const out: AnalyticsRows = {rows: [], rejected: []};
  const spec = LEVELS[level];
  for (const row of rows) {
    const record = (row && typeof row === 'object' && !Array.isArray(row) ? row : undefined) as
      Record<string, unknown> | undefined;
    const rawId = record?.[spec.idColumn] ?? (level === 'ad_account' ? adAccountId : undefined);
    const entityId = idString(rawId);
    const date = record?.DATE;
    if (!record || !entityId || typeof date !== 'string' || !ISO_DATE.test(date)) {
      out.rejected.push(row);
      continue;
    }
    const metrics = metricsOf(record, [spec.idColumn], entityId);
    out.rows.push({level, adAccountId, entityId, date, source: 'sync', metrics});
  }
  return out;
}

/** Every key of a row but DATE and the `idKeys` that hold the row's own entity id (the key carries it). */
export function metricsOf(
  record: Record<string, unknown>,
  idKeys: readonly string[],
  entityId: string
): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key];
    if (key === 'DATE' || (idKeys.includes(key) && idString(value) === entityId)) continue;
    metrics[key] = value;
  }
  return metrics;
}
