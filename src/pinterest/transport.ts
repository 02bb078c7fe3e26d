/**
 * The axios instance and its interceptors: bearer token, concurrency slot and rate budget before each
 * attempt; budget correction from headers, per-attempt hooks and JSON validation after it. One attempt per
 * call: retries are the request loop's (request-loop.ts). src/pinterest is the only place that imports axios.
 */
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
import type {Semaphore} from './semaphore';
import type {RequestAuth} from './retry-policy';
import type {Clock, RateCategory, RequestHooks} from './types';

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
  readonly startedAt: number;
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
    },
    now: number
  ) {
    this.endpoint = init.endpoint;
    this.category = init.category;
    this.auth = init.auth ?? 'bearer';
    this.budget = init.budget ?? true;
    this.slot = init.slot ?? true;
    this.startedAt = now;
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

  instance.interceptors.request.use(async (config: InternalAxiosRequestConfig) => {
    const meta = config.pinterestCdc;
    if (!meta) return config;
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
    return config;
  });

  instance.interceptors.response.use(
    (response: AxiosResponse) => {
      const meta = response.config.pinterestCdc;
      if (!meta) return response;
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
