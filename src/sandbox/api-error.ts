/** An error answer of the API: HTTP status + Pinterest's `{code, message}` body (notes/pinterest-api.md §8). */
import {CdcError} from '../errors';

export class ApiError extends CdcError {
  readonly status: number;
  readonly body: {code: number; message: string};
  readonly headers: Record<string, string>;

  constructor(status: number, code: number, message: string, headers: Record<string, string> = {}) {
    super(`${status} ${code}: ${message}`, {retriable: status === 429 || status >= 500});
    this.status = status;
    this.body = {code, message};
    this.headers = headers;
  }
}

// Bodies copied from the spec's examples (pinterest-api/examples/_all-error-examples.json) unless marked [I].
export const AUTH_FAILED = (): ApiError => new ApiError(401, 2, 'Authentication failed.');
// Token endpoint (docs/notes.md, Sandbox): a refused refresh token (retired, expired, unknown) is 401 code 283 as
// recorded live (pinterest/pinterest-python-sdk #114); wrong client credentials are [I] the generic 401 code 2.
export const INVALID_GRANT = (): ApiError => new ApiError(401, 283, 'The authorization grant is invalid');
export const INVALID_CLIENT = AUTH_FAILED;
export const METHOD_NOT_ALLOWED = (): ApiError => new ApiError(405, 5, 'Method not allowed');
export const RATE_LIMITED_MESSAGE =
  'This request exceeded a rate limit. This can happen if the client exceeds one\nof the published rate limits within a short time window.';
// notes/pinterest-api.md §7 [P]: the analytics cost limit.
export const COST_LIMIT_MESSAGE = 'Reporting query cost limit exceeded. Retry after 1 seconds';
export const AD_ACCOUNT_NOT_FOUND = (): ApiError => new ApiError(404, 2, 'AdAccount not found.');
export const PIN_NOT_FOUND = (): ApiError => new ApiError(404, 50, 'Pin not found.');
export const BOARD_NOT_FOUND = (): ApiError => new ApiError(404, 40, 'Board not found.');
// [I] No example exists for campaigns/ad groups/ads get; the ad-entity endpoints use code = HTTP status.
export const ENTITY_NOT_FOUND = (what: string): ApiError => new ApiError(404, 404, `${what} not found.`);
export const invalidParameter = (message: string): ApiError => new ApiError(400, 1, message);
export const patternMismatch = (name: string, value: string): ApiError =>
  invalidParameter(`'${name}' value '${value}' must match the pattern: ^\\d+$`);
