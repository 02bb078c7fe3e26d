/** Against the sandbox: a re-authorised user's new refresh token wins over a stale rotation in the store. */
import {AuthError, MemoryTokenStore, PinterestClient, resolveClientConfig} from '../../../src/pinterest';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';

describe('refresh token from configuration vs store', () => {
  let sandbox: RunningSandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({scale: {adAccounts: 1, pins: 1, boards: 1}});
  });
  afterEach(() => sandbox.close());

  const client = (store: MemoryTokenStore, refreshToken: string) =>
    new PinterestClient({
      config: resolveClientConfig({apiBaseUrl: sandbox.baseUrl, ...sandbox.credentials, refreshToken}),
      tokenStore: store,
    });
  const request = {path: '/ad_accounts', category: 'ads_read' as const};

  it('falls back to the configured token when the stored one is refused, and stores the new rotation', async () => {
    const store = new MemoryTokenStore({refreshToken: 'pinr.stale-from-an-earlier-authorisation'});
    await expect(client(store, sandbox.credentials.refreshToken).get(request)).resolves.toBeDefined();
    const saved = await store.load();
    expect(saved?.refreshToken).toMatch(/^pinr\./);
    expect(saved?.refreshToken).not.toBe(sandbox.credentials.refreshToken);
    expect(sandbox.control.stats().tokenRefreshes).toBe(1);
  });

  it('still fails with AuthError when both the stored and the configured token are refused', async () => {
    const store = new MemoryTokenStore({refreshToken: 'pinr.stale'});
    await expect(client(store, 'pinr.also-wrong').get(request)).rejects.toBeInstanceOf(AuthError);
  });
});
