/**
 * OAuth 2.0 refresh-token grant (notes/pinterest-api.md §6): Basic client id/secret, form body, rotating refresh
 * tokens, shared through the TokenStore by every process of a connection.
 *
 * - One refresh at a time in a process (single-flight); across processes, the stored access token is shared and
 *   each process re-reads the store before it refreshes, with a jittered refresh-ahead, so one of them rotates.
 * - Whoever rotates saves the new tokens to the store BEFORE using the new access token.
 * - A refused refresh token (invalid grant) sends the process back to the store: another process may have rotated
 *   it (a shared store is watched for `storeSettleMs`, the window between someone's rotation and their write);
 *   then the configured token is tried; only then is re-authorisation required.
 * - A damaged 200 (not JSON, cut short) keeps a complete `refresh_token` it still carries (saved first, then used
 *   for a clean refresh); without one the same token is tried again, since Pinterest may not have rotated.
 * - Invalid client (the app's id/secret) and invalid grant (the refresh token) are told apart. Either state is
 *   reported once (log, hook) and holds until a token works again; the store is read again at most every
 *   `blockedRecheckMs` for a token someone put there. Tokens are only ever sent to the token endpoint.
 */
import {
  AuthError,
  InvalidClientError,
  ReauthorizationRequiredError,
  TokenStoreError,
  TransientError,
} from './errors';
import {backoffDelayMs} from './retry-policy';
import {tokenDigest} from './token-cipher';
import {
  classifyRefusal,
  describeRefusal,
  parseGrant,
  type GrantedTokens,
  type RefusalKind,
  type TokenReply,
} from './token-reply';
import type {StoredTokens, TokenStore} from './token-store';
import type {AuthorizationEvent, Clock, Logger, RequestHooks, Sleep} from './types';

export const TOKEN_ENDPOINT = '/oauth/token';

/** Sends the form body to the token endpoint with the given Authorization header; resolves the raw reply. */
export type TokenRequester = (form: string, authorization: string) => Promise<TokenReply>;

export interface TokenManagerOptions {
  clientId?: string;
  clientSecret?: string;
  /** The configured refresh token: tried when the stored ones are refused (a user who re-authorised). */
  refreshToken?: string;
  /** A configured access token: used as is until refused. */
  accessToken?: string;
  refreshAheadSeconds: number;
  continuousRefresh: boolean;
  /** After a refused refresh token, how long a shared store is watched for another process's newer one. */
  storeSettleMs: number;
  /** While blocked (re-authorisation required, client rejected), how often to look for a new token again. */
  blockedRecheckMs: number;
  store: TokenStore;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  hooks: RequestHooks;
  requestToken: TokenRequester;
  random?: () => number;
}

interface AccessToken {
  token: string;
  /** Undefined for a configured access token: used until the API refuses it. */
  expiresAt: number | undefined;
  issuedAt: number | undefined;
}

interface Refusal {
  kind: RefusalKind;
  /** Status, code and Pinterest's message, token-free. */
  detail: string;
  /** The tokens this refusal retired: the one refused, and the one a damaged reply had already rotated. */
  retired: string[];
}

type BlockedState = Exclude<AuthorizationEvent['state'], 'ok'>;

// A damaged reply is rare; three in a row is an outage of the token endpoint, reported as transient.
const MAX_DAMAGED_REPLIES = 3;
const DAMAGED_RETRY_BOUNDS = {
  maxRetries: MAX_DAMAGED_REPLIES,
  baseDelayMs: 500,
  maxDelayMs: 5000,
  maxElapsedMs: 60_000,
  maxRateLimitRetries: 0,
  maxRateLimitWaitSeconds: 0,
};

const REAUTHORISE =
  'authorise the app again (OAuth consent) and put the new refresh token in PINTEREST_REFRESH_TOKEN (or its ' +
  '_FILE) and restart, or write it to the token store with `pinterest-cdc token set` (a running `run` picks it ' +
  'up without a restart)';

export class TokenManager {
  private access: AccessToken | undefined;
  /** The newest refresh token this process knows. */
  private refreshToken: string | undefined;
  /** Rotated tokens whose save failed: saved (not rotated again) before anything else is done. */
  private pending: StoredTokens | undefined;
  /** Digests of refresh tokens Pinterest refused and access tokens the API refused: never offered again. */
  private readonly refused = new Set<string>();
  private readonly rejected = new Set<string>();
  private blocked:
    {state: BlockedState; error: AuthError; refusal: Refusal | undefined; checkedAt: number} | undefined;
  /** The state last reported to the hook: 'ok' is reported once a token works, also when this client starts. */
  private reported: AuthorizationEvent['state'] | undefined;
  private inflight: Promise<string> | undefined;
  /** A refresh token others could read (kept in clear until now): rotated at the next renewal unless already. */
  private exposed: string | undefined;
  /** 1..2: this process refreshes between 1x and 2x `refreshAheadSeconds` before expiry, others adopt its token. */
  private readonly aheadFactor: number;

