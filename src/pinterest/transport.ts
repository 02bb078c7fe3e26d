/**
 * The axios instance and its interceptors: bearer token, concurrency slot and rate budget before each
 * attempt; budget correction from headers, per-attempt hooks and JSON validation after it. Retries are
 * axios-retry's, installed after these interceptors (retry-executor.ts). src/pinterest is the only place that
 * imports axios.
 */
import type {Readable} from 'node:stream';

import axios, {
  AxiosError,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import {parseLosslessJson} from '../events/lossless-json';
import {outcomeOfAxiosError, statusClassOf, type HttpOutcome} from './classify';
import type {RateBudget} from './rate-budget';
import {parseRateLimitHeaders} from './rate-limit-headers';
import {readBody, type ReadBody} from './read-body';
import type {Semaphore} from './semaphore';
import type {RequestAuth, RetryHistory} from './retry-policy';
import type {Clock, RateCategory, RequestHooks, RetryReason} from './types';

/**
 * Per-request state shared by every attempt. A class on purpose: axios deep-copies plain objects when it
 * merges a config (each retry would count from a copy), but passes class instances by reference.
 */
export class RequestMeta {
  /** Path template for errors, logs and hooks: never the URL. */
  readonly endpoint: string;
  readonly category: RateCategory;
  readonly auth: RequestAuth;
  /** Draw from the rate budget (false for report downloads from the storage host). */
  readonly budget: boolean;
  /** Take a concurrency slot (false for the token request, which slot holders may be waiting on). */
  readonly slot: boolean;
  /**
   * Read the body as far as it arrives (the token request: a cut-short reply may hold the rotated refresh token):
   * the response's data becomes a ReadBody, and a 5xx or 429 fails the attempt with the body parsed.
   */
  readonly partialBody: boolean;
  readonly startedAt: number;
  /** What the request has been through, for the retry policy. */
  readonly history: RetryHistory;
  /** The retry the policy just decided (set by axios-retry's retryCondition, read by retryDelay and onRetry). */
  nextRetry: {reason: RetryReason; attempt: number; delayMs: number; waitMs: number} | undefined;
  /** Set when the policy gave up: the request's error. */
  failure: unknown;
  attempt = 0;
  attemptStartedAt: number;
  holdingSlot = false;
  holdingBudget = false;
  tokenUsed: string | undefined;

  constructor(
    init: {
      endpoint: string;
      category: RateCategory;
      auth?: RequestMeta['auth'];
      budget?: boolean;
      slot?: boolean;
      partialBody?: boolean;
    },
    now: number
  ) {
    this.endpoint = init.endpoint;
    this.category = init.category;
    this.auth = init.auth ?? 'bearer';
    this.budget = init.budget ?? true;
    this.slot = init.slot ?? true;
    this.partialBody = init.partialBody ?? false;
    this.startedAt = now;
    this.history = {startedAt: now, backoffs: 0, waits: 0, refreshes: 0};
    this.attemptStartedAt = now;
  }
}

declare module 'axios' {
  interface AxiosRequestConfig {
    pinterestCdc?: RequestMeta;
  }
}

export interface TransportDeps {
  baseURL: string;
  timeoutMs: number;
  clock: Clock;
  budget: RateBudget;
  semaphore: Semaphore;
  hooks: RequestHooks;
  accessToken: () => Promise<string>;
}

/** A parsed JSON body; a stream (the token request reads its body itself) passes too. */
function isJsonBody(data: unknown): boolean {
  return data !== null && typeof data === 'object';
}

/**
 * Response bodies parsed without rounding integers beyond 2^53 (they become bigints: events/lossless-json.ts), in
 * place of axios' JSON.parse. A malformed or truncated JSON body fails as axios' strict parsing fails it
 * (ERR_BAD_RESPONSE), not arriving as a string; a stream (the token request reads its body itself) passes.
 */
function parseResponseBody(
  this: InternalAxiosRequestConfig & {response?: AxiosResponse},
  data: unknown
): unknown {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return parseLosslessJson(data);
  } catch (error) {
    // axios exposes the response on the config during the transform: classify.ts reads its status (malformed).
    throw AxiosError.from(error as Error, AxiosError.ERR_BAD_RESPONSE, this, null, this.response);
  }
}

