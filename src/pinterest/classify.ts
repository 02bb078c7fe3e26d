/**
 * The one classifier: HTTP status + Pinterest body code (+ transport failures) -> a typed error.
 * Codes and meanings: notes/pinterest-api.md §7 (429 bodies) and §8 (error table).
 */
import {AxiosError} from 'axios';
import {
  AuthError,
  BadRequestError,
  NotFoundError,
  PermissionError,
  PinterestApiError,
  QuotaExhaustedError,
  RateLimitedError,
  TransientError,
} from './errors';
import {parseRateLimitHeaders, retryAfterFromMessage} from './rate-limit-headers';
import type {RateCategory, StatusClass} from './types';

export interface ClassifyContext {
  endpoint: string;
  category: RateCategory;
  /** A 429 whose reset is further away than this is a spent daily quota. */
  maxRateLimitWaitSeconds: number;
  now: number;
}

export interface HttpOutcome {
  status?: number;
  body?: unknown;
  headers?: Record<string, unknown>;
  /** Set when no usable response arrived. */
  transport?: 'network' | 'timeout' | 'malformed';
}

// notes/pinterest-api.md §8: code 3 = missing scope, 7 = board/Pin not authorised, 29 = not permitted.
const PERMISSION_CODES_ON_401 = new Set([3, 7, 29]);
// notes/pinterest-api.md §8: "Something went wrong on our end" (HTTP 400), retried by peers.
const TRANSIENT_400_CODE = 12;

/** Server messages can be long; tokens never appear in Pinterest's, but scrub anything token-shaped anyway. */
export function safeMessage(message: unknown): string {
  if (typeof message !== 'string') return '';
  return message
    .replace(/\bpin[a-z]\.[\w.~+/=-]+/gi, '[redacted]')
    .replace(/bearer\s+\S+/gi, 'Bearer [redacted]')
    .slice(0, 300);
}

function bodyFields(body: unknown): {code?: number; message: string; detail: string} {
  if (!body || typeof body !== 'object') return {message: '', detail: ''};
  const record = body as Record<string, unknown>;
  return {
    code: typeof record.code === 'number' ? record.code : undefined,
    message: safeMessage(record.message),
    detail: safeMessage(record.message_detail),
  };
}

export function statusClassOf(outcome: HttpOutcome): StatusClass {
  if (outcome.transport) return outcome.transport;
  const status = outcome.status ?? 0;
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

export function classifyOutcome(outcome: HttpOutcome, ctx: ClassifyContext): PinterestApiError {
  const {endpoint} = ctx;
  if (outcome.transport) {
    const what = {
      network: 'a network error',
      timeout: 'a timeout',
      malformed: 'a malformed or truncated body',
    };
    return new TransientError(`Pinterest ${endpoint}: ${what[outcome.transport]}`, {
      endpoint,
      status: outcome.status,
      retriable: true,
      reason: outcome.transport,
    });
  }
  const status = outcome.status ?? 0;
  const {code, message, detail} = bodyFields(outcome.body);
  const init = {endpoint, status, pinterestCode: code};
  const text = `Pinterest ${endpoint} answered ${status}${code === undefined ? '' : ` (code ${code})`}${
    message ? `: ${message}` : ''
  }`;
  const retryAfterMs = retryAfterFromMessage(message);

  if (status === 401) {
    if (code !== undefined && PERMISSION_CODES_ON_401.has(code))
      return new PermissionError(text, {...init, retriable: false});
    return new AuthError(text, {...init, retriable: false});
  }
  if (status === 403) return new PermissionError(text, {...init, retriable: false});
  if (status === 404) return new NotFoundError(text, {...init, retriable: false});
  if (status === 429) {
    // notes/pinterest-api.md §7: a spam block also answers 429; retrying it only deepens the block.
    if (/spam/i.test(detail) || /spam/i.test(message)) {
      return new PermissionError(`${text} (blocked as spam; not retried)`, {...init, retriable: false});
    }
    const headerReset = parseRateLimitHeaders(outcome.headers ?? {})?.resetSeconds;
    const waitMs = Math.max(headerReset === undefined ? 0 : headerReset * 1000, retryAfterMs ?? 0);
    if (waitMs > ctx.maxRateLimitWaitSeconds * 1000) {
      return new QuotaExhaustedError(`${text} (daily quota of ${ctx.category} spent)`, {
        ...init,
        category: ctx.category,
        resumeAt: new Date(ctx.now + waitMs),
      });
    }
    return new RateLimitedError(text, {...init, retriable: true, retryAfterMs: waitMs || undefined});
  }
  if (status === 400 || status === 409 || status === 405) {
    if (code === TRANSIENT_400_CODE || retryAfterMs !== undefined) {
      return new TransientError(text, {...init, retriable: true, reason: 'server', retryAfterMs});
    }
    return new BadRequestError(text, {...init, retriable: false});
  }
  if (status >= 500) return new TransientError(text, {...init, retriable: true, reason: 'server'});
  return new BadRequestError(text, {...init, retriable: false});
}

/** What an axios failure was, without keeping the axios error (its config holds secrets). */
export function outcomeOfAxiosError(error: unknown): HttpOutcome {
  if (!(error instanceof AxiosError)) return {transport: 'network'};
  const response = error.response;
  if (error.code === AxiosError.ERR_BAD_RESPONSE && response && response.status < 300) {
    return {status: response.status, transport: 'malformed'};
  }
  if (error.code === 'ETIMEDOUT' || error.code === AxiosError.ECONNABORTED) return {transport: 'timeout'};
  if (!response) return {transport: 'network'};
  return {status: response.status, body: response.data, headers: response.headers as Record<string, unknown>};
}
