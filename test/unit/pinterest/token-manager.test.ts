/**
 * The token manager (src/pinterest/auth.ts) on its own. The one seam stubbed is the TokenRequester (what the token
 * endpoint answers, scripted per test, in the shape the client hands it over: status, body text as far as it
 * arrived); stores are in memory, time is a manual clock. What is checked: who rotates saves first, processes share
 * one access token, a refused token sends a process back to the store, damaged replies are salvaged or retried,
 * and re-authorisation / invalid client are said once.
 */
import {TokenManager, type TokenManagerOptions} from '../../../src/pinterest/auth';
import {
  InvalidClientError,
  ReauthorizationRequiredError,
  TokenStoreError,
  TransientError,
} from '../../../src/pinterest/errors';
import type {TokenReply} from '../../../src/pinterest/token-reply';
import {MemoryTokenStore, type StoredTokens, type TokenStore} from '../../../src/pinterest/token-store';
import type {AuthorizationEvent} from '../../../src/pinterest/types';

/** A store several managers share (as processes share the Kafka token topic); writes can be observed or failed. */
class SharedStore implements TokenStore {
  readonly shared = true;
  tokens: StoredTokens | undefined;
  saves: StoredTokens[] = [];
  loads = 0;
  failSaves = 0;
  async load() {
    this.loads += 1;
    return this.tokens && {...this.tokens};
  }
  async save(tokens: StoredTokens) {
    if (this.failSaves > 0) {
      this.failSaves -= 1;
      throw new Error('broker unreachable');
    }
    this.saves.push({...tokens});
    this.tokens = {...tokens};
  }
}

/** The token endpoint: rotates `current` on each good request; `script` can replace the next answers. */
class Endpoint {
  current = 'pinr.0';
  issued = 0;
  requests: string[] = [];
  script: Array<(token: string) => TokenReply | undefined> = [];
  clientOk = true;

  answer = async (form: string): Promise<TokenReply> => {
    const token = new URLSearchParams(form).get('refresh_token') ?? '';
    this.requests.push(token);
    const scripted = this.script.shift()?.(token);
    if (scripted) return scripted;
    if (!this.clientOk) return reply(401, {code: 2, message: 'Authentication failed.'});
    if (token !== this.current) return reply(401, {code: 283, message: 'The authorization grant is invalid'});
    return reply(200, this.rotate());
  };

  rotate(): Record<string, unknown> {
    this.issued += 1;
    this.current = `pinr.${this.issued}`;
    return {
      access_token: `pina.${this.issued}`,
      refresh_token: this.current,
      expires_in: 3600,
      refresh_token_expires_in: 5_184_000,
      token_type: 'bearer',
    };
  }
}

const reply = (status: number, body: unknown): TokenReply => ({
  status,
  text: JSON.stringify(body),
  complete: true,
});

