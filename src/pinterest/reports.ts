/**
 * Async analytics reports (notes/pinterest-api.md §4): POST /reports, poll the token with backoff on the
 * analytics_get_report budget, download the pre-signed `url`, parse the BY_ID JSON `{<id>: [rows]}`.
 */
import {LEVELS, metricsOf, type AnalyticsLevel, type AnalyticsRows} from './analytics';
import type {AttributionOptions, ReportOptions} from './config';
import type {DateRange} from './dates';
import {ReportFailedError, TransientError} from './errors';
import type {Clock, Logger, RateCategory, Sleep} from './types';

export const REPORTS_ENDPOINT = '/ad_accounts/{ad_account_id}/reports';
export const REPORT_FILE_ENDPOINT = 'report-file';

/** What reports need from the client (kept narrow so they can be tested alone). */
export interface ReportApi {
  get(req: {
    path: string;
    pathParams: Record<string, string>;
    query: Record<string, string>;
    category: RateCategory;
  }): Promise<unknown>;
  post(req: {
    path: string;
    pathParams: Record<string, string>;
    category: RateCategory;
    body: unknown;
  }): Promise<unknown>;
  download(url: string): Promise<unknown>;
}

export interface ReportJob extends DateRange {
  level: AnalyticsLevel;
  adAccountId: string;
  /** At most 500; null = no id filter: every entity of the level (the ADVERTISER level has no filter). */
  ids: readonly string[] | null;
  columns: readonly string[];
  attribution?: AttributionOptions;
}

// notes/pinterest-api.md §4: statuses after which polling cannot succeed.
const FAILED_STATUSES = new Set(['FAILED', 'EXPIRED', 'CANCELLED', 'DOES_NOT_EXIST']);

export function reportBody(job: ReportJob): Record<string, unknown> {
  const spec = LEVELS[job.level];
  const body: Record<string, unknown> = {
    start_date: job.start,
    end_date: job.end,
    granularity: 'DAY',
    level: spec.reportLevel,
    columns: [...job.columns],
    report_format: 'JSON',
    primary_sort: 'BY_ID',
  };
  if (job.ids !== null && spec.reportIdFilter !== null) body[spec.reportIdFilter] = [...job.ids];
  const a = job.attribution;
  if (a?.clickWindowDays !== undefined) body.click_window_days = a.clickWindowDays;
  if (a?.engagementWindowDays !== undefined) body.engagement_window_days = a.engagementWindowDays;
  if (a?.viewWindowDays !== undefined) body.view_window_days = a.viewWindowDays;
  if (a?.conversionReportTime !== undefined) body.conversion_report_time = a.conversionReportTime;
  return body;
}

function malformed(endpoint: string, what: string): TransientError {
  return new TransientError(`Pinterest ${endpoint}: ${what}`, {
    endpoint,
    status: 200,
    retriable: true,
    reason: 'malformed',
  });
}

/**
 * BY_ID JSON: `{"<entity id>": [{DATE, ...metrics}]}`; rows whose columns are all 0 are simply absent. The file
 * may come as text (the live URL names a `.txt` file, notes/pinterest-api.md §10). An entry or row without a
 * usable id or DATE is handed back raw in `rejected`; a file that is not such an object is malformed.
 */
export function parseByIdReport(file: unknown, job: Pick<ReportJob, 'level' | 'adAccountId'>): AnalyticsRows {
  let parsed = file;
  if (typeof file === 'string') {
    try {
      parsed = JSON.parse(file) as unknown;
    } catch {
      throw malformed(REPORT_FILE_ENDPOINT, 'not JSON');
    }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw malformed(REPORT_FILE_ENDPOINT, 'not a BY_ID object');
  const spec = LEVELS[job.level];
  const idKeys = [spec.idColumn, ...spec.reportIdAliases];
  const out: AnalyticsRows = {rows: [], rejected: []};
  for (const [entityId, list] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(list) || !/^\d+$/.test(entityId)) {
      out.rejected.push({[entityId]: list});
      continue;
    }
    for (const row of list) {
      const record = (row && typeof row === 'object' && !Array.isArray(row) ? row : undefined) as
        Record<string, unknown> | undefined;
      if (!record || typeof record.DATE !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(record.DATE)) {
        out.rejected.push({[spec.idColumn]: entityId, row});
        continue;
      }
      out.rows.push({
        level: job.level,
        adAccountId: job.adAccountId,
        entityId,
        date: record.DATE,
        source: 'report',
        metrics: metricsOf(record, idKeys, entityId),
      });
    }
  }
  return out;
}

export interface ReportRunnerDeps {
  api: ReportApi;
  options: ReportOptions;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
}

export async function runReport(job: ReportJob, deps: ReportRunnerDeps): Promise<AnalyticsRows> {
  const {api, options, clock, sleep} = deps;
  const pathParams = {ad_account_id: job.adAccountId};
  const created = (await api.post({
    path: REPORTS_ENDPOINT,
    pathParams,
    category: 'ads_analytics',
    body: reportBody(job),
  })) as {
    token?: unknown;
    report_status?: unknown;
  };
  if (typeof created.token !== 'string' || created.token === '')
    throw malformed(REPORTS_ENDPOINT, 'no report token');
  const token = created.token;
  const deadline = clock.now() + options.pollTimeoutMs;
  let delay = options.pollInitialDelayMs;
  for (;;) {
    const polled = (await api.get({
      path: REPORTS_ENDPOINT,
      pathParams,
      // Live tokens hold `-`, `_` and `==` (notes/pinterest-api.md §10): the query builder URL-encodes them.
      query: {token},
      category: 'analytics_get_report',
    })) as {
      report_status?: unknown;
      url?: unknown;
    };
    const status = typeof polled.report_status === 'string' ? polled.report_status : 'UNKNOWN';
    if (status === 'FINISHED') {
      if (typeof polled.url !== 'string' || polled.url === '')
        throw malformed(REPORTS_ENDPOINT, 'FINISHED without a url');
      const rows = parseByIdReport(await api.download(polled.url), job);
      deps.logger.debug(
        {level: job.level, start: job.start, end: job.end, rows: rows.rows.length},
        'async report read'
      );
      return rows;
    }
    if (FAILED_STATUSES.has(status) || status !== 'IN_PROGRESS') {
      throw new ReportFailedError(
        `Pinterest report for ${job.level} ${job.start}..${job.end} ended ${status}; it has to be requested again`,
        {
          endpoint: REPORTS_ENDPOINT,
          status: 200,
          retriable: status !== 'DOES_NOT_EXIST',
          reportStatus: status,
        }
      );
    }
    if (clock.now() + delay > deadline) {
      throw new ReportFailedError(
        `Pinterest report for ${job.level} ${job.start}..${job.end} was not ready within ${options.pollTimeoutMs / 1000} s`,
        {endpoint: REPORTS_ENDPOINT, retriable: true, reportStatus: 'TIMEOUT'}
      );
    }
    await sleep(delay);
    delay = Math.min(options.pollMaxDelayMs, delay * options.pollBackoffFactor);
  }
}
