/**
 * The one retry loop of the Pinterest client: run an attempt, classify its failure, ask the retry policy what to
 * do, do it (wait, block or pause the category, refresh the access token), and try again or fail.
 */
import {CdcError} from '../errors';
import {classifyOutcome, outcomeOfAxiosError} from './classify';
import type {RetryBounds} from './config';
import {AuthError} from './errors';
import type {RateBudget} from './rate-budget';
import {decideRetry, type RetryHistory} from './retry-policy';
import type {RequestMeta} from './transport';
import type {Clock, Logger, RequestHooks, Sleep} from './types';

export interface RequestLoopDeps {
  bounds: RetryBounds;
  budget: RateBudget;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  hooks: RequestHooks;
  /** Client credentials and a refresh token are configured. */
  canRefresh(): boolean;
  /** The API refused `rejected` (401): another access token, from a refresh or from another process. */
  onUnauthorized(rejected: string): Promise<unknown>;
}

export class RequestLoop {
  constructor(private readonly deps: RequestLoopDeps) {}

  /** Runs `attempt` (one HTTP exchange described by `meta`) until it succeeds or the policy gives up. */
  async run<T>(meta: RequestMeta, method: string, attempt: () => Promise<T>): Promise<T> {
    const {budget, clock, hooks, logger, sleep} = this.deps;
    const history: RetryHistory = {startedAt: meta.startedAt, backoffs: 0, waits: 0, refreshes: 0};
    const retryEvent = {endpoint: meta.endpoint, method: method.toUpperCase(), category: meta.category};
    for (;;) {
      let error: CdcError;
      try {
        return await attempt();
      } catch (raw) {
        error = this.classify(raw, meta);
      }
      const decision = decideRetry(error, history, {
        endpoint: meta.endpoint,
        bounds: this.deps.bounds,
        auth: meta.auth,
        canRefresh: this.deps.canRefresh(),
        now: clock.now(),
      });
      switch (decision.kind) {
        case 'fail':
          if (decision.spam) hooks.onRateLimited?.({category: meta.category, kind: 'spam'});
          throw this.finalError(error, meta, history);
        case 'pause':
          budget.pause(decision.category, decision.resumeAt);
          hooks.onRateLimited?.({
            category: decision.category,
            kind: 'daily_cap',
            resumeAt: decision.resumeAt,
          });
          logger.warn(
            {endpoint: meta.endpoint, category: decision.category, resumeAt: decision.resumeAt.toISOString()},
            'Pinterest daily quota spent: category paused'
          );
          throw error;
        case 'refresh':
          history.refreshes += 1;
          hooks.onRetry?.({...retryEvent, reason: 'auth', attempt: history.refreshes, delaySeconds: 0});
          await this.deps.onUnauthorized(meta.tokenUsed ?? '');
          continue;
        case 'retry': {
          history[decision.counter] += 1;
          const {delayMs} = decision;
          hooks.onRetry?.({
            ...retryEvent,
            reason: decision.reason,
            attempt: decision.attempt,
            delaySeconds: delayMs / 1000,
          });
          if (decision.blockCategory) {
            const resumeAt = new Date(clock.now() + delayMs);
            // Every request of the category waits, not only this one: the next acquire() sleeps until then.
            budget.block(meta.category, resumeAt.getTime());
            hooks.onRateLimited?.({category: meta.category, kind: 'throttled', resumeAt});
          } else {
            await sleep(delayMs);
          }
        }
      }
    }
  }

  private classify(raw: unknown, meta: RequestMeta): CdcError {
    if (raw instanceof CdcError) return raw;
    return classifyOutcome(outcomeOfAxiosError(raw), {
      endpoint: meta.endpoint,
      category: meta.category,
      maxRateLimitWaitSeconds: this.deps.bounds.maxRateLimitWaitSeconds,
      now: this.deps.clock.now(),
    });
  }

  /** A bearer request's 401 that no refresh could cure asks the user to re-authenticate; others pass as they are. */
  private finalError(error: CdcError, meta: RequestMeta, history: RetryHistory): CdcError {
    if (!(error instanceof AuthError) || error.status !== 401 || meta.auth !== 'bearer') return error;
    if (error.endpoint !== meta.endpoint) return error;
    const again = history.refreshes > 0 ? ' again after a refresh' : '';
    return new AuthError(`Pinterest ${meta.endpoint} refused the access token${again}: re-authenticate`, {
      endpoint: meta.endpoint,
      status: 401,
      pinterestCode: error.pinterestCode,
      retriable: false,
    });
  }
}
