/**
 * Typed errors of the Pinterest client. Each carries the endpoint TEMPLATE (never a URL with query or
 * tokens), the HTTP status and Pinterest's body code, and whether retrying can help. None keeps the axios
 * error as `cause`: its config holds the Authorization header and the token request body.
 */
import {CdcError} from '../errors';
import type {RateCategory, RetryReason} from './types';

export interface PinterestErrorInit {
  endpoint: string;
  status?: number;
  pinterestCode?: number;
  retriable: boolean;
}

export class PinterestApiError extends CdcError {
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly pinterestCode: number | undefined;

  constructor(message: string, init: PinterestErrorInit) {
    super(message, {retriable: init.retriable});
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.pinterestCode = init.pinterestCode;
  }
}

/** 401, or a refresh that was refused: the user must re-authenticate. */
export class AuthError extends PinterestApiError {}

/**
 * The token endpoint refused the app's own credentials (invalid client: wrong PINTEREST_CLIENT_ID or
 * PINTEREST_CLIENT_SECRET, or an app Pinterest no longer accepts). No refresh token can help; fix the app
 * credentials. Not retriable.
 */
export class InvalidClientError extends AuthError {
  readonly oauthError = 'invalid_client' as const;
}

/**
 * No usable refresh token: Pinterest refused it (invalid grant: retired, expired or revoked) and neither the token
 * store nor the configuration holds a newer one. The user must authorise the app again. Not retriable; the
 * service stays up and picks up a new token from the store or the configuration.
 */
export class ReauthorizationRequiredError extends AuthError {
  readonly oauthError = 'invalid_grant' as const;
}

/** 403, missing scope, not permitted, or a spam block. */
export class PermissionError extends PinterestApiError {}

export class BadRequestError extends PinterestApiError {}

export class NotFoundError extends PinterestApiError {}

/** A short throttle (429): retried after the reset the server gave. */
export class RateLimitedError extends PinterestApiError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, init: PinterestErrorInit & {retryAfterMs?: number}) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** A category's daily quota is spent: not retriable in this cycle; the category resumes at `resumeAt`. */
export class QuotaExhaustedError extends PinterestApiError {
  readonly category: RateCategory;
  readonly resumeAt: Date;
  constructor(
    message: string,
    init: Omit<PinterestErrorInit, 'retriable'> & {category: RateCategory; resumeAt: Date}
  ) {
    super(message, {...init, retriable: false});
    this.category = init.category;
    this.resumeAt = init.resumeAt;
  }
}

/** 5xx, network failure, timeout, malformed body, or a documented transient 400. */
export class TransientError extends PinterestApiError {
  readonly reason: RetryReason;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, init: PinterestErrorInit & {reason: RetryReason; retryAfterMs?: number}) {
    super(message, init);
    this.reason = init.reason;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** A list repeated a bookmark: following it would yield records twice (or loop forever). */
export class PaginationError extends PinterestApiError {}

/** An async report ended FAILED / EXPIRED / CANCELLED / DOES_NOT_EXIST, or was not ready in time. */
export class ReportFailedError extends PinterestApiError {
  readonly reportStatus: string;
  constructor(message: string, init: PinterestErrorInit & {reportStatus: string}) {
    super(message, init);
    this.reportStatus = init.reportStatus;
  }
}

/**
 * The token store could not be read or written (retriable: Kafka or the disk may come back), or holds a record
 * this process cannot use (not retriable, e.g. encrypted with a key it does not have).
 */
export class TokenStoreError extends CdcError {
  constructor(message: string, options: {retriable?: boolean; cause?: unknown} = {}) {
    super(message, {retriable: options.retriable ?? true, cause: options.cause});
  }
}