  constructor(private readonly options: TokenManagerOptions) {
    this.refreshToken = options.refreshToken;
    this.aheadFactor = 1 + (options.random ?? Math.random)();
    if (options.accessToken) {
      this.access = {token: options.accessToken, expiresAt: undefined, issuedAt: undefined};
    }
  }

  /** True when a refresh is possible at all (client credentials configured). */
  get canRefresh(): boolean {
    return Boolean(this.options.clientId && this.options.clientSecret);
  }

  /**
   * `refreshToken` was readable by others (stored in clear until now): rotate it at the next request, so the
   * copies left behind are worthless, unless another process has rotated it already.
   */
  retire(refreshToken: string): void {
    this.exposed = refreshToken;
  }

  /** A usable access token: the one in hand, the one another process stored, or a fresh one. */
  async accessToken(): Promise<string> {
    if (this.inflight) return this.inflight;
    const settled = !this.pending && this.exposed === undefined;
    if (settled && this.access && this.usable(this.access)) return this.access.token;
    if (!this.canRefresh) {
      if (this.access) return this.access.token;
      throw new AuthError(
        'No Pinterest credentials: set a refresh token with client id and secret, or an access token',
        {endpoint: TOKEN_ENDPOINT, retriable: false}
      );
    }
    return this.once(() => this.renew());
  }

  /** The API answered 401 to `rejected`: another access token, unless another request already got one. */
  async onUnauthorized(rejected: string): Promise<string> {
    this.rejected.add(tokenDigest(rejected));
    if (this.inflight) return this.inflight;
    if (this.access && this.usable(this.access)) return this.access.token;
    if (!this.canRefresh) {
      throw new AuthError(
        'Pinterest refused the access token and no refresh token is configured: re-authenticate',
        {endpoint: TOKEN_ENDPOINT, status: 401, retriable: false}
      );
    }
    return this.once(() => this.renew());
  }

