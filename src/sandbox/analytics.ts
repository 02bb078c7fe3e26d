/**
 * Analytics figures. Delivery happens per ad group and day: the group's figures per unit of weight (a pure
 * function of seed, ad account, ad group, date and days elapsed since the date) times the summed weight of its
 * ads delivering that day (delivery.ts), plus restated checkouts. Every count is linear in the weight, so an ad
 * group's row is the sum of its ads' rows, a campaign's the sum of its ad groups', an account's the sum of all
 * (ratio columns are computed from the sums). Spend/impressions/clicks settle after 2 days; conversions keep
 * arriving for the 30-day attribution window (notes/pinterest-api.md §5), so re-reading a day can change it.
 */
import {hash32} from './rng';

export type AnalyticsLevel = 'ad' | 'ad_group' | 'campaign' | 'ad_account';

export const LEVEL_ID_COLUMN: Record<AnalyticsLevel, string> = {
  ad: 'AD_ID',
  ad_group: 'AD_GROUP_ID',
  campaign: 'CAMPAIGN_ID',
  ad_account: 'AD_ACCOUNT_ID',
};

// notes/pinterest-api.md §5: default click/engagement windows are 30 days.
export const ATTRIBUTION_DAYS = 30;
const SETTLE = [0.55, 0.9]; // share of final spend/impressions/clicks on day 0 and day 1 after the date
const FIGURES_SALT = 41;

export interface Metrics {
  impressions: number;
  impressions2: number;
  clicks: number;
  clicks2: number;
  outbound: number;
  engagement: number;
  spend: number;
  checkout: number;
  clickCheckout: number;
  checkoutValue: number;
  pageVisit: number;
  signup: number;
  lead: number;
}

export const ZERO: Readonly<Metrics> = {
  impressions: 0,
  impressions2: 0,
  clicks: 0,
  clicks2: 0,
  outbound: 0,
  engagement: 0,
  spend: 0,
  checkout: 0,
  clickCheckout: 0,
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

/** An ad group's figures on a date, per unit of delivering weight, as of `today`. */
export interface GroupDayFigures {
  unit: Metrics;
  /** Micro-currency per checkout, for restated checkouts. */
  orderValue: number;
}

export function groupDayFigures(
  seed: number,
  scope: number,
  group: number,
  day: number,
  today: number
): GroupDayFigures {
  const h = (k: number): number => hash32(seed, FIGURES_SALT, scope, group, day, k);
  const elapsed = today - day;
  const settle = SETTLE[elapsed] ?? 1;
  const conv = (Math.min(elapsed, ATTRIBUTION_DAYS) + 1) / (ATTRIBUTION_DAYS + 1);
  const finalImpressions = 40 + (h(1) % 900);
  const finalClicks = Math.floor((finalImpressions * (5 + (h(2) % 40))) / 1000);
  const cpc = 150_000 + (h(3) % 1_500_000);
  const impressions = Math.floor(finalImpressions * settle);
  const clicks = Math.floor(finalClicks * settle);
  const checkout = Math.floor(Math.floor((finalImpressions * (h(4) % 30)) / 1000) * conv);
  const orderValue = 20_000_000 + (h(5) % 80) * 1_000_000;
  return {
    orderValue,
    unit: {
      impressions,
      impressions2: Math.floor(impressions * 0.3),
      clicks,
      clicks2: Math.floor(clicks * 0.2),
      outbound: Math.floor(clicks * 0.6),
      engagement: Math.floor(clicks * 1.4),
      spend: clicks * cpc,
      checkout,
      clickCheckout: Math.ceil(checkout * 0.7),
      checkoutValue: checkout * orderValue,
      pageVisit: Math.floor(Math.floor((finalImpressions * (h(6) % 60)) / 1000) * conv),
      signup: Math.floor(Math.floor((finalImpressions * (h(7) % 10)) / 1000) * conv),
      lead: Math.floor(Math.floor((finalImpressions * (h(8) % 5)) / 1000) * conv),
    },
  };
}

/** Figures times a delivering weight, plus restated (click) checkouts. */
export function weighFigures(figures: GroupDayFigures, weight: number, extraCheckouts: number): Metrics {
  const out = {...figures.unit};
  for (const k of Object.keys(out) as (keyof Metrics)[]) out[k] *= weight;
  out.checkout += extraCheckouts;
  out.clickCheckout += extraCheckouts;
  out.checkoutValue += extraCheckouts * figures.orderValue;
  return out;
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
  TOTAL_CLICK_CHECKOUT: (m) => m.clickCheckout,
  TOTAL_VIEW_CHECKOUT: (m) => m.checkout - m.clickCheckout,
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
  /** DATE value (YYYY-MM-DD), absent for TOTAL granularity. */
  date?: string;
  metrics: Metrics;
  columns: readonly string[];
  /** Values of requested id columns (AD_ACCOUNT_ID, CAMPAIGN_ID, ...), when known. */
  idColumns?: Record<string, string>;
}

/** One response row: UPPER_CASE keys, zero and unknown columns omitted; undefined when every metric is zero. */
export function buildRow(spec: RowSpec): Record<string, unknown> | undefined {
  const row: Record<string, unknown> = {};
  if (spec.date !== undefined) row.DATE = spec.date;
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
