/**
 * What the token endpoint answered: a usable grant, a damaged 200, or a refusal (invalid client vs invalid
 * grant). Pure functions over the raw body, so a damaged reply can still give up the refresh token it carried.
 */
import {safeMessage} from './classify';

/** The raw answer of one token request (any status below 500 except 429; those are retried before this). */
export interface TokenReply {
  status: number;
  /** The body as received; may stop short (`complete` false) when the connection broke mid-body. */
  text: string;
  complete: boolean;
}

export interface GrantedTokens {
  accessToken: string;
  /** Seconds, from `expires_in`; absent = unknown (used until the API refuses it). */
  expiresInSeconds: number | undefined;
  /** Absent when the grant did not rotate the refresh token. */
  refreshToken: string | undefined;
  /** ISO-8601, from `refresh_token_expires_at` / `refresh_token_expires_in`. */
  refreshTokenExpiresAt: string | undefined;
}

export type ParsedReply =
  {ok: true; tokens: GrantedTokens} | {ok: false; salvagedRefreshToken: string | undefined};

/** A 2xx body: the grant, or (damaged: not JSON, cut short, no access token) whatever refresh token it still holds. */
export function parseGrant(reply: TokenReply, now: number): ParsedReply {
  const record = parseObject(reply.text);
  if (!record) return {ok: false, salvagedRefreshToken: salvageRefreshToken(reply.text)};
  const refreshToken = plausibleToken(record.refresh_token);
  if (!plausibleToken(record.access_token)) return {ok: false, salvagedRefreshToken: refreshToken};
  let refreshTokenExpiresAt: string | undefined;
  if (typeof record.refresh_token_expires_at === 'number') {
    refreshTokenExpiresAt = new Date(record.refresh_token_expires_at * 1000).toISOString();
  } else if (typeof record.refresh_token_expires_in === 'number') {
    refreshTokenExpiresAt = new Date(now + record.refresh_token_expires_in * 1000).toISOString();
  }
  return {
    ok: true,
    tokens: {
      accessToken: record.access_token as string,
      expiresInSeconds: typeof record.expires_in === 'number' ? record.expires_in : undefined,
      refreshToken,
      refreshTokenExpiresAt,
    },
  };
}

/**
 * The value of the first COMPLETE `"refresh_token": "..."` member in a damaged body (its closing quote arrived), or
 * undefined. A value cut short has no closing quote and is never taken for a token.
 */
export function salvageRefreshToken(text: string): string | undefined {
  const match = /"refresh_token"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (!match?.[1]) return undefined;
  try {
    return plausibleToken(JSON.parse(match[1]));
  } catch {
    return undefined;
  }
}

export type RefusalKind = 'invalid_client' | 'invalid_grant';

// docs/notes.md (Pinterest API): a refused refresh token answers 401 {"code":283,"message":"The authorization grant
// is invalid"} (pinterest/pinterest-python-sdk #114); the spec's examples give 400 code 1104 "The token you provided
// is not valid or has expired." for an expired token. Wrong client credentials: 401 code 2 "Authentication failed."
// in the sandbox ([I], not recorded live).
const GRANT_CODES = new Set([283, 1104]);

/**
 * Which credential a 4xx from the token endpoint refused. When in doubt it says invalid grant: that path re-reads
 * the token store and tries every known token, so a wrong guess costs a few requests, while a grant refusal taken
 * for a client one would stop looking for the token another process rotated.
 */
export function classifyRefusal(status: number, text: string): RefusalKind {
  const body = parseObject(text) ?? {};
  const error = typeof body.error === 'string' ? body.error : undefined;
  if (error === 'invalid_client' || error === 'unauthorized_client') return 'invalid_client';
  if (error === 'invalid_grant') return 'invalid_grant';
  const code = typeof body.code === 'number' ? body.code : undefined;
  const message = typeof body.message === 'string' ? body.message : '';
  if ((code !== undefined && GRANT_CODES.has(code)) || /grant|token/i.test(message)) return 'invalid_grant';
  return status === 401 || status === 403 ? 'invalid_client' : 'invalid_grant';
}

/** A short, token-free description of a refusal for errors and logs: status, code and Pinterest's message. */
export function describeRefusal(status: number, text: string): string {
  const body = parseObject(text) ?? {};
  const code = typeof body.code === 'number' ? ` code ${body.code}` : '';
  const message = safeMessage(body.message ?? body.error);
  return `HTTP ${status}${code}${message ? `: ${message}` : ''}`;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 6749 tokens are visible ASCII; anything else (empty, spaces, control characters, huge) is not one. */
function plausibleToken(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x21-\x7e]{1,4096}$/.test(value) ? value : undefined;
}
