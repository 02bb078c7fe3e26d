/**
 * Analytics rows as a pure function of (seed, level, entity id, date, days elapsed since the date) plus a small
 * restatement overlay. Spend/impressions/clicks settle after 2 days; conversions keep arriving for the
 * 30-day attribution window (notes/pinterest-api.md §5), so re-reading a past day can give another answer.
 */
import {hash32, hashString} from './rng';
import {dayToDate} from './time-format';

export type AnalyticsLevel = 'ad' | 'campaign' | 'ad_group';

export const LEVEL_ID_COLUMN: Record<AnalyticsLevel, string> = {
  ad: 'AD_ID',
  campaign: 'CAMPAIGN_ID',
  ad_group: 'AD_GROUP_ID',
};

// notes/pinterest-api.md §5: default click/engagement windows are 30 days.
export const ATTRIBUTION_DAYS = 30;
const SETTLE = [0.55, 0.9]; // share of final spend/impressions/clicks on day 0 and day 1 after the date
const LEVEL_SALT: Record<AnalyticsLevel, number> = {ad: 31, campaign: 32, ad_group: 33};
const LEVEL_SCALE: Record<AnalyticsLevel, number> = {ad: 1, campaign: 20, ad_group: 5};

export interface Metrics {
  impressions: number;
  impressions2: number;
  clicks: number;
  clicks2: number;
  outbound: number;
  engagement: number;
  spend: number;
  checkout: number;
  checkoutValue: number;
  pageVisit: number;
  signup: number;
  lead: number;
}

const ZERO: Metrics = {
  impressions: 0,
  impressions2: 0,
  clicks: 0,
  clicks2: 0,
  outbound: 0,
  engagement: 0,
  spend: 0,
  checkout: 0,
  checkoutValue: 0,
  pageVisit: 0,
  signup: 0,
  lead: 0,
};

export function addMetrics(a: Metrics, b: Metrics): Metrics {
  const out = {...a};
  for (const k of Object.keys(out) as (keyof Metrics)[]) out[k] = a[k] + b[k];
  return out;
}

export function restateKey(level: AnalyticsLevel, id: string, day: number): string {
  return `${level}|${id}|${day}`;
}

export class AnalyticsModel {
  /** Extra checkouts per (level, id, day), from `restate` changes. */
  private readonly restated = new Map<string, number>();

  constructor(
    private readonly seed: number,
    /** First day (UTC day number) with data. */
    readonly firstDay: number
  ) {}

  /** Whether the entity had delivery that day (otherwise the row is all zeros and omitted). */
  isActive(level: AnalyticsLevel, id: string, day: number, today: number): boolean {
    if (day < this.firstDay || day > today) return false;
    return hash32(this.seed, LEVEL_SALT[level], hashString(id), day) % 100 < 70;
  }

  metrics(level: AnalyticsLevel, id: string, day: number, today: number): Metrics {
    if (!this.isActive(level, id, day, today)) return ZERO;
    const h = (k: number): number => hash32(this.seed, LEVEL_SALT[level], hashString(id), day, k);
    const scale = LEVEL_SCALE[level];
    const elapsed = today - day;
    const settle = SETTLE[elapsed] ?? 1;
    const conv = (Math.min(elapsed, ATTRIBUTION_DAYS) + 1) / (ATTRIBUTION_DAYS + 1);
    const finalImpressions = scale * (200 + (h(1) % 5000));
    const finalClicks = Math.floor((finalImpressions * (5 + (h(2) % 40))) / 1000);
    const cpc = 150_000 + (h(3) % 1_500_000);
    const impressions = Math.floor(finalImpressions * settle);
    const clicks = Math.floor(finalClicks * settle);
    const checkoutFinal = Math.floor((finalClicks * (h(4) % 30)) / 100);
    const extra = this.restated.get(restateKey(level, id, day)) ?? 0;
    const checkout = Math.floor(checkoutFinal * conv) + extra;
    const orderValue = 20_000_000 + (h(5) % 80) * 1_000_000;
    return {
      impressions,
      impressions2: Math.floor(impressions * 0.3),
      clicks,
      clicks2: Math.floor(clicks * 0.2),
      outbound: Math.floor(clicks * 0.6),
      engagement: Math.floor(clicks * 1.4),
      spend: clicks * cpc,
      checkout,
      checkoutValue: checkout * orderValue,
      pageVisit: Math.floor(((finalClicks * (h(6) % 60)) / 100) * conv),
      signup: Math.floor(((finalClicks * (h(7) % 10)) / 100) * conv),
      lead: Math.floor(((finalClicks * (h(8) % 5)) / 100) * conv),
    };
  }

