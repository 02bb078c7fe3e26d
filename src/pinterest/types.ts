/** Shared small types of the Pinterest client: injected dependencies and hook events. */

/** Rate categories (notes/pinterest-api.md §7, `x-ratelimit-category` in the spec). */
export type RateCategory = 'ads_read' | 'ads_analytics' | 'org_read' | 'analytics_get_report';
export const RATE_CATEGORIES: readonly RateCategory[] = [
  'ads_read',
  'ads_analytics',
  'org_read',
  'analytics_get_report',
];
/** Every request also draws from the per-second safety net (notes §7: 100 requests/second per user per app). */
export type BudgetBucket = RateCategory | 'safety_net';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = {debug() {}, info() {}, warn() {}, error() {}};

/** Milliseconds since the epoch; injected so tests and benchmarks can run on a fast or manual clock. */
export interface Clock {
  now(): number;
}
export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = {now: () => Date.now()};
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export type RetryReason = 'rate_limited' | 'server' | 'network' | 'timeout' | 'malformed' | 'auth';
export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'network' | 'timeout' | 'malformed';

/** One HTTP attempt (retries included). `endpoint` is always a path template, never a URL. */
export interface RequestEvent {
  endpoint: string;
  method: string;
  statusClass: StatusClass;
  status?: number;
  category: RateCategory;
  durationSeconds: number;
  budgetRemaining: number;
  /** True when this attempt repeats an earlier one. */
  retry: boolean;
}

export interface RetryEvent {
  endpoint: string;
  method: string;
  category: RateCategory;
  reason: RetryReason;
  attempt: number;
  delaySeconds: number;
}

export interface TokenRefreshEvent {
  outcome: 'success' | 'failure';
  durationSeconds: number;
}

export interface RateLimitedEvent {
  category: RateCategory;
  kind: 'throttled' | 'daily_cap' | 'spam';
  /** When the category may be used again (throttled and daily_cap). */
  resumeAt?: Date;
}

/**
 * Whether the connection can authenticate: `reauthorization_required` (Pinterest refused the refresh token and no
 * newer one is known: the user must authorise the app again) and `client_rejected` (wrong client id or secret)
 * last until a token or the credentials work again (`ok`). Reported on changes only.
 */
export interface AuthorizationEvent {
  state: 'ok' | 'reauthorization_required' | 'client_rejected';
  /** What is wrong and what to do (no secret in it); absent for `ok`. */
  message?: string;
}

/** Observability seam: metrics subscribe here; nothing in the client calls prom-client. */
export interface RequestHooks {
  onRequest?(event: RequestEvent): void;
  onRetry?(event: RetryEvent): void;
  onTokenRefresh?(event: TokenRefreshEvent): void;
  onRateLimited?(event: RateLimitedEvent): void;
  onAuthorization?(event: AuthorizationEvent): void;
}
