/** pinterest.connections: shapes, `<field>File`, the env forms, the `default` connection, problems, redaction. */
import {connectionsOf} from '../../../src/config/connections';
import {files, problemsOf} from './helpers';
import {loadConfig, loadConfigWithSources, redactConfig, secretValues} from '../../../src/config';

const NOW = new Date('2025-06-15T12:00:00Z');
const STACK = {KAFKA_BROKERS: 'k1:9092', SCHEMA_REGISTRY_URL: 'http://registry:8081/apis/ccompat/v7'};
const LEGACY = {
  PINTEREST_CLIENT_ID: '1500000',
  PINTEREST_CLIENT_SECRET: 'legacy-secret-1',
  PINTEREST_REFRESH_TOKEN: 'pinr.legacy-refresh-1',
};

const TWO = {
  'agency-a': {clientId: '1', clientSecret: 'secret-a', refreshToken: 'pinr.refresh-a', adAccountIds: ['11']},
  'agency-b': {clientId: '2', clientSecretFile: '/s/b/secret', refreshTokenFile: '/s/b/token'},
};
const SECRET_FILES = {'/s/b/secret': 'secret-b\n', '/s/b/token': 'pinr.refresh-b\n'};

describe('pinterest.connections', () => {
  it('keeps the single-connection settings working as the connection "default"', () => {
    const config = loadConfig({
      env: {...STACK, ...LEGACY},
      now: NOW,
      overrides: {'sync.adAccountIds': '7,8'},
    });
    expect(connectionsOf(config)).toEqual([
      {
        name: 'default',
        clientId: '1500000',
        clientSecret: 'legacy-secret-1',
        refreshToken: 'pinr.legacy-refresh-1',
        adAccountIds: ['7', '8'],
      },
    ]);
  });

  it('reads named connections from JSON in the environment, credentials from <field>File', () => {
    const config = loadConfig({
      env: {...STACK, PINTEREST_CONNECTIONS: JSON.stringify(TWO)},
      now: NOW,
      readFile: files(SECRET_FILES),
    });
    expect(connectionsOf(config)).toEqual([
      {
        name: 'agency-a',
        clientId: '1',
        clientSecret: 'secret-a',
        refreshToken: 'pinr.refresh-a',
        adAccountIds: ['11'],
      },
      {
        name: 'agency-b',
        clientId: '2',
        clientSecret: 'secret-b',
        refreshToken: 'pinr.refresh-b',
        adAccountIds: [],
      },
    ]);
  });

  it('reads a YAML list from PINTEREST_CONNECTIONS_FILE, 19-digit ids intact, beside the default connection', () => {
    const yaml =
      '- name: b\n  clientId: 2\n  clientSecretFile: /s/b/secret\n  refreshTokenFile: /s/b/token\n' +
      '  adAccountIds: [1234567890123456789]\n';
    const config = loadConfig({
      env: {...STACK, ...LEGACY, PINTEREST_CONNECTIONS_FILE: '/etc/connections.yaml'},
      now: NOW,
      readFile: files({...SECRET_FILES, '/etc/connections.yaml': yaml}),
    });
    expect(connectionsOf(config).map((c) => [c.name, c.clientId, c.adAccountIds])).toEqual([
      ['default', '1500000', []],
      ['b', '2', ['1234567890123456789']],
    ]);
  });

  it('lists every problem of every connection at once', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {...STACK, ...LEGACY},
        now: NOW,
        file: '/etc/cdc.yaml',
        readFile: files({
          '/etc/cdc.yaml':
            'pinterest:\n  connections:\n' +
            '    default: {accessToken: x}\n' +
            '    Bad/Name: {accessToken: x}\n' +
            '    c: {clientId: "3", clientSecretFile: /missing, colour: red, adAccountIds: [abc]}\n' +
            '    d: {clientId: "4"}\n',
        }),
      })
    );
    const text = problems.join('\n');
    expect(text).toMatch(/pinterest\.connections\.c\.clientSecretFile: cannot read \/missing: ENOENT/);
    expect(text).toMatch(/connection names: lower-case/);
    expect(text).toMatch(/colour/);
    expect(text).toMatch(/adAccountIds.*numeric/);
    // Shape problems first; the cross rule runs once the setting is valid. Fix them and it speaks:
    const cross = problemsOf(() =>
      loadConfig({
        env: {...STACK, ...LEGACY, PINTEREST_CONNECTIONS: '{default: {accessToken: x}, d: {clientId: "4"}}'},
        now: NOW,
      })
    );
    expect(cross).toEqual([
      expect.stringMatching(/^pinterest\.connections\.default: the single-connection settings/),
      expect.stringMatching(/^pinterest\.connections\.d: .*missing: clientSecret, refreshToken$/),
    ]);
  });

  it('refuses duplicate names in the list form and sync.adAccountIds without the default connection', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {...STACK, PINTEREST_CONNECTIONS: '[{name: a, accessToken: x}, {name: a, accessToken: y}]'},
        now: NOW,
      })
    );
    expect(problems).toEqual([
      expect.stringMatching(/^pinterest\.connections\.a: connection names must be unique/),
    ]);
    const scoped = problemsOf(() =>
      loadConfig({
        env: {...STACK, PINTEREST_CONNECTIONS: '{a: {accessToken: x}}'},
        now: NOW,
        overrides: {'sync.adAccountIds': '7'},
      })
    );
    expect(scoped).toEqual([expect.stringMatching(/^sync\.adAccountIds: applies to the single-connection/)]);
  });

  it('redacts every secret of every connection, warns about inline secrets, never echoes them', () => {
    const file =
      'pinterest:\n  connections:\n    a: {clientId: "1", clientSecret: inline-secret-a, refreshToken: pinr.inline-a}\n' +
      '    b: {clientId: "2", clientSecretFile: /s/b/secret, refreshTokenFile: /s/b/token, accessToken: inline-access-b}\n';
    const loaded = loadConfigWithSources({
      env: STACK,
      now: NOW,
      file: '/etc/cdc.yaml',
      readFile: files({...SECRET_FILES, '/etc/cdc.yaml': file}),
    });
    const printed = JSON.stringify(redactConfig(loaded.config));
    for (const secret of [
      'inline-secret-a',
      'pinr.inline-a',
      'secret-b',
      'pinr.refresh-b',
      'inline-access-b',
    ])
      expect(printed).not.toContain(secret);
    expect(printed).toContain('"clientId":"2"');
    expect(secretValues(loaded.config).sort()).toEqual(
      ['inline-access-b', 'inline-secret-a', 'pinr.inline-a', 'pinr.refresh-b', 'secret-b'].sort()
    );
    expect(loaded.warnings.map((w) => w.split(':')[0])).toEqual([
      'pinterest.connections.a.clientSecret',
      'pinterest.connections.a.refreshToken',
      'pinterest.connections.b.accessToken',
    ]);
    expect(loaded.warnings.join('\n')).not.toMatch(/inline-/);
    const bad = problemsOf(() =>
      loadConfig({env: {...STACK, PINTEREST_CONNECTIONS: '{a: {accessToken: [leaked-token-x}}'}, now: NOW})
    );
    expect(bad.join('\n')).not.toContain('leaked-token-x');
  });
});