  private once(work: () => Promise<string>): Promise<string> {
    this.inflight ??= work().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async renew(): Promise<string> {
    if (this.pending) return this.keep(this.pending);
    const blocked = this.blocked;
    if (blocked && this.options.clock.now() - blocked.checkedAt < this.options.blockedRecheckMs) {
      throw blocked.error;
    }
    const stored = await this.load();
    if (this.exposed !== undefined && stored?.refreshToken !== this.exposed) this.exposed = undefined;
    if (this.exposed === undefined) {
      const adopted = this.adopt(stored);
      if (adopted !== undefined) return adopted;
    }
    const token = await this.refresh(stored);
    this.exposed = undefined;
    return token;
  }

  /** Takes the stored access token when it is good (another process refreshed); undefined otherwise. */
  private adopt(stored: StoredTokens | undefined): string | undefined {
    const access = stored && accessOf(stored);
    if (!stored || !access || !this.usable(access)) return undefined;
    this.access = access;
    this.refreshToken = stored.refreshToken;
    this.unblock();
    this.options.logger.debug({}, 'using the Pinterest access token another process stored');
    return access.token;
  }

  /** Tries the known refresh tokens, newest first, until one is granted; blocks when none is. */
  private async refresh(initial: StoredTokens | undefined): Promise<string> {
    const tried = new Set<string>();
    let stored = initial;
    let watched = false;
    // While blocked, start from the refusal that blocked: after an invalid client only the store's token is retried.
    let last: Refusal | undefined = this.blocked?.refusal;
    for (;;) {
      const candidate = this.candidates(stored, last).find((token) => !tried.has(token));
      if (candidate === undefined) break;
      tried.add(candidate);
      if (candidate === this.options.refreshToken && candidate !== stored?.refreshToken && stored) {
        this.options.logger.warn({}, 'the stored refresh token was refused; trying the configured one');
      }
      const granted = await this.grant(candidate);
      if (typeof granted === 'string') return granted;
      last = granted;
      if (granted.kind === 'invalid_grant')
        for (const token of granted.retired) this.refused.add(tokenDigest(token));
      stored = await this.load();
      if (
        granted.kind === 'invalid_grant' &&
        !watched &&
        this.options.store.shared &&
        !this.offersNew(stored, tried)
      ) {
        // Another process may have rotated this very token a moment ago and not written it yet.
        watched = true;
        stored = await this.watchStore(tried);
      }
      const adopted = this.adopt(stored);
      if (adopted !== undefined) return adopted;
    }
    return this.block(last);
  }

  /**
   * Refresh tokens worth a try, newest first: the store's, this process's, the configured one. After an invalid
   * client only the newest: another token cannot cure wrong app credentials, but a grant refusal taken for a
   * client one can (and the store may hold a newer token than the one refused).
   */
  private candidates(stored: StoredTokens | undefined, last: Refusal | undefined): string[] {
    const known = [...new Set([stored?.refreshToken, this.refreshToken, this.options.refreshToken])].filter(
      (token): token is string => token !== undefined && token !== '' && !this.refused.has(tokenDigest(token))
    );
    return last?.kind === 'invalid_client' ? known.slice(0, 1) : known;
  }

  private offersNew(stored: StoredTokens | undefined, tried: Set<string>): boolean {
    const token = stored?.refreshToken;
    return token !== undefined && !tried.has(token) && !this.refused.has(tokenDigest(token));
  }

  /** Reads the store a few times over `storeSettleMs` until it holds a token not tried yet. */
  private async watchStore(tried: Set<string>): Promise<StoredTokens | undefined> {
    const settle = this.options.storeSettleMs;
    let stored: StoredTokens | undefined;
    let waited = 0;
    for (const at of [settle / 4, settle / 2, settle]) {
      await this.options.sleep(at - waited);
      waited = at;
      stored = await this.load();
      if (this.offersNew(stored, tried)) break;
    }
    return stored;
  }

  /** One refresh grant with `refreshToken`, through damaged replies: the access token, or the refusal. */
  private async grant(refreshToken: string): Promise<string | Refusal> {
    const {clock, hooks, logger} = this.options;
    const started = clock.now();
    const outcome = (ok: boolean) =>
      hooks.onTokenRefresh?.({
        outcome: ok ? 'success' : 'failure',
        durationSeconds: (clock.now() - started) / 1000,
      });
    let token = refreshToken;
    try {
      for (let damaged = 0; ;) {
        const reply = await this.request(token);
        if (reply.status >= 300) {
          outcome(false);
          const retired = token === refreshToken ? [token] : [token, refreshToken];
          return {
            kind: classifyRefusal(reply.status, reply.text),
            detail: describeRefusal(reply.status, reply.text),
            retired,
          };
        }
        const parsed = parseGrant(reply, clock.now());
        if (parsed.ok) {
          const accessToken = await this.keep(storedTokensOf(parsed.tokens, token, clock.now()));
          outcome(true);
          return accessToken;
        }
        damaged += 1;
        const salvaged = parsed.salvagedRefreshToken;
        const usable =
          salvaged !== undefined && salvaged !== token && !this.refused.has(tokenDigest(salvaged));
        logger.warn(
          {damagedReplies: damaged, complete: reply.complete, keptRotatedToken: usable},
          usable
            ? 'Pinterest /oauth/token answered a damaged body that still held the rotated refresh token: saved it'
            : 'Pinterest /oauth/token answered a damaged body without a usable refresh token'
        );
        if (usable) {
          // Pinterest rotated (the body names the new token): the old one is retired; keep the new one first.
          token = salvaged;
          this.refreshToken = salvaged;
          await this.saveQuietly({refreshToken: salvaged});
        }
        if (damaged >= MAX_DAMAGED_REPLIES) {
          throw new TransientError(`Pinterest /oauth/token answered ${damaged} damaged bodies in a row`, {
            endpoint: TOKEN_ENDPOINT,
            status: reply.status,
            retriable: true,
            reason: 'malformed',
          });
        }
        // Salvaged: refresh with it at once (a clean grant). Not: the same token again, as Pinterest may not have
        // rotated (a proxy's damage); if it had, the refusal sends this process to the store and the config.
        if (!usable) await this.options.sleep(backoffDelayMs(damaged, DAMAGED_RETRY_BOUNDS));
      }
    } catch (error) {
      outcome(false);
      throw error;
    }
  }

  private request(refreshToken: string): Promise<TokenReply> {
    const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: refreshToken});
    if (this.options.continuousRefresh) form.set('continuous_refresh', 'true');
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    return this.options.requestToken(form.toString(), `Basic ${basic}`);
  }

  /** Saves the new tokens, then (only then) uses them. */
  private async keep(tokens: StoredTokens): Promise<string> {
    const {logger, store} = this.options;
    this.refreshToken = tokens.refreshToken;
    try {
      await store.save(tokens);
      this.pending = undefined;
    } catch (error) {
      // Pinterest has already retired the old refresh token: keep the new one in memory and save it next time.
      this.pending = tokens;
      logger.error(
        {err: {message: (error as Error).message}},
        'could not persist the rotated Pinterest tokens'
      );
      throw new TokenStoreError(
        'Could not persist the rotated Pinterest refresh token; the new access token is not used until it is saved'
      );
    }
    const access = accessOf(tokens) as AccessToken;
    this.access = access;
    this.unblock();
    logger.info(
      {
        expiresInSeconds:
          access.expiresAt === undefined
            ? undefined
            : Math.round((access.expiresAt - this.options.clock.now()) / 1000),
      },
      'refreshed the Pinterest access token'
    );
    return access.token;
  }

  private async saveQuietly(tokens: StoredTokens): Promise<void> {
    try {
      await this.options.store.save(tokens);
    } catch (error) {
      this.options.logger.warn(
        {err: {message: (error as Error).message}},
        'could not save the refresh token kept from a damaged reply; it is saved with the next grant'
      );
    }
  }

  /** The store's content; a record this process cannot use (wrong key) counts as none, and says so. */
  private async load(): Promise<StoredTokens | undefined> {
    try {
      return await this.options.store.load();
    } catch (error) {
      if (error instanceof TokenStoreError && !error.retriable) {
        this.options.logger.error(
          {err: {message: error.message}},
          'the stored Pinterest tokens cannot be used'
        );
        return undefined;
      }
      throw error;
    }
  }

  private usable(access: AccessToken): boolean {
    if (this.rejected.has(tokenDigest(access.token))) return false;
    if (access.expiresAt === undefined) return true;
    const lifetime = access.issuedAt === undefined ? Infinity : access.expiresAt - access.issuedAt;
    // Never more than half the lifetime ahead: a short-lived token would otherwise be refreshed on every call.
    const aheadMs = Math.min(this.options.refreshAheadSeconds * 1000 * this.aheadFactor, lifetime / 2);
    return this.options.clock.now() < access.expiresAt - aheadMs;
  }

  private block(refusal: Refusal | undefined): never {
    const now = this.options.clock.now();
    if (this.blocked && (refusal === undefined || refusal === this.blocked.refusal)) {
      // Nothing new was tried (no new token anywhere): still blocked for the same reason, said once already.
      this.blocked.checkedAt = now;
      throw this.blocked.error;
    }
    const state: BlockedState =
      refusal?.kind === 'invalid_client' ? 'client_rejected' : 'reauthorization_required';
    const error =
      state === 'client_rejected'
        ? new InvalidClientError(
            `Pinterest refused the app credentials (invalid client; ${refusal?.detail}): check PINTEREST_CLIENT_ID ` +
              'and PINTEREST_CLIENT_SECRET (the refresh token is not the problem)',
            {endpoint: TOKEN_ENDPOINT, retriable: false}
          )
        : new ReauthorizationRequiredError(
            refusal
              ? `Pinterest refused the refresh token (invalid grant; ${refusal.detail}) and neither the token store ` +
                  `nor the configuration holds a newer one: re-authenticate: ${REAUTHORISE}`
              : `No Pinterest refresh token is configured or stored: re-authenticate: ${REAUTHORISE}`,
            {endpoint: TOKEN_ENDPOINT, retriable: false}
          );
    const changed = this.blocked?.state !== state;
    this.blocked = {state, error, refusal, checkedAt: now};
    if (changed) {
      this.options.logger.error({oauthError: error.oauthError}, error.message);
      this.options.hooks.onAuthorization?.({state, message: error.message});
      this.reported = state;
    }
    throw error;
  }

  /** A token works: over any blocked state (a new client, e.g. after a pipeline reopen, clears the old report). */
  private unblock(): void {
    if (this.blocked) {
      this.blocked = undefined;
      this.options.logger.info({}, 'Pinterest accepted the credentials again');
    }
    if (this.reported === 'ok') return;
    this.reported = 'ok';
    this.options.hooks.onAuthorization?.({state: 'ok'});
  }
}

function accessOf(tokens: StoredTokens): AccessToken | undefined {
  if (!tokens.accessToken) return undefined;
  const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
  return {
    token: tokens.accessToken,
    expiresAt: time(tokens.accessTokenExpiresAt),
    issuedAt: time(tokens.accessTokenIssuedAt),
  };
}

/** What a grant leaves in the store: the rotated refresh token (or the one used, when it did not rotate) and the access token. */
function storedTokensOf(granted: GrantedTokens, usedRefreshToken: string, now: number): StoredTokens {
  const tokens: StoredTokens = {
    refreshToken: granted.refreshToken ?? usedRefreshToken,
    accessToken: granted.accessToken,
    accessTokenIssuedAt: new Date(now).toISOString(),
  };
  if (granted.refreshTokenExpiresAt !== undefined)
    tokens.refreshTokenExpiresAt = granted.refreshTokenExpiresAt;
  if (granted.expiresInSeconds !== undefined) {
    tokens.accessTokenExpiresAt = new Date(now + granted.expiresInSeconds * 1000).toISOString();
  }
  return tokens;
}
