/**
 * The one retry policy of the Pinterest client: from a classified error and what the request has been through so
 * far, decide whether to wait and retry, refresh the access token and retry, pause the rate category, or fail.
 * Pure (no I/O, no clock of its own); axios-retry carries the decisions out (retry-executor.ts).
 */
import type {CdcError} from '../errors';
import type {RetryBounds} from './config';
import {AuthError, PinterestApiError, QuotaExhaustedError, RateLimitedError, TransientError} from './errors';
import type {RateCategory, RetryReason} from './types';

/** How the request authenticates: only a bearer request can be helped by a refresh. */
export type RequestAuth = 'bearer' | 'basic' | 'none';

/** What one logical request has been through; the executor (retry-executor.ts) updates it after each decision. */
export interface RetryHistory {
  readonly startedAt: number;
  /** Retries after 5xx, network errors, timeouts and malformed bodies (bounded by `maxRetries`). */
  backoffs: number;
  /** Waits after 429s and transient 400s (bounded by `maxRateLimitRetries`). */
  waits: number;
  /** Access-token recoveries after a 401. */
  refreshes: number;
}

export type RetryDecision =
  /** Wait `delayMs`, then try again. `blockCategory`: every request of the category waits (a 429), not just this one. */
  | {
      kind: 'retry';
      reason: RetryReason;
      /** Which bound this retry counts against. */
      counter: 'waits' | 'backoffs';
      attempt: number;
      delayMs: number;
      blockCategory: boolean;
    }
  /** The access token was refused: get another one, then try again at once. */
  | {kind: 'refresh'}
  /** A spent daily quota: pause the category until `resumeAt`; this request fails. */
  | {kind: 'pause'; category: RateCategory; resumeAt: Date}
  /** Give up; `spam` marks a spam block (a 429 that must never be retried). */
  | {kind: 'fail'; spam?: boolean};

export interface RetryContext {
  /** The request's endpoint template: errors about another one (the token endpoint's) were handled there. */
  endpoint: string;
  bounds: RetryBounds;
  auth: RequestAuth;
  /** Client credentials and a refresh token are configured. */
  canRefresh: boolean;
  now: number;
  random?: () => number;
}

// notes/pinterest-api.md §8 (peers): a 401 is answered by one refresh, then "re-authenticate".
export const MAX_REFRESHES_PER_REQUEST = 1;

export function decideRetry(error: CdcError, history: RetryHistory, ctx: RetryContext): RetryDecision {
  // An error of the access-token step (refresh refused, damaged replies retried already) ends this request too.
  if (error instanceof PinterestApiError && error.endpoint !== ctx.endpoint) return {kind: 'fail'};
  if (error instanceof QuotaExhaustedError)
    return {kind: 'pause', category: error.category, resumeAt: error.resumeAt};
  if (error instanceof AuthError) return decideOnAuth(error, history, ctx);
  if (!(error instanceof PinterestApiError)) return {kind: 'fail'};
  // notes/pinterest-api.md §7: a spam block answers 429 too; retrying it only deepens the block.
  if (error.status === 429 && !error.retriable) return {kind: 'fail', spam: true};
  if (!error.retriable) return {kind: 'fail'};
  if (error instanceof RateLimitedError) return wait(error, 'rate_limited', true, history, ctx);
  if (error instanceof TransientError) {
    const status = error.status ?? 0;
    // A documented transient 400 (code 12, "Retry after N seconds") waits like a throttle, without blocking others.
    if (status >= 400 && status < 500) return wait(error, 'server', false, history, ctx);
    return backoff(error.reason, history, ctx);
  }
  return {kind: 'fail'};
}

function decideOnAuth(error: AuthError, history: RetryHistory, ctx: RetryContext): RetryDecision {
  // Only a 401 to a bearer request means "this access token is no good"; the token endpoint's own refusals are final.
  if (error.status !== 401 || ctx.auth !== 'bearer' || !ctx.canRefresh) return {kind: 'fail'};
  return history.refreshes < MAX_REFRESHES_PER_REQUEST ? {kind: 'refresh'} : {kind: 'fail'};
}

function wait(
  error: RateLimitedError | TransientError,
  reason: RetryReason,
  blockCategory: boolean,
  history: RetryHistory,
  ctx: RetryContext
): RetryDecision {
  const attempt = history.waits + 1;
  if (attempt > ctx.bounds.maxRateLimitRetries) return {kind: 'fail'};
  const delayMs = error.retryAfterMs ?? backoffDelayMs(attempt, ctx.bounds, ctx.random);
  if (!withinElapsedBound(history.startedAt, ctx.now, delayMs, ctx.bounds)) return {kind: 'fail'};
  return {kind: 'retry', reason, counter: 'waits', attempt, delayMs, blockCategory};
}

function backoff(reason: RetryReason, history: RetryHistory, ctx: RetryContext): RetryDecision {
  const attempt = history.backoffs + 1;
  if (attempt > ctx.bounds.maxRetries) return {kind: 'fail'};
  const delayMs = backoffDelayMs(attempt, ctx.bounds, ctx.random);
  if (!withinElapsedBound(history.startedAt, ctx.now, delayMs, ctx.bounds)) return {kind: 'fail'};
  return {kind: 'retry', reason, counter: 'backoffs', attempt, delayMs, blockCategory: false};
}

/** Delay before retry number `attempt` (1-based): base * 2^(attempt-1), capped, "equal jitter" (50-100%). */
export function backoffDelayMs(
  attempt: number,
  bounds: RetryBounds,
  random: () => number = Math.random
): number {
  const ceiling = Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** True while one more retry, after waiting `delayMs`, stays within the total time bound. */
export function withinElapsedBound(
  startedAt: number,
  now: number,
  delayMs: number,
  bounds: RetryBounds
): boolean {
  return now - startedAt + delayMs <= bounds.maxElapsedMs;
}
