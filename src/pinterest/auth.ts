/**
 * OAuth 2.0 refresh-token grant (notes/pinterest-api.md §6): Basic client id/secret, form body, rotating
 * refresh tokens. One refresh at a time however many requests wait for it (single-flight); the rotated
 * refresh token is saved to the TokenStore BEFORE the new access token is used.
 */
import {AuthError, PinterestApiError, TokenStoreError, TransientError} from './errors';
import type {StoredTokens, TokenStore} from './token-store';
import type {Clock, Logger, RequestHooks} from './types';

export const TOKEN_ENDPOINT = '/oauth/token';

/** Sends the form body to the token endpoint with the given Authorization header; resolves the parsed body. */
export type TokenRequester = (form: string, authorization: string) => Promise<unknown>;

export interface TokenManagerOptions {
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  accessToken?: string;
  refreshAheadSeconds: number;
  continuousRefresh: boolean;
  store: TokenStore;
  clock: Clock;
  logger: Logger;
  hooks: RequestHooks;
  requestToken: TokenRequester;
}

interface AccessToken {
  token: string;
  /** Undefined for a configured access token: used until the API refuses it. */
  expiresAt: number | undefined;
}

const REAUTHENTICATE =
  'Pinterest refused the refresh token: re-authenticate (run the OAuth authorization again and set PINTEREST_REFRESH_TOKEN)';

export class TokenManager {
  private access: AccessToken | undefined;
  private refreshToken: string | undefined;
  private storeLoaded = false;
  private inflight: Promise<string> | undefined;

  constructor(private readonly options: TokenManagerOptions) {
    this.refreshToken = options.refreshToken;
    if (options.accessToken) this.access = {token: options.accessToken, expiresAt: undefined};
  }

  /** True when a refresh is possible at all (client credentials configured). */
  get canRefresh(): boolean {
    return Boolean(this.options.clientId && this.options.clientSecret);
  }

  /** A usable access token, refreshed ahead of its expiry. */
  async accessToken(): Promise<string> {
    if (this.inflight) return this.inflight;
    const access = this.access;
    const aheadMs = this.options.refreshAheadSeconds * 1000;
    if (access && (access.expiresAt === undefined || this.options.clock.now() < access.expiresAt - aheadMs)) {
      return access.token;
    }
    if (!this.canRefresh) {
      if (access) return access.token;
      throw new AuthError(
        'No Pinterest credentials: set a refresh token with client id and secret, or an access token',
        {
          endpoint: TOKEN_ENDPOINT,
          retriable: false,
        }
      );
    }
    return this.refresh();
  }

  /** The API answered 401 to `rejected`: refresh once, unless another request already did. */
  async onUnauthorized(rejected: string): Promise<string> {
    if (this.inflight) return this.inflight;
    if (this.access && this.access.token !== rejected) return this.access.token;
    if (!this.canRefresh) {
      throw new AuthError(
        'Pinterest refused the access token and no refresh token is configured: re-authenticate',
        {
          endpoint: TOKEN_ENDPOINT,
          status: 401,
          retriable: false,
        }
      );
    }
    this.access = undefined;
    return this.refresh();
  }

  private refresh(): Promise<string> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** One refresh-token grant; a refused token is an AuthError (re-authenticate), not retried. */
  private async requestRefresh(refreshToken: string): Promise<unknown> {
    const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: refreshToken});
    if (this.options.continuousRefresh) form.set('continuous_refresh', 'true');
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    try {
      return await this.options.requestToken(form.toString(), `Basic ${basic}`);
    } catch (error) {
      if (error instanceof PinterestApiError && [400, 401, 403].includes(error.status ?? 0)) {
        throw new AuthError(REAUTHENTICATE, {
          endpoint: TOKEN_ENDPOINT,
          status: error.status,
          pinterestCode: error.pinterestCode,
          retriable: false,
        });
      }
      throw error;
    }
  }

  private async doRefresh(): Promise<string> {
    const {clock, hooks, logger, store} = this.options;
    const started = clock.now();
    const outcome = (ok: boolean) =>
      hooks.onTokenRefresh?.({
        outcome: ok ? 'success' : 'failure',
        durationSeconds: (clock.now() - started) / 1000,
      });
    try {
      if (!this.storeLoaded) {
        const stored = await store.load();
        // The store holds the newest rotation; the configured token may have been retired since.
        if (stored?.refreshToken) this.refreshToken = stored.refreshToken;
        this.storeLoaded = true;
      }
      if (!this.refreshToken) {
        throw new AuthError('No Pinterest refresh token configured or stored: re-authenticate', {
          endpoint: TOKEN_ENDPOINT,
          retriable: false,
        });
      }
      let body: unknown;
      try {
        body = await this.requestRefresh(this.refreshToken);
      } catch (error) {
        // A stored token the API refuses while the configured one differs: the user re-authorised and set a new
        // token, which must win over the stale rotation in the store (else the service could never recover).
        const configured = this.options.refreshToken;
        if (!(error instanceof AuthError) || !configured || configured === this.refreshToken) throw error;
        logger.warn({}, 'the stored refresh token was refused; trying the configured one');
        this.refreshToken = configured;
        body = await this.requestRefresh(configured);
      }
      const parsed = parseTokenResponse(body, clock.now());
      if (parsed.stored) {
        // Pinterest has already retired the old refresh token; keep the new one in memory even if saving fails.
        this.refreshToken = parsed.stored.refreshToken;
        try {
          await store.save(parsed.stored);
        } catch (error) {
          logger.error(
            {err: {message: (error as Error).message}},
            'could not persist the rotated refresh token'
          );
          throw new TokenStoreError(
            'Could not persist the rotated Pinterest refresh token; the new access token is not used'
          );
        }
      }
      this.access = {token: parsed.accessToken, expiresAt: parsed.expiresAt};
      logger.info(
        {expiresInSeconds: parsed.expiresInSeconds, refreshTokenRotated: Boolean(parsed.stored)},
        'refreshed the Pinterest access token'
      );
      outcome(true);
      return parsed.accessToken;
    } catch (error) {
      outcome(false);
      throw error;
    }
  }
}

interface ParsedTokenResponse {
  accessToken: string;
  expiresAt: number | undefined;
  expiresInSeconds: number | undefined;
  stored: StoredTokens | undefined;
}

function parseTokenResponse(body: unknown, now: number): ParsedTokenResponse {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (typeof record.access_token !== 'string' || record.access_token === '') {
    throw new TransientError('Pinterest /oauth/token answered without an access_token', {
      endpoint: TOKEN_ENDPOINT,
      status: 200,
      retriable: true,
      reason: 'malformed',
    });
  }
  const expiresIn = typeof record.expires_in === 'number' ? record.expires_in : undefined;
  let stored: StoredTokens | undefined;
  if (typeof record.refresh_token === 'string' && record.refresh_token !== '') {
    stored = {refreshToken: record.refresh_token};
    if (typeof record.refresh_token_expires_at === 'number') {
      stored.refreshTokenExpiresAt = new Date(record.refresh_token_expires_at * 1000).toISOString();
    } else if (typeof record.refresh_token_expires_in === 'number') {
      stored.refreshTokenExpiresAt = new Date(now + record.refresh_token_expires_in * 1000).toISOString();
    }
  }
  return {
    accessToken: record.access_token,
    expiresAt: expiresIn === undefined ? undefined : now + expiresIn * 1000,
    expiresInSeconds: expiresIn,
    stored,
  };
}
