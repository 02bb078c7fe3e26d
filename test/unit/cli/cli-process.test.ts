import {spawnSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'bin', 'pinterest-cdc.js');

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    // A clean environment: only what the test sets (plus PATH/HOME for node).
    env: {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PINTEREST_CDC_FROM_SOURCE: '1', ...env},
  });
  return {code: result.status, stdout: result.stdout, stderr: result.stderr};
}

const SECRET = 'Sup3r-Secret-Client-Value';
const REFRESH = 'pinr.very-secret-refresh-token';

describe('pinterest-cdc CLI (child process)', () => {
  jest.setTimeout(120_000);

  it('with nothing set, exits 2 and lists every missing setting with its env var', () => {
    const {code, stdout, stderr} = cli(['config', 'print']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Invalid configuration:');
    expect(stderr).toMatch(/kafka\.brokers: required; set PINTEREST_CDC_KAFKA__BROKERS or KAFKA_BROKERS/);
    expect(stderr).toMatch(/schemaRegistry\.url: required; set .*SCHEMA_REGISTRY_URL/);
    expect(stderr).toMatch(/pinterest credentials: .*PINTEREST_REFRESH_TOKEN.*PINTEREST_ACCESS_TOKEN/);
  });

  it('lists every invalid value at once and never prints secret values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdc-cli-'));
    const file = join(dir, 'cdc.yaml');
    writeFileSync(file, 'kafka:\n  partitions: zero\nsync:\n  collections: [pins, tweets]\n');
    const {code, stdout, stderr} = cli(
      ['--config', file, '--set', 'observability.metricsPort=99999', 'config', 'print'],
      {
        KAFKA_BROKERS: 'no-port',
        SCHEMA_REGISTRY_URL: 'ftp://registry',
        PINTEREST_CLIENT_SECRET: SECRET,
        KAFKA_SASL_PASSWORD: SECRET,
        PINTEREST_REFRESH_TOKEN: REFRESH,
      }
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const problems = stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems.map((p) => p.slice(4).split(':')[0])).toEqual(
      expect.arrayContaining([
        'kafka.brokers[0]',
        'kafka.partitions',
        'kafka.sasl.mechanism',
        'schemaRegistry.url',
        'sync.collections[1]',
        'observability.metricsPort',
        'pinterest credentials',
      ])
    );
    expect(problems).toHaveLength(7);
    expect(stderr).toContain(`from config file ${file}`);
    expect(stderr).not.toContain(SECRET);
    expect(stderr).not.toContain(REFRESH);
  });

  it('prints the effective config with secrets redacted, and exits 0', () => {
    const {code, stdout, stderr} = cli(['config', 'print', '--format', 'json'], {
      KAFKA_BROKERS: '127.0.0.1:19092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
      PINTEREST_CLIENT_ID: '1500000',
      PINTEREST_CLIENT_SECRET: SECRET,
      PINTEREST_REFRESH_TOKEN: REFRESH,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as {pinterest: Record<string, unknown>; kafka: {brokers: string[]}};
    expect(printed.pinterest.clientSecret).toBe('[redacted]');
    expect(printed.pinterest.refreshToken).toBe('[redacted]');
    expect(printed.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain(REFRESH);
  });

  it('exits 2 on usage errors', () => {
    const {code, stderr} = cli(['config', 'print', '--format', 'xml']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/xml.*invalid|Allowed choices/i);
  });
});
