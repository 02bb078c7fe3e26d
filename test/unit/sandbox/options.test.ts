import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_REFRESH_TOKEN,
  describeSandbox,
  SandboxConfigError,
  SCALE_PRESETS,
  sandboxOptionsFromEnv,
  startSandbox,
} from '../../../src/sandbox';

describe('sandbox options and description', () => {
  test('env: documented defaults, presets, JSON scale, every problem at once', () => {
    expect(sandboxOptionsFromEnv({})).toEqual({scale: {}});
    expect(
      sandboxOptionsFromEnv({
        PINTEREST_SANDBOX_PORT: '8099',
        PINTEREST_SANDBOX_SEED: '7',
        PINTEREST_SANDBOX_SCALE: 'large',
        PINTEREST_SANDBOX_CLIENT_ID: 'cid',
        PINTEREST_SANDBOX_CLIENT_SECRET: 'sec',
        PINTEREST_SANDBOX_REFRESH_TOKEN: 'pinr.x',
      })
    ).toMatchObject({
      port: 8099,
      seed: 7,
      scale: {pins: 1_000_000},
      clientId: 'cid',
      clientSecret: 'sec',
      refreshToken: 'pinr.x',
    });
    expect(sandboxOptionsFromEnv({PINTEREST_SANDBOX_SCALE: '{"pins": 10}'}).scale).toEqual({pins: 10});
    let error: unknown;
    try {
      sandboxOptionsFromEnv({
        PINTEREST_SANDBOX_PORT: 'x',
        PINTEREST_SANDBOX_SEED: '-1',
        PINTEREST_SANDBOX_SCALE: 'huge',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SandboxConfigError);
    expect((error as SandboxConfigError).problems).toHaveLength(3);
  });

  test('describeSandbox prints the base URL and the env lines, never a custom secret', async () => {
    const sb = await startSandbox();
    try {
      const lines = describeSandbox(sb);
      expect(sb.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v5$/);
      expect(lines).toContain(`PINTEREST_API_BASE_URL=${sb.baseUrl}`);
      expect(lines).toContain(`PINTEREST_CLIENT_ID=${DEFAULT_CLIENT_ID}`);
      expect(lines).toContain(`PINTEREST_REFRESH_TOKEN=${DEFAULT_REFRESH_TOKEN}`);
      expect(lines).toContain(`PINTEREST_CLIENT_SECRET=${DEFAULT_CLIENT_SECRET}`);
      // Notes are comment lines of their own: every line is a comment or NAME=value, nothing after the value.
      for (const line of lines) expect(line).toMatch(/^(# .*|[A-Z_]+=\S+)$/);
    } finally {
      await sb.close();
    }
    const custom = describeSandbox({
      baseUrl: 'u',
      controlUrl: 'c',
      credentials: {clientId: 'a', clientSecret: 'topsecret', refreshToken: 'r'},
    });
    expect(custom.join('\n')).not.toContain('topsecret');
    expect(custom.filter((l) => l.startsWith('PINTEREST_CLIENT_SECRET'))).toEqual([]);
    const quoted = describeSandbox({
      baseUrl: 'u',
      controlUrl: 'c',
      credentials: {clientId: 'a b', clientSecret: 's', refreshToken: "it's $HOME"},
    });
    expect(quoted).toContain("PINTEREST_CLIENT_ID='a b'");
    expect(quoted).toContain("PINTEREST_REFRESH_TOKEN='it'\\''s $HOME'");
  });

  test('env: PINTEREST_SANDBOX_USERS as a count or a JSON array', async () => {
    expect(sandboxOptionsFromEnv({PINTEREST_SANDBOX_USERS: '3'}).users).toEqual([
      {refreshToken: DEFAULT_REFRESH_TOKEN},
      {refreshToken: `${DEFAULT_REFRESH_TOKEN}-2`},
      {refreshToken: `${DEFAULT_REFRESH_TOKEN}-3`},
    ]);
    expect(
      sandboxOptionsFromEnv({
        PINTEREST_SANDBOX_REFRESH_TOKEN: 'pinr.me',
        PINTEREST_SANDBOX_USERS: '2',
      }).users?.map((u) => u.refreshToken)
    ).toEqual(['pinr.me', 'pinr.me-2']);
    expect(
      sandboxOptionsFromEnv({
        PINTEREST_SANDBOX_USERS:
          '[{"name":"a","refreshToken":"pinr.a"},{"refreshToken":"pinr.b","scale":"medium"}]',
      }).users
    ).toEqual([
      {name: 'a', refreshToken: 'pinr.a'},
      {refreshToken: 'pinr.b', scale: SCALE_PRESETS.medium},
    ]);
    for (const bad of ['0', '[{"name":"x"}]', '{"a":1}', '[{"refreshToken":"r","scale":{"nope":1}}]']) {
      expect(() => sandboxOptionsFromEnv({PINTEREST_SANDBOX_USERS: bad})).toThrow(SandboxConfigError);
    }
    const sb = await startSandbox(sandboxOptionsFromEnv({PINTEREST_SANDBOX_USERS: '2'}));
    try {
      expect(sb.users.map((u) => u.name)).toEqual(['user1', 'user2']);
      const lines = describeSandbox(sb);
      expect(lines).toContain(`# user user2: PINTEREST_REFRESH_TOKEN=${DEFAULT_REFRESH_TOKEN}-2`);
    } finally {
      await sb.close();
    }
  });
});
