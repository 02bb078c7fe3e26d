/**
 * The attribution settings figures are asked with (notes/pinterest-api.md §3: click/engagement/view windows in
 * {0, 1, 7, 14, 30, 60} days, conversion_report_time), always sent explicitly so a change of Pinterest's
 * defaults cannot change what the figures mean, and written into every row (value-schema fields).
 */
import type {AttributionOptions} from '../pinterest/config';

export const WINDOW_DAYS = [0, 1, 7, 14, 30, 60] as const;
export const REPORT_TIMES = ['TIME_OF_AD_ACTION', 'TIME_OF_CONVERSION'] as const;

export interface Attribution {
  readonly clickWindowDays: (typeof WINDOW_DAYS)[number];
  readonly engagementWindowDays: (typeof WINDOW_DAYS)[number];
  readonly viewWindowDays: (typeof WINDOW_DAYS)[number];
  readonly conversionReportTime: (typeof REPORT_TIMES)[number];
}

const W = WINDOW_DAYS.length;

/** One number for the four settings (stored per row as a pseudo-figure). */
export function attributionCode(a: Attribution): number {
  const at = (days: number) => WINDOW_DAYS.indexOf(days as (typeof WINDOW_DAYS)[number]);
  return (
    ((at(a.clickWindowDays) * W + at(a.engagementWindowDays)) * W + at(a.viewWindowDays)) * 2 +
    REPORT_TIMES.indexOf(a.conversionReportTime)
  );
}

export function attributionOfCode(code: number): Attribution | undefined {
  if (!Number.isInteger(code) || code < 0 || code >= W * W * W * 2) return undefined;
  const time = REPORT_TIMES[code % 2];
  let rest = Math.floor(code / 2);
  const view = WINDOW_DAYS[rest % W];
  rest = Math.floor(rest / W);
  const engagement = WINDOW_DAYS[rest % W];
  const click = WINDOW_DAYS[Math.floor(rest / W)];
  if (time === undefined || view === undefined || engagement === undefined || click === undefined)
    return undefined;
  return {
    clickWindowDays: click,
    engagementWindowDays: engagement,
    viewWindowDays: view,
    conversionReportTime: time,
  };
}

/** The value-schema fields of a row (src/collections/analytics-columns.ts ATTRIBUTION_FIELDS). */
export function attributionFields(a: Attribution): Record<string, number | string> {
  return {
    click_window_days: a.clickWindowDays,
    engagement_window_days: a.engagementWindowDays,
    view_window_days: a.viewWindowDays,
    conversion_report_time: a.conversionReportTime,
  };
}

export function attributionOptions(a: Attribution): AttributionOptions {
  return {...a};
}

/** Days after an entity stops delivering during which its rows can still move onto later dates. */
export function conversionLookbackDays(a: Attribution): number {
  return a.conversionReportTime === 'TIME_OF_CONVERSION'
    ? Math.max(a.clickWindowDays, a.engagementWindowDays, a.viewWindowDays)
    : 0;
}
