/**
 * axios-retry carries out the one retry policy (retry-policy.ts) for every request of the client's axios instance
 * (API calls, report downloads, the token endpoint): `retryCondition` classifies the failed attempt, asks
 * decideRetry and performs what it decided (pause or block the rate category, refresh the access token);
 * `retryDelay` returns the decided delay; `onRetry` reports the retry to the hooks. axios-retry's own counting is
 * unbounded on purpose: the policy's bounds (retries, waits, refreshes, elapsed time) are the only ones.
 */
import axiosRetry from 'axios-retry';
import {AxiosError, type AxiosInstance} from 'axios';

import {CdcError} from '../errors';
import {classifyOutcome, outcomeOfAxiosError} from './classify';
import type {RetryBounds} from './config';
import {AuthError} from './errors';
import type {RateBudget} from './rate-budget';
import {decideRetry} from './retry-policy';
import type {RequestMeta} from './transport';
import type {Clock, Logger, RequestHooks} from './types';

export interface RetryExecutorDeps {
  bounds: RetryBounds;
  budget: RateBudget;
  clock: Clock;
  logger: Logger;
  hooks: RequestHooks;
  /** Client credentials and a refresh token are configured. */
  canRefresh(): boolean;
  /** The API refused `rejected` (401): another access token, from a refresh or from another process. */
  onUnauthorized(rejected: string): Promise<unknown>;
}

export interface RetryExecutor {
  /** One logical request through the instance (and so axios-retry): its value, or the error the policy left. */
  settle<T>(meta: RequestMeta, request: Promise<T>): Promise<T>;
}

/** Installs axios-retry on `instance` (after the transport's interceptors, so an attempt is settled first). */
export function installRetryPolicy(instance: AxiosInstance, deps: RetryExecutorDeps): RetryExecutor {
  const {budget, clock, hooks, logger} = deps;

  const classify = (error: unknown, meta: RequestMeta): CdcError => {
    // A failure before sending (no budget, no access token) reaches axios-retry wrapped, its cause the CdcError.
    if (error instanceof AxiosError && error.cause instanceof CdcError) return error.cause;
    return classifyOutcome(outcomeOfAxiosError(error), {
      endpoint: meta.endpoint,
      category: meta.category,
      maxRateLimitWaitSeconds: deps.bounds.maxRateLimitWaitSeconds,
      now: clock.now(),
    });
  };

  const retryCondition = async (error: AxiosError): Promise<boolean> => {
    const meta = error.config?.pinterestCdc;
    if (!meta) return false;
    const failure = classify(error, meta);
    const {history} = meta;
    const decision = decideRetry(failure, history, {
      endpoint: meta.endpoint,
      bounds: deps.bounds,
      auth: meta.auth,
      canRefresh: deps.canRefresh(),
      now: clock.now(),
    });
    meta.nextRetry = undefined;
    switch (decision.kind) {
      case 'fail':
        if (decision.spam) hooks.onRateLimited?.({category: meta.category, kind: 'spam'});
        meta.failure = finalError(failure, meta);
        return false;
      case 'pause':
        budget.pause(decision.category, decision.resumeAt);
        hooks.onRateLimited?.({category: decision.category, kind: 'daily_cap', resumeAt: decision.resumeAt});
        logger.warn(
          {endpoint: meta.endpoint, category: decision.category, resumeAt: decision.resumeAt.toISOString()},
          'Pinterest daily quota spent: category paused'
        );
        meta.failure = failure;
        return false;
      case 'refresh':
        history.refreshes += 1;
        try {
          await deps.onUnauthorized(meta.tokenUsed ?? '');
        } catch (refreshError) {
          // The access-token step's own error (refused, re-authorisation needed) is this request's error.
          meta.failure = refreshError;
          return false;
        }
        meta.nextRetry = {reason: 'auth', attempt: history.refreshes, delayMs: 0, waitMs: 0};
        return true;
      case 'retry': {
        history[decision.counter] += 1;
        const {delayMs} = decision;
        if (decision.blockCategory) {
          const resumeAt = new Date(clock.now() + delayMs);
          // Every request of the category waits, not only this one: the next acquire() sleeps until then.
          budget.block(meta.category, resumeAt.getTime());
          hooks.onRateLimited?.({category: meta.category, kind: 'throttled', resumeAt});
        }
        meta.nextRetry = {
          reason: decision.reason,
          attempt: decision.attempt,
          delayMs,
          waitMs: decision.blockCategory ? 0 : delayMs,
        };
        return true;
      }
    }
  };

  axiosRetry(instance, {
    retries: Number.POSITIVE_INFINITY,
    // Each attempt gets the whole request timeout; the policy's maxElapsedMs bounds the request as a whole.
    shouldResetTimeout: true,
    retryCondition,
    retryDelay: (_count, error) => error.config?.pinterestCdc?.nextRetry?.waitMs ?? 0,
    onRetry: (_count, error, config) => {
      const meta = config.pinterestCdc;
      const next = meta?.nextRetry;
      if (!meta || !next) return;
      hooks.onRetry?.({
        endpoint: meta.endpoint,
        method: (config.method ?? 'get').toUpperCase(),
        category: meta.category,
        reason: next.reason,
        attempt: next.attempt,
        delaySeconds: next.delayMs / 1000,
      });
    },
  });

  return {
    async settle<T>(meta: RequestMeta, request: Promise<T>): Promise<T> {
      try {
        return await request;
      } catch (raw) {
        if (meta.failure !== undefined) throw meta.failure;
        throw classify(raw, meta);
      }
    },
  };
}

/** A bearer request's 401 that no refresh could cure asks the user to re-authenticate; others pass as they are. */
function finalError(error: CdcError, meta: RequestMeta): CdcError {
  if (!(error instanceof AuthError) || error.status !== 401 || meta.auth !== 'bearer') return error;
  if (error.endpoint !== meta.endpoint) return error;
  const again = meta.history.refreshes > 0 ? ' again after a refresh' : '';
  return new AuthError(`Pinterest ${meta.endpoint} refused the access token${again}: re-authenticate`, {
    endpoint: meta.endpoint,
    status: 401,
    pinterestCode: error.pinterestCode,
    retriable: false,
  });
}