function setup(over: Partial<TokenManagerOptions> & {endpoint?: Endpoint; store?: TokenStore} = {}) {
  let now = 1_000_000;
  const endpoint = over.endpoint ?? new Endpoint();
  const logs: {level: string; msg?: string}[] = [];
  const events: AuthorizationEvent[] = [];
  const log = (level: string) => (_obj: object, msg?: string) => logs.push({level, msg});
  const manager = new TokenManager({
    clientId: 'cid',
    clientSecret: 'secret',
    refreshToken: 'pinr.0',
    refreshAheadSeconds: 300,
    continuousRefresh: false,
    storeSettleMs: 8000,
    blockedRecheckMs: 30_000,
    store: over.store ?? new SharedStore(),
    clock: {now: () => now},
    sleep: async (ms) => {
      now += ms;
    },
    logger: {debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error')},
    hooks: {onAuthorization: (e) => events.push(e)},
    requestToken: (form) => endpoint.answer(form),
    random: () => 0,
    ...over,
  });
  return {manager, endpoint, logs, events, advance: (ms: number) => (now += ms), now: () => now};
}

describe('token manager', () => {
  it('saves the rotated tokens before handing out the access token, and shares it with other processes', async () => {
    const store = new SharedStore();
    const first = setup({store});
    const order: string[] = [];
    const save = store.save.bind(store);
    store.save = async (t) => {
      order.push(`save ${t.refreshToken}`);
      await save(t);
    };
    expect(await first.manager.accessToken()).toBe('pina.1');
    expect(order).toEqual(['save pinr.1']);
    expect(store.tokens).toMatchObject({refreshToken: 'pinr.1', accessToken: 'pina.1'});

    // Another process of the same connection adopts the stored access token: no second rotation.
    const second = setup({store, endpoint: first.endpoint});
    expect(await second.manager.accessToken()).toBe('pina.1');
    expect(first.endpoint.requests).toEqual(['pinr.0']);
  });

  it('re-reads the store before refreshing near expiry, and adopts what another process stored', async () => {
    const store = new SharedStore();
    const endpoint = new Endpoint();
    const a = setup({store, endpoint});
    const b = setup({store, endpoint});
    await a.manager.accessToken();
    await b.manager.accessToken();
    a.advance(3600_000 - 200_000); // inside A's refresh-ahead window (300 s with random 0)
    expect(await a.manager.accessToken()).toBe('pina.2');
    b.advance(3600_000 - 200_000);
    expect(await b.manager.accessToken()).toBe('pina.2');
    expect(endpoint.requests).toEqual(['pinr.0', 'pinr.1']);
  });

  it('a refused refresh token sends the process back to the store, where another process rotated it', async () => {
    const store = new SharedStore();
    const endpoint = new Endpoint();
    const a = setup({store, endpoint});
    const b = setup({store, endpoint});
    await a.manager.accessToken(); // A and B both hold pinr.1 / pina.1 now
    await b.manager.accessToken();
    // A refreshes after a revocation; B's access token is refused too and B still has the retired pinr.1.
    expect(await a.manager.onUnauthorized('pina.1')).toBe('pina.2');
    expect(await b.manager.onUnauthorized('pina.1')).toBe('pina.2');
    expect(endpoint.requests).toEqual(['pinr.0', 'pinr.1']);
    expect(b.events.map((e) => e.state)).toEqual(['ok']); // never blocked
  });

  it('watches a shared store for the short window between a rotation and its write', async () => {
    const store = new SharedStore();
    const endpoint = new Endpoint();
    const b = setup({store, endpoint});
    await b.manager.accessToken(); // pinr.1
    // Another process rotates pinr.1 -> pinr.2 but writes it to the store only ~3 s later.
    endpoint.rotate();
    const load = store.load.bind(store);
    let reads = 0;
    store.load = async () => {
      reads += 1;
      if (reads === 3) store.tokens = {refreshToken: 'pinr.2', accessToken: 'pina.2'};
      return load();
    };
    expect(await b.manager.onUnauthorized('pina.1')).toBe('pina.2');
    expect(endpoint.requests).toEqual(['pinr.0', 'pinr.1']);
  });

  it('falls back to the configured token (a user who re-authorised), then requires re-authorisation once', async () => {
    const store = new SharedStore();
    store.tokens = {refreshToken: 'pinr.stale'};
    const t = setup({store});
    expect(await t.manager.accessToken()).toBe('pina.1');
    expect(t.endpoint.requests).toEqual(['pinr.stale', 'pinr.0']);
    expect(
      t.logs.some((l) => l.msg === 'the stored refresh token was refused; trying the configured one')
    ).toBe(true);

    const u = setup({store: new MemoryTokenStore({refreshToken: 'pinr.old'}), refreshToken: 'pinr.older'});
    const error = await u.manager.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReauthorizationRequiredError);
    expect((error as Error).message).toMatch(/invalid grant.*code 283.*re-authenticate/);
    expect(u.endpoint.requests).toEqual(['pinr.old', 'pinr.older']);
    // Said once: later calls fail the same way without a log line, an event or a request.
    await expect(u.manager.accessToken()).rejects.toBe(error);
    u.advance(60_000);
    await expect(u.manager.accessToken()).rejects.toBe(error);
    expect(u.endpoint.requests).toHaveLength(2);
    expect(u.logs.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(u.events).toEqual([{state: 'reauthorization_required', message: (error as Error).message}]);
  });

  it('picks up a new token that appears in the store while re-authorisation is required', async () => {
    const store = new SharedStore();
    const endpoint = new Endpoint();
    endpoint.current = 'pinr.fresh-consent';
    const t = setup({store, endpoint, storeSettleMs: 0});
    await expect(t.manager.accessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError);
    store.tokens = {refreshToken: 'pinr.fresh-consent'}; // e.g. `pinterest-cdc token set`
    await expect(t.manager.accessToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError); // before recheck
    t.advance(30_000);
    expect(await t.manager.accessToken()).toBe('pina.1');
    expect(t.events.map((e) => e.state)).toEqual(['reauthorization_required', 'ok']);
  });

  it('tells a wrong client secret (invalid client) from a refused refresh token, and does not spend tokens on it', async () => {
    const endpoint = new Endpoint();
    endpoint.clientOk = false;
    const t = setup({endpoint});
    const error = await t.manager.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidClientError);
    expect((error as Error).message).toMatch(/invalid client.*PINTEREST_CLIENT_SECRET/);
    expect(endpoint.requests).toEqual(['pinr.0']);
    expect(t.events.map((e) => e.state)).toEqual(['client_rejected']);
    // A recheck tries once more, with the store's token only; the configured token is not marked refused.
    t.advance(30_000);
    await expect(t.manager.accessToken()).rejects.toBeInstanceOf(InvalidClientError);
    endpoint.clientOk = true;
    t.advance(30_000);
    expect(await t.manager.accessToken()).toBe('pina.1');
    expect(t.events.map((e) => e.state)).toEqual(['client_rejected', 'ok']);
  });

  it('keeps the rotated refresh token a malformed 200 still carries: saved first, then refreshed with', async () => {
    const store = new SharedStore();
    const endpoint = new Endpoint();
    // Pinterest rotates pinr.0 -> pinr.1, but the body breaks after the refresh token (as the sandbox's fault).
    endpoint.script.push(() => {
      const text = JSON.stringify(endpoint.rotate());
      return {
        status: 200,
        text: `${text.slice(0, text.indexOf('"expires_in"'))}<!-- upstream -->`,
        complete: true,
      };
    });
    const t = setup({store, endpoint});
    expect(await t.manager.accessToken()).toBe('pina.2');
    expect(endpoint.requests).toEqual(['pinr.0', 'pinr.1']);
    expect(store.saves.map((s) => s.refreshToken)).toEqual(['pinr.1', 'pinr.2']);
    expect(store.saves[0]?.accessToken).toBeUndefined();
  });

  it('tries the same token again after a damaged reply that lost the refresh token (maybe no rotation)', async () => {
    const endpoint = new Endpoint();
    endpoint.script.push(() => ({status: 200, text: '{"access_token": "pina.x", "refre', complete: false}));
    const t = setup({endpoint});
    expect(await t.manager.accessToken()).toBe('pina.1');
    expect(endpoint.requests).toEqual(['pinr.0', 'pinr.0']);
  });

  it('reports three damaged replies in a row as a retriable transient error', async () => {
    const endpoint = new Endpoint();
    for (let i = 0; i < 3; i++) endpoint.script.push(() => ({status: 200, text: 'oops', complete: true}));
    const t = setup({endpoint});
    const error = await t.manager.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retriable).toBe(true);
    expect(t.events).toEqual([]);
    expect(await t.manager.accessToken()).toBe('pina.1'); // the next cycle goes through
  });

  it('does not use tokens it could not save, and saves them (without rotating again) next time', async () => {
    const store = new SharedStore();
    store.failSaves = 1;
    const t = setup({store});
    await expect(t.manager.accessToken()).rejects.toBeInstanceOf(TokenStoreError);
    expect(await t.manager.accessToken()).toBe('pina.1');
    expect(t.endpoint.requests).toEqual(['pinr.0']);
    expect(store.tokens?.refreshToken).toBe('pinr.1');
  });

  it('a revoked access token: refreshes when the store holds the same one, one request for many waiters', async () => {
    const t = setup();
    await t.manager.accessToken();
    const tokens = await Promise.all(Array.from({length: 10}, () => t.manager.onUnauthorized('pina.1')));
    expect(new Set(tokens)).toEqual(new Set(['pina.2']));
    expect(t.endpoint.requests).toEqual(['pinr.0', 'pinr.1']);
  });

  it('never refreshes a short-lived token on every call: at most half its lifetime ahead', async () => {
    const endpoint = new Endpoint();
    endpoint.rotate = function (this: Endpoint) {
      this.issued += 1;
      this.current = `pinr.${this.issued}`;
      return {access_token: `pina.${this.issued}`, refresh_token: this.current, expires_in: 60};
    };
    const t = setup({endpoint});
    await t.manager.accessToken();
    t.advance(20_000);
    await t.manager.accessToken();
    expect(endpoint.requests).toHaveLength(1);
    t.advance(15_000);
    await t.manager.accessToken();
    expect(endpoint.requests).toHaveLength(2);
  });
});