  restate(level: AnalyticsLevel, id: string, day: number, extraCheckouts: number): void {
    const key = restateKey(level, id, day);
    this.restated.set(key, (this.restated.get(key) ?? 0) + extraCheckouts);
  }
}

type ColumnFn = (m: Metrics) => number;
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** The metric columns the sandbox computes; other valid columns are accepted and omitted ("may not be returned"). */
export const METRIC_COLUMNS: Record<string, ColumnFn> = {
  SPEND_IN_MICRO_DOLLAR: (m) => m.spend,
  SPEND_IN_DOLLAR: (m) => m.spend / 1_000_000,
  PAID_IMPRESSION: (m) => m.impressions,
  IMPRESSION_1: (m) => m.impressions,
  IMPRESSION_2: (m) => m.impressions2,
  TOTAL_IMPRESSION: (m) => m.impressions + m.impressions2,
  CLICKTHROUGH_1: (m) => m.clicks,
  CLICKTHROUGH_2: (m) => m.clicks2,
  TOTAL_CLICKTHROUGH: (m) => m.clicks + m.clicks2,
  OUTBOUND_CLICK_1: (m) => m.outbound,
  ENGAGEMENT_1: (m) => m.engagement,
  TOTAL_ENGAGEMENT: (m) => m.engagement,
  CTR: (m) => ratio(m.clicks, m.impressions),
  ECTR: (m) => ratio(m.clicks, m.impressions),
  CPC_IN_MICRO_DOLLAR: (m) => ratio(m.spend, m.clicks),
  CPM_IN_MICRO_DOLLAR: (m) => ratio(m.spend * 1000, m.impressions),
  TOTAL_CHECKOUT: (m) => m.checkout,
  TOTAL_WEB_CHECKOUT: (m) => m.checkout,
  TOTAL_CLICK_CHECKOUT: (m) => Math.ceil(m.checkout * 0.7),
  TOTAL_VIEW_CHECKOUT: (m) => m.checkout - Math.ceil(m.checkout * 0.7),
  TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: (m) => m.checkoutValue,
  TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR: (m) => m.checkoutValue,
  CHECKOUT_ROAS: (m) => ratio(m.checkoutValue, m.spend),
  TOTAL_PAGE_VISIT: (m) => m.pageVisit,
  TOTAL_SIGNUP: (m) => m.signup,
  TOTAL_LEAD: (m) => m.lead,
  TOTAL_CONVERSIONS: (m) => m.checkout + m.pageVisit + m.signup + m.lead,
};

/** The columns of a ground-truth row (control API `restate` before/after). */
export const TRUTH_COLUMNS = [
  'SPEND_IN_MICRO_DOLLAR',
  'IMPRESSION_1',
  'CLICKTHROUGH_1',
  'TOTAL_CONVERSIONS',
  'TOTAL_CHECKOUT',
  'TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
];

export interface RowSpec {
  level: AnalyticsLevel;
  id: string;
  /** DATE key, absent for TOTAL granularity. */
  day?: number;
  metrics: Metrics;
  columns: readonly string[];
  /** Values of requested id columns (AD_ACCOUNT_ID, CAMPAIGN_ID, ...), when known. */
  idColumns?: Record<string, string>;
}

/** One response row: UPPER_CASE keys, zero and unknown columns omitted; undefined when every metric is zero. */
export function buildRow(spec: RowSpec): Record<string, unknown> | undefined {
  const row: Record<string, unknown> = {};
  if (spec.day !== undefined) row.DATE = dayToDate(spec.day);
  row[LEVEL_ID_COLUMN[spec.level]] = spec.id;
  let any = false;
  for (const column of spec.columns) {
    const fn = METRIC_COLUMNS[column];
    if (fn) {
      const value = fn(spec.metrics);
      if (value !== 0) {
        row[column] = value;
        any = true;
      }
    } else if (spec.idColumns?.[column] !== undefined) {
      row[column] = spec.idColumns[column];
    }
  }
  return any ? row : undefined;
}
