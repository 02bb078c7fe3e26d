/**
 * One user's OAuth tokens with continuous refresh (notes/pinterest-api.md §6): every refresh returns a new `pinr`
 * refresh token and a new `pina` access token; the used refresh token is retired at once, with no grace for a
 * replay (no public source shows live accepting a just-retired token; docs/notes.md, Sandbox).
 * The client credentials are the app's, checked by the token endpoint before any user is involved.
 */
import {INVALID_GRANT} from './api-error';
import {hash32, Rand} from './rng';

// notes/pinterest-api.md §6: continuous refresh tokens have a 60-day expiration.
export const REFRESH_TOKEN_TTL_SECONDS = 60 * 86_400;
const SCOPE = 'ads:read,boards:read,boards:read_secret,pins:read,pins:read_secret,user_accounts:read';

export interface TokenOptions {
  refreshToken: string;
  accessTokenTtlSeconds: number;
  seed: number;
  /** Keeps users' minted tokens apart. */
  userIndex: number;
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
    const salt = this.opts.userIndex === 0 ? [] : [this.opts.userIndex];
    return `${prefix}.${new Rand(hash32(this.opts.seed, 0x70c, ...salt, this.issued)).hex(48)}`;
  }

  /** Whether this user issued (or was given) the refresh token, current or retired. */
  knowsRefreshToken(token: string): boolean {
    return token === this.current.token || this.retired.has(token);
  }

  /** Whether this user issued the access token (expired or not). */
  knowsAccessToken(token: string): boolean {
    return this.access.has(token);
  }

  /** The refresh grant for a presented token; the 401 code 283 Pinterest gives a refused grant otherwise. */
  refresh(presented: string | null): Record<string, unknown> {
    const now = this.opts.nowMs();
    if (!presented || presented !== this.current.token || now >= this.current.expiresMs)
      throw INVALID_GRANT();
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

  /** Whether a bearer access token of this user is valid now. */
  accessValid(token: string): boolean {
    const expires = this.access.get(token);
    return expires !== undefined && this.opts.nowMs() < expires;
  }

  revokeAccessTokens(): void {
    this.access.clear();
  }

  summary(): {refreshTokens: {current: string; retired: number}} {
    return {refreshTokens: {current: this.current.token, retired: this.retired.size}};
  }
}
