/**
 * OAuth 2.0 refresh grant with continuous refresh tokens (notes/pinterest-api.md §6): every refresh returns a new
 * `pinr` refresh token and a new `pina` access token; the used refresh token is retired at once.
 */
import {AUTH_FAILED, INVALID_TOKEN, invalidParameter} from './api-error';
import {hash32, Rand} from './rng';

// notes/pinterest-api.md §6: continuous refresh tokens have a 60-day expiration.
export const REFRESH_TOKEN_TTL_SECONDS = 60 * 86_400;
const SCOPE = 'ads:read,boards:read,boards:read_secret,pins:read,pins:read_secret,user_accounts:read';

export interface TokenOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessTokenTtlSeconds: number;
  seed: number;
  nowMs: () => number;
}

export class TokenService {
  private current: {token: string; expiresMs: number};
  private readonly retired = new Set<string>();
  private readonly access = new Map<string, number>(); // token -> expiry (sandbox ms)
  private issued = 0;

  constructor(private readonly opts: TokenOptions) {
    this.current = {token: opts.refreshToken, expiresMs: opts.nowMs() + REFRESH_TOKEN_TTL_SECONDS * 1000};
  }

  private mint(prefix: string): string {
    this.issued++;
    return `${prefix}.${new Rand(hash32(this.opts.seed, 0x70c, this.issued)).hex(48)}`;
  }

  /** POST /v5/oauth/token. */
  refresh(authorization: string | undefined, form: URLSearchParams): Record<string, unknown> {
    const expected =
      'Basic ' + Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString('base64');
    if (authorization !== expected) throw AUTH_FAILED();
    const grant = form.get('grant_type');
    if (grant !== 'refresh_token') {
      throw invalidParameter(
        `Invalid grant_type: ${grant ?? '(missing)'}; the sandbox supports refresh_token`
      );
    }
    const presented = form.get('refresh_token');
    const now = this.opts.nowMs();
    if (!presented || presented !== this.current.token || now >= this.current.expiresMs)
      throw INVALID_TOKEN();
    this.retired.add(presented);
    const refreshToken = this.mint('pinr');
    const accessToken = this.mint('pina');
    const refreshExpiresMs = now + REFRESH_TOKEN_TTL_SECONDS * 1000;
    this.current = {token: refreshToken, expiresMs: refreshExpiresMs};
    this.access.set(accessToken, now + this.opts.accessTokenTtlSeconds * 1000);
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      response_type: 'refresh_token',
      token_type: 'bearer',
      expires_in: this.opts.accessTokenTtlSeconds,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
      refresh_token_expires_at: Math.floor(refreshExpiresMs / 1000),
      scope: SCOPE,
    };
  }

  /** Throws 401 code 2 for a missing, unknown, expired or revoked bearer token. */
  authenticate(authorization: string | undefined): void {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    const expires = match?.[1] === undefined ? undefined : this.access.get(match[1]);
    if (expires === undefined || this.opts.nowMs() >= expires) throw AUTH_FAILED();
  }

  revokeAccessTokens(): void {
    this.access.clear();
  }

  summary(): {refreshTokens: {current: string; retired: number}} {
    return {refreshTokens: {current: this.current.token, retired: this.retired.size}};
  }
}
