/**
 * The sandbox's analytics ground truth as the rows a sink table should hold: `GET
 * /_sandbox/truth/<analytics collection>` answers `{items: [{key, row}]}` per ad account, the row in the API's
 * UPPER_CASE columns; the value schema names each column's field in lower snake case, and adds the attribution
 * settings the figures were asked with.
 */
import type {ApiRecord} from './table-comparison';

export interface AnalyticsTruthItem {
  key: Record<string, string>;
  row: Record<string, unknown>;
}

export interface AnalyticsAsked {
  /** analytics.columns: the only figures the service asks for (every other figure column stays null) */
  columns: readonly string[];
  clickWindowDays: number;
  engagementWindowDays: number;
  viewWindowDays: number;
  conversionReportTime: string;
}

/** The API row's asked-for figures under their field names, plus the key and the attribution fields. */
export function analyticsRecord(item: AnalyticsTruthItem, asked: AnalyticsAsked): ApiRecord {
  const figures = Object.fromEntries(
    asked.columns.filter((c) => item.row[c] !== undefined).map((c) => [c.toLowerCase(), item.row[c]])
  );
  return {
    ...figures,
    ...item.key,
    click_window_days: asked.clickWindowDays,
    engagement_window_days: asked.engagementWindowDays,
    view_window_days: asked.viewWindowDays,
    conversion_report_time: asked.conversionReportTime,
  };
}
