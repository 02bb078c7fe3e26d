/**
 * PinterestClient: the one way the service talks to the Pinterest API v5. Requests draw from a per-category
 * rate budget, run at most `maxConcurrency` at a time, refresh OAuth tokens as needed and fail with typed
 * errors; list endpoints are async iterators; analytics are batched and ranged, sync or async.
 */
import type {AxiosInstance} from 'axios';

import {CdcError} from '../errors';
import {
  ANALYTICS_CATEGORY,
  LEVELS,
  normaliseSyncRows,
  planAnalytics,
  syncAnalyticsQuery,
  type AnalyticsPart,
  type AnalyticsRequest,
  type AnalyticsRow,
  type AnalyticsRows,
} from './analytics';
import {TOKEN_ENDPOINT, TokenManager} from './auth';
import type {PinterestClientConfig} from './config';
import {TransientError} from './errors';
import {MAX_PAGE_SIZE, paginatePages} from './paginate';
import {RateBudget, type BudgetSnapshotEntry} from './rate-budget';
import {REPORT_FILE_ENDPOINT, runReport, type ReportApi} from './reports';
import {installRetryPolicy, type RetryExecutor} from './retry-executor';
import {runConcurrently} from './run-concurrently';
import {Semaphore} from './semaphore';
import type {ReadBody} from './read-body';
import type {TokenReply} from './token-reply';
import type {TokenStore} from './token-store';
import {createTransport, RequestMeta} from './transport';
import {
  realSleep,
  silentLogger,
  systemClock,
  type Clock,
  type Logger,
  type RateCategory,
  type RequestHooks,
  type Sleep,
} from './types';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface ApiRequest {
  /** Path template, e.g. '/ad_accounts/{ad_account_id}/campaigns': also the endpoint label. */
  path: string;
  pathParams?: Record<string, string>;
  query?: Record<string, QueryValue>;
  category: RateCategory;
}

export interface PinterestClientDeps {
  config: PinterestClientConfig;
  tokenStore: TokenStore;
  logger?: Logger;
  hooks?: RequestHooks;
  clock?: Clock;
  sleep?: Sleep;
}

/**
 * Arrays as repeated keys (the OpenAPI default for these parameters, notes §1); everything URL-encoded but the
 * comma, which separates the items of comma-joined lists (`columns`, analytics ids) and is sent as live traffic
 * shows it (notes/pinterest-api.md §10: `campaign_ids=A,B,C`).
 */
export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString().replace(/%2C/g, ',');
  return text ? `?${text}` : '';
}

export function fillPath(template: string, params: Record<string, string> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined)
      throw new CdcError(`missing path parameter ${name} for ${template}`, {retriable: false});
    return encodeURIComponent(value);
  });
}

export class PinterestClient implements ReportApi {
  private readonly config: PinterestClientConfig;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly logger: Logger;
  private readonly hooks: RequestHooks;
  private readonly rateBudget: RateBudget;
  private readonly auth: TokenManager;
  private readonly http: AxiosInstance;
  private readonly retries: RetryExecutor;

  constructor(deps: PinterestClientDeps) {
    this.config = deps.config;
    this.clock = deps.clock ?? systemClock;
    this.sleep = deps.sleep ?? realSleep;
    this.logger = deps.logger ?? silentLogger;
    this.hooks = deps.hooks ?? {};
    this.rateBudget = new RateBudget({
      clock: this.clock,
      sleep: this.sleep,
      overrides: this.config.rateLimits,
      maxWaitMs: this.config.retry.maxRateLimitWaitSeconds * 1000,
    });
    this.auth = new TokenManager({
      clientId: this.config.clientId,
      clientSecret: this.config.clientSecret,
      refreshToken: this.config.refreshToken,
      accessToken: this.config.accessToken,
      refreshAheadSeconds: this.config.refreshAheadSeconds,
      continuousRefresh: this.config.continuousRefresh,
      storeSettleMs: this.config.tokenStoreSettleMs,
      blockedRecheckMs: this.config.reauthorizationRecheckMs,
      store: deps.tokenStore,
      clock: this.clock,
      sleep: this.sleep,
      logger: this.logger,
      hooks: this.hooks,
      requestToken: (form, authorization) => this.requestToken(form, authorization),
    });
    this.http = createTransport({
      baseURL: this.config.apiBaseUrl,
      timeoutMs: this.config.requestTimeoutMs,
      clock: this.clock,
      budget: this.rateBudget,
      semaphore: new Semaphore(this.config.maxConcurrency),
      hooks: this.hooks,
      accessToken: () => this.auth.accessToken(),
    });
    this.retries = installRetryPolicy(this.http, {
      bounds: this.config.retry,
      budget: this.rateBudget,
      clock: this.clock,
      logger: this.logger,
      hooks: this.hooks,
      canRefresh: () => this.auth.canRefresh,
      onUnauthorized: (rejected) => this.auth.onUnauthorized(rejected),
    });
  }

