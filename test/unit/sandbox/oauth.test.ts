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
    const reused = await refresh(h.sb, h.refreshToken);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({
      code: 1104,
      message: 'The token you provided is not valid or has expired.',
    });
    expect(h.sb.control.tokens().refreshTokens.retired).toBe(2);
    const stats = h.sb.control.stats();
    expect(stats.tokenRefreshes).toBe(2);
    expect(stats.requests.byCategory.org_read).toBe(3);
  });

  test('wrong client credentials -> 401', async () => {
    const res = await refresh(
      h.sb,
      h.refreshToken,
      'Basic ' + Buffer.from('1500000:wrong').toString('base64')
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({code: 2, message: 'Authentication failed.'});
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

  test('the refresh token expires after 60 days of sandbox time', async () => {
    h.sb.control.advanceClock(60 * 86400);
    expect((await refresh(h.sb, h.refreshToken)).status).toBe(400);
  });
});
