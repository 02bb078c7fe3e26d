/**
 * Analytics reads: ids in batches, date ranges split within the documented limits; the synchronous endpoint
 * for what it reaches (the last 90 days), async reports for older dates. Rows come out normalised with the
 * level id and DATE.
 */
import type {AttributionOptions} from './config';
import {addDays, chunk, daysBetween, splitDateRange, todayUtc, type DateRange} from './dates';
import {TransientError} from './errors';
import type {RateCategory} from './types';

export type AnalyticsLevel = 'ad' | 'campaign' | 'ad_group';

export interface AnalyticsRequest {
  level: AnalyticsLevel;
  adAccountId: string;
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
  /** The AD_ID / CAMPAIGN_ID / AD_GROUP_ID of the row, always a string (ids exceed 2^53). */
  entityId: string;
  /** YYYY-MM-DD */
  date: string;
  source: 'sync' | 'report';
  /** Every other key of the row as the API gave it; absent metrics had no value. */
  metrics: Record<string, unknown>;
}

export interface LevelSpec {
  path: string;
  idParam: string;
  idColumn: string;
  reportLevel: string;
}

// notes/pinterest-api.md §3 (sync paths, id params, row keys) and §4 (report `level`; PIN_PROMOTION = ad).
export const LEVELS: Record<AnalyticsLevel, LevelSpec> = {
  ad: {
    path: '/ad_accounts/{ad_account_id}/ads/analytics',
    idParam: 'ad_ids',
    idColumn: 'AD_ID',
    reportLevel: 'PIN_PROMOTION',
  },
  campaign: {
    path: '/ad_accounts/{ad_account_id}/campaigns/analytics',
    idParam: 'campaign_ids',
    idColumn: 'CAMPAIGN_ID',
    reportLevel: 'CAMPAIGN',
  },
  ad_group: {
    path: '/ad_accounts/{ad_account_id}/ad_groups/analytics',
    idParam: 'ad_group_ids',
    idColumn: 'AD_GROUP_ID',
    reportLevel: 'AD_GROUP',
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
  const ids = [...new Set(req.ids)];
  if (ids.length === 0 || daysBetween(start, end) < 0) return plan;

  const syncStart = daysBetween(start, syncFloor) > 0 ? syncFloor : start;
  if (daysBetween(syncStart, end) >= 0) {
    for (const range of splitDateRange(syncStart, end, SYNC_MAX_RANGE_DAYS)) {
      for (const batch of chunk(ids, SYNC_IDS_PER_REQUEST)) plan.sync.push({...range, ids: batch});
    }
  }
  const dayBeforeSync = addDays(syncFloor, -1);
  const reportEnd = daysBetween(dayBeforeSync, end) > 0 ? dayBeforeSync : end;
  if (daysBetween(start, reportEnd) >= 0) {
    for (const range of splitDateRange(start, reportEnd, REPORT_MAX_RANGE_DAYS)) {
      for (const batch of chunk(ids, REPORT_IDS_PER_REQUEST)) plan.reports.push({...range, ids: batch});
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

function idString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  // A JSON number id above 2^53 has already lost digits: refuse it rather than emit a wrong key.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** A sync row `{DATE, AD_ID, ...metrics}` -> AnalyticsRow. */
export function normaliseSyncRow(
  row: unknown,
  level: AnalyticsLevel,
  adAccountId: string,
  endpoint: string
): AnalyticsRow {
  const spec = LEVELS[level];
  const record = (row && typeof row === 'object' ? row : {}) as Record<string, unknown>;
  const entityId = idString(record[spec.idColumn]);
  const date = typeof record.DATE === 'string' ? record.DATE : undefined;
  if (!entityId || !date) {
    throw new TransientError(`Pinterest ${endpoint}: an analytics row without ${spec.idColumn} or DATE`, {
      endpoint,
      status: 200,
      retriable: true,
      reason: 'malformed',
    });
  }
  const metrics: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'DATE' && key !== spec.idColumn) metrics[key] = value;
  }
  return {level, adAccountId, entityId, date, source: 'sync', metrics};
}