export function createTransport(deps: TransportDeps): AxiosInstance {
  const {budget, semaphore, hooks, clock} = deps;
  const instance = axios.create({
    baseURL: deps.baseURL,
    timeout: deps.timeoutMs,
    responseType: 'json',
    transitional: {clarifyTimeoutError: true},
    transformResponse: [parseResponseBody],
    headers: {Accept: 'application/json'},
    maxRedirects: 0,
  });

  const finish = (meta: RequestMeta, method: string, outcome: HttpOutcome): void => {
    if (meta.holdingSlot) {
      meta.holdingSlot = false;
      semaphore.release();
    }
    if (meta.holdingBudget) {
      meta.holdingBudget = false;
      budget.release(meta.category, outcome.headers ? parseRateLimitHeaders(outcome.headers) : undefined);
    }
    hooks.onRequest?.({
      endpoint: meta.endpoint,
      method: method.toUpperCase(),
      statusClass: statusClassOf(outcome),
      status: outcome.status,
      category: meta.category,
      durationSeconds: (clock.now() - meta.attemptStartedAt) / 1000,
      budgetRemaining: budget.remaining(meta.category),
      retry: meta.attempt > 1,
    });
  };

  /** The token request's answer: its body read as far as it arrived; a 5xx or 429 fails the attempt. */
  const settlePartialBody = async (response: AxiosResponse, meta: RequestMeta): Promise<AxiosResponse> => {
    const body = await readBody(response.data as Readable, deps.timeoutMs);
    const headers = response.headers as Record<string, unknown>;
    finish(meta, response.config.method ?? 'post', {status: response.status, headers});
    if (response.status >= 500 || response.status === 429) {
      const failed = {...response, data: parseOrUndefined(body.text)};
      throw new AxiosError(
        `Request failed with status code ${response.status}`,
        AxiosError.ERR_BAD_RESPONSE,
        response.config,
        response.request,
        failed
      );
    }
    return {...response, data: body satisfies ReadBody};
  };

  const prepare = async (config: InternalAxiosRequestConfig, meta: RequestMeta): Promise<void> => {
    meta.attempt += 1;
    if (meta.auth === 'bearer') {
      meta.tokenUsed = await deps.accessToken();
      config.headers.set('Authorization', `Bearer ${meta.tokenUsed}`);
    }
    if (meta.slot) {
      await semaphore.acquire();
      meta.holdingSlot = true;
    }
    if (meta.budget) {
      try {
        await budget.acquire(meta.category, meta.endpoint);
      } catch (error) {
        if (meta.holdingSlot) {
          meta.holdingSlot = false;
          semaphore.release();
        }
        throw error;
      }
      meta.holdingBudget = true;
    }
    meta.attemptStartedAt = clock.now();
  };

  instance.interceptors.request.use(async (config: InternalAxiosRequestConfig) => {
    const meta = config.pinterestCdc;
    if (!meta) return config;
    try {
      await prepare(config, meta);
    } catch (error) {
      // Not sent (a paused category, no access token): axios-retry sees it like any failed attempt, with its config.
      const notSent = new AxiosError(
        error instanceof Error ? error.message : String(error),
        'ERR_NOT_SENT',
        config
      );
      notSent.cause = error instanceof Error ? error : undefined;
      throw notSent;
    }
    return config;
  });

  instance.interceptors.response.use(
    async (response: AxiosResponse) => {
      const meta = response.config.pinterestCdc;
      if (!meta) return response;
      if (meta.partialBody) return settlePartialBody(response, meta);
      const ok = isJsonBody(response.data);
      const headers = response.headers as Record<string, unknown>;
      finish(
        meta,
        response.config.method ?? 'get',
        ok ? {status: response.status, headers} : {status: response.status, headers, transport: 'malformed'}
      );
      if (!ok) {
        throw new AxiosError(
          'response body is not JSON',
          AxiosError.ERR_BAD_RESPONSE,
          response.config,
          response.request,
          response
        );
      }
      return response;
    },
    (error: unknown) => {
      if (error instanceof AxiosError && error.config?.pinterestCdc) {
        const meta = error.config.pinterestCdc;
        if (meta.holdingSlot || meta.holdingBudget)
          finish(meta, error.config.method ?? 'get', outcomeOfAxiosError(error));
      }
      return Promise.reject(error);
    }
  );

  return instance;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
