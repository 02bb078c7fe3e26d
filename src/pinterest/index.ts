/** Public API of the Pinterest client. */
export {PinterestClient, buildQuery, fillPath} from './client';
export type {ApiRequest, PinterestClientDeps, QueryValue} from './client';
export {
  DEFAULT_ANALYTICS_COLUMNS,
  DEFAULT_API_BASE_URL,
  DEFAULT_CLIENT_CONFIG,
  PINTEREST_ENV,
  resolveClientConfig,
} from './config';
export type {
  AttributionOptions,
  PinterestClientConfig,
  RateLimitOverride,
  ReportOptions,
  RetryBounds,
} from './config';
export {FileTokenStore, MemoryTokenStore} from './token-store';
export type {StoredTokens, TokenRecordStore, TokenStore} from './token-store';
export {TokenRecordCodec} from './token-record';
export type {DecodedTokens, TokenProtection} from './token-record';
export {parseTokenKey, splitTokenKeys, TOKEN_KEY_FORMAT, TokenKeyRing} from './token-cipher';
export {
  AuthError,
  BadRequestError,
  InvalidClientError,
  NotFoundError,
  PaginationError,
  PermissionError,
  PinterestApiError,
  QuotaExhaustedError,
  RateLimitedError,
  ReauthorizationRequiredError,
  ReportFailedError,
  TokenStoreError,
  TransientError,
} from './errors';
export {
  LEVELS as ANALYTICS_LEVELS,
  planAnalytics,
  REPORT_IDS_PER_REQUEST,
  REPORT_MAX_DAYS_BACK,
  REPORT_MAX_RANGE_DAYS,
  SYNC_IDS_PER_REQUEST,
  SYNC_MAX_DAYS_BACK,
  SYNC_MAX_RANGE_DAYS,
} from './analytics';
export type {
  AnalyticsLevel,
  AnalyticsPart,
  AnalyticsPlan,
  AnalyticsRequest,
  AnalyticsRow,
  AnalyticsRows,
  LevelSpec,
} from './analytics';
export {addDays, daysBetween, todayUtc} from './dates';
export type {BudgetSnapshotEntry} from './rate-budget';
export {RATE_CATEGORIES, silentLogger} from './types';
export type {
  AuthorizationEvent,
  BudgetBucket,
  Clock,
  Logger,
  RateCategory,
  RateLimitedEvent,
  RequestEvent,
  RequestHooks,
  RetryEvent,
  RetryReason,
  Sleep,
  TokenRefreshEvent,
} from './types';
