import {basic, harness, Harness, refresh} from './helpers';

describe('sandbox OAuth', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({accessTokenTtlSeconds: 3600});
  });
  afterEach(() => h.sb.close());

  test('refresh rotates: new pinr + pina tokens, the old refresh token is retired', async () => {
    const res = await refresh(h.sb, h.refreshToken);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.access_token).toMatch(/^pina\./);
    expect(body.refresh_token).toMatch(/^pinr\./);
    expect(body.refresh_token).not.toBe(h.refreshToken);
    expect(body).toMatchObject({
      token_type: 'bearer',
      response_type: 'refresh_token',
      expires_in: 3600,
      refresh_token_expires_in: 5184000,
    });
    expect(body.refresh_token_expires_at).toBe(Math.floor(h.sb.control.now().getTime() / 1000) + 5184000);
    // A retired refresh token is a refused grant: 401 code 283, as recorded live.
    const reused = await refresh(h.sb, h.refreshToken);
    expect(reused.status).toBe(401);
    expect(await reused.json()).toEqual({code: 283, message: 'The authorization grant is invalid'});
    expect(h.sb.control.tokens().refreshTokens.retired).toBe(2);
    const stats = h.sb.control.stats();
    expect(stats.tokenRefreshes).toBe(2);
    expect(stats.requests.byCategory.org_read).toBe(3);
  });

  test('wrong client credentials are invalid client (401 code 2), told apart from a refused grant', async () => {
    const wrong = 'Basic ' + Buffer.from('1500000:wrong').toString('base64');
    const res = await refresh(h.sb, h.refreshToken, wrong);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({code: 2, message: 'Authentication failed.'});
    // The client is checked first: a wrong secret with a bad token is still invalid client, and rotates nothing.
    expect(await (await refresh(h.sb, 'pinr.nobody', wrong)).json()).toEqual({
      code: 2,
      message: 'Authentication failed.',
    });
    expect(await (await refresh(h.sb, 'pinr.nobody')).json()).toEqual({
      code: 283,
      message: 'The authorization grant is invalid',
    });
    expect(h.sb.control.tokens().refreshTokens.retired).toBe(1);
    expect((await refresh(h.sb, h.refreshToken, basic(h.sb))).status).toBe(200);
  });

  test('access token expires on the sandbox clock; unknown and missing tokens are 401', async () => {
    expect((await h.get('/ad_accounts')).status).toBe(200);
    h.sb.control.advanceClock(3599);
    expect((await h.get('/ad_accounts')).status).toBe(200);
    h.sb.control.advanceClock(1);
    const expired = await h.get('/ad_accounts');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({code: 2, message: 'Authentication failed.'});
    expect((await fetch(`${h.sb.baseUrl}/pins`)).status).toBe(401);
    expect(
      (await fetch(`${h.sb.baseUrl}/pins`, {headers: {authorization: 'Bearer pina.unknown'}})).status
    ).toBe(401);
  });

  test('revoked tokens -> 401 until the client refreshes', async () => {
    h.sb.control.setFaults({revokeTokens: true});
    expect((await h.get('/boards')).status).toBe(401);
    const body = (await (await refresh(h.sb, h.refreshToken)).json()) as {access_token: string};
    h.token = body.access_token;
    expect((await h.get('/boards')).status).toBe(200);
  });

  test('the refresh token expires after 60 days of sandbox time (a refused grant)', async () => {
    h.sb.control.advanceClock(60 * 86400);
    const expired = await refresh(h.sb, h.refreshToken);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({code: 283});
  });

  test('a damaged token reply comes AFTER the rotation: the new refresh token is lost, the old one refused', async () => {
    for (const fault of [{malformedRate: 1}, {truncatedRate: 1}]) {
      const before = h.sb.control.tokens().refreshTokens;
      h.sb.control.setFaults({...fault, pathPattern: '^/v5/oauth/token$'});
      const damaged = await refresh(h.sb, h.refreshToken);
      expect(damaged.status).toBe(200);
      await expect(damaged.text().then((t) => JSON.parse(t) as unknown)).rejects.toThrow();
      h.sb.control.clearFaults();
      const after = h.sb.control.tokens().refreshTokens;
      expect(after.retired).toBe(before.retired + 1);
      expect(after.current).not.toBe(before.current);
      const replay = await refresh(h.sb, h.refreshToken);
      expect(replay.status).toBe(401);
      expect(await replay.json()).toMatchObject({code: 283});
      // This user's chain is broken for good (as it would be live): a fresh sandbox for the next fault.
      const fresh = await harness({accessTokenTtlSeconds: 3600});
      await h.sb.close();
      h = fresh;
    }
  });

  test('faults that answer before the handler (5xx, reset) rotate nothing: the refresh token stays good', async () => {
    h.sb.control.setFaults({errorRate: 1, pathPattern: '^/v5/oauth/token$'});
    expect((await refresh(h.sb, h.refreshToken)).status).toBe(503);
    h.sb.control.setFaults({resetRate: 1, pathPattern: '^/v5/oauth/token$'});
    await expect(refresh(h.sb, h.refreshToken)).rejects.toThrow();
    h.sb.control.clearFaults();
    expect(h.sb.control.tokens().refreshTokens.retired).toBe(1);
    expect((await refresh(h.sb, h.refreshToken)).status).toBe(200);
  });
});
