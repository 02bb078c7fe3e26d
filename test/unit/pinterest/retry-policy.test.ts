/** The one retry policy (src/pinterest/retry-policy.ts): pure decisions from a classified error and a history. */
import {CdcError} from '../../../src/errors';
import {DEFAULT_CLIENT_CONFIG} from '../../../src/pinterest/config';
import {
  AuthError,
  BadRequestError,
  InvalidClientError,
  PermissionError,
  QuotaExhaustedError,
  RateLimitedError,
  TokenStoreError,
  TransientError,
} from '../../../src/pinterest/errors';
import {decideRetry, type RetryContext, type RetryHistory} from '../../../src/pinterest/retry-policy';

const bounds = {
  ...DEFAULT_CLIENT_CONFIG.retry,
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxElapsedMs: 60_000,
  maxRateLimitRetries: 2,
};
const endpoint = '/ad_accounts';
const history = (over: Partial<RetryHistory> = {}): RetryHistory => ({
  startedAt: 0,
  backoffs: 0,
  waits: 0,
  refreshes: 0,
  ...over,
});
const ctx = (over: Partial<RetryContext> = {}): RetryContext => ({
  endpoint,
  bounds,
  auth: 'bearer',
  canRefresh: true,
  now: 1000,
  random: () => 1,
  ...over,
});
const transient = (
  reason: 'server' | 'network' | 'timeout' | 'malformed',
  status?: number,
  retryAfterMs?: number
) => new TransientError('t', {endpoint, status, retriable: true, reason, retryAfterMs});
const throttle = (retryAfterMs?: number) =>
  new RateLimitedError('429', {endpoint, status: 429, retriable: true, retryAfterMs});

describe('retry policy', () => {
  it('waits out a 429 for the time the server named, blocking the whole category', () => {
    expect(decideRetry(throttle(7000), history(), ctx())).toEqual({
      kind: 'retry',
      reason: 'rate_limited',
      counter: 'waits',
      attempt: 1,
      delayMs: 7000,
      blockCategory: true,
    });
  });

  it('backs off a 429 that names no wait, and gives up after maxRateLimitRetries', () => {
    expect(decideRetry(throttle(), history({waits: 1}), ctx())).toMatchObject({
      kind: 'retry',
      attempt: 2,
      delayMs: 200, // base 100 * 2^(2-1), full jitter (random 1)
    });
    expect(decideRetry(throttle(), history({waits: 2}), ctx())).toEqual({kind: 'fail'});
  });

  it('waits a transient 400 (code 12, "Retry after N seconds") without blocking the category', () => {
    expect(decideRetry(transient('server', 400, 1000), history(), ctx())).toEqual({
      kind: 'retry',
      reason: 'server',
      counter: 'waits',
      attempt: 1,
      delayMs: 1000,
      blockCategory: false,
    });
  });

  it('backs off 5xx, network errors, timeouts and malformed bodies with jitter, up to maxRetries', () => {
    for (const [reason, status] of [
      ['server', 503],
      ['network', undefined],
      ['timeout', undefined],
      ['malformed', 200],
    ] as const) {
      expect(decideRetry(transient(reason, status), history({backoffs: 2}), ctx({random: () => 0}))).toEqual({
        kind: 'retry',
        reason,
        counter: 'backoffs',
        attempt: 3,
        delayMs: 200, // ceiling 400, "equal jitter" floor at half
        blockCategory: false,
      });
      expect(decideRetry(transient(reason, status), history({backoffs: 3}), ctx())).toEqual({kind: 'fail'});
    }
  });

  it('never starts a retry that would end past the elapsed bound', () => {
    expect(decideRetry(throttle(5000), history(), ctx({now: 56_000}))).toEqual({kind: 'fail'});
    expect(decideRetry(transient('server', 502), history(), ctx({now: 59_950}))).toEqual({kind: 'fail'});
    expect(decideRetry(transient('server', 502), history(), ctx({now: 59_000}))).toMatchObject({
      kind: 'retry',
    });
  });

  it('pauses the category of a spent daily quota (code 8) until its reset', () => {
    const resumeAt = new Date(67_150_000);
    const error = new QuotaExhaustedError('cap', {
      endpoint,
      status: 429,
      category: 'ads_analytics',
      resumeAt,
    });
    expect(decideRetry(error, history(), ctx())).toEqual({
      kind: 'pause',
      category: 'ads_analytics',
      resumeAt,
    });
  });

  it('never retries a spam 429', () => {
    const spam = new PermissionError('spam', {endpoint, status: 429, retriable: false});
    expect(decideRetry(spam, history(), ctx())).toEqual({kind: 'fail', spam: true});
  });

  it("refreshes once after a bearer request's 401, never for the token endpoint's own refusals", () => {
    const unauthorized = new AuthError('401', {endpoint, status: 401, retriable: false});
    expect(decideRetry(unauthorized, history(), ctx())).toEqual({kind: 'refresh'});
    expect(decideRetry(unauthorized, history({refreshes: 1}), ctx())).toEqual({kind: 'fail'});
    expect(decideRetry(unauthorized, history(), ctx({auth: 'basic'}))).toEqual({kind: 'fail'});
    expect(decideRetry(unauthorized, history(), ctx({canRefresh: false}))).toEqual({kind: 'fail'});
    const client = new InvalidClientError('bad client', {
      endpoint: '/oauth/token',
      status: 401,
      retriable: false,
    });
    expect(decideRetry(client, history(), ctx({auth: 'basic'}))).toEqual({kind: 'fail'});
  });

  it('never retries what the access-token step already handled (an error about the token endpoint)', () => {
    const damaged = new TransientError('3 damaged', {
      endpoint: '/oauth/token',
      status: 200,
      retriable: true,
      reason: 'malformed',
    });
    expect(decideRetry(damaged, history(), ctx())).toEqual({kind: 'fail'});
    expect(decideRetry(damaged, history(), ctx({endpoint: '/oauth/token', auth: 'basic'}))).toMatchObject({
      kind: 'retry',
    });
  });

  it('fails everything else at once', () => {
    expect(
      decideRetry(new BadRequestError('400', {endpoint, status: 400, retriable: false}), history(), ctx())
    ).toEqual({kind: 'fail'});
    expect(decideRetry(new TokenStoreError('kafka down'), history(), ctx())).toEqual({kind: 'fail'});
    expect(decideRetry(new CdcError('other', {retriable: true}), history(), ctx())).toEqual({kind: 'fail'});
  });
});