  /**
   * `refreshToken` was stored where others could read it (in clear): rotate it at the next request so the exposed
   * copy is worthless (unless another process already did). Errors of that refresh surface in that request.
   */
  retireRefreshToken(refreshToken: string): void {
    this.auth.retire(refreshToken);
  }

  /** Remaining budget per category, and when a paused category (spent daily quota) resumes. */
  budget(): Record<RateCategory, BudgetSnapshotEntry> {
    return this.rateBudget.snapshot();
  }

  async get<T = unknown>(req: ApiRequest): Promise<T> {
    return (await this.send('get', req)) as T;
  }

  async post<T = unknown>(req: ApiRequest & {body: unknown}): Promise<T> {
    return (await this.send('post', req, req.body)) as T;
  }

  /** One page of items per step, 250 per page, following bookmarks until there are none. */
  paginate<T = unknown>(req: ApiRequest): AsyncIterable<T[]> {
    return paginatePages<T>(
      (bookmark) => this.get({...req, query: {page_size: MAX_PAGE_SIZE, ...req.query, bookmark}}),
      req.path
    );
  }

  /** Rows of `req`, one array per API request or report, in completion order. */
  analytics(req: AnalyticsRequest): AsyncIterable<AnalyticsRow[]> {
    const plan = planAnalytics(req, this.clock.now());
    if (plan.clampedStart) {
      this.logger.warn(
        {level: req.level, requestedStart: req.startDate, start: plan.clampedStart},
        'analytics start is older than Pinterest keeps; starting at the oldest available date'
      );
    }
    const withoutIds = LEVELS[req.level].idParam === null;
    const part = (range: {start: string; end: string; ids: string[]}, via: 'sync' | 'report') => () =>
      this.analyticsPart({
        level: req.level,
        adAccountId: req.adAccountId,
        ids: withoutIds ? null : range.ids,
        start: range.start,
        end: range.end,
        columns: req.columns ?? (via === 'sync' ? this.config.analyticsColumns : this.config.reportColumns),
        attribution: req.attribution ?? this.config.attribution,
        via,
      }).then((result) => result.rows);
    return runConcurrently(
      [...plan.sync.map((r) => part(r, 'sync')), ...plan.reports.map((r) => part(r, 'report'))],
      this.config.maxConcurrency
    );
  }

  /** One analytics request: a sync call, or a whole async report (create, polls, download). */
  async analyticsPart(part: AnalyticsPart): Promise<AnalyticsRows> {
    const spec = LEVELS[part.level];
    if (part.via === 'report') {
      return runReport(
        {...part, ids: part.ids === null ? null : [...part.ids]},
        {api: this, options: this.config.reports, clock: this.clock, sleep: this.sleep, logger: this.logger}
      );
    }
    const rows = await this.get<unknown>({
      path: spec.path,
      pathParams: {ad_account_id: part.adAccountId},
      category: ANALYTICS_CATEGORY,
      query: syncAnalyticsQuery(part),
    });
    if (!Array.isArray(rows)) {
      throw new TransientError(`Pinterest ${spec.path}: analytics answered something other than an array`, {
        endpoint: spec.path,
        status: 200,
        retriable: true,
        reason: 'malformed',
      });
    }
    return normaliseSyncRows(rows, part.level, part.adAccountId);
  }

  /** Downloads a finished report from its pre-signed URL: no bearer token (another host), no API budget. */
  async download(url: string): Promise<unknown> {
    const meta = new RequestMeta(
      {endpoint: REPORT_FILE_ENDPOINT, category: 'analytics_get_report', auth: 'none', budget: false},
      this.clock.now()
    );
    const response = await this.retries.settle(
      meta,
      this.http.request({method: 'get', url, baseURL: '', pinterestCdc: meta})
    );
    return response.data;
  }

  /**
   * One refresh-token request. 5xx and 429 answers are retried like any other; every other answer, damaged bodies
   * included, goes back to the token manager as it came (its body read as far as it arrived).
   */
  private async requestToken(form: string, authorization: string): Promise<TokenReply> {
    const meta = new RequestMeta(
      {endpoint: TOKEN_ENDPOINT, category: 'org_read', auth: 'basic', slot: false, partialBody: true},
      this.clock.now()
    );
    const response = await this.retries.settle(
      meta,
      this.http.request<ReadBody>({
        method: 'post',
        url: TOKEN_ENDPOINT,
        data: form,
        headers: {Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded'},
        responseType: 'stream',
        validateStatus: () => true,
        pinterestCdc: meta,
      })
    );
    return {status: response.status, text: response.data.text, complete: response.data.complete};
  }

  /** One logical request: axios-retry retries it as the retry policy decides. */
  private async send(method: 'get' | 'post', req: ApiRequest, body?: unknown): Promise<unknown> {
    const url = `${fillPath(req.path, req.pathParams)}${buildQuery(req.query)}`;
    const meta = new RequestMeta({endpoint: req.path, category: req.category}, this.clock.now());
    const response = await this.retries.settle(
      meta,
      this.http.request({method, url, data: body, pinterestCdc: meta})
    );
    return response.data;
  }
}
