import {spawn, spawnSync} from 'node:child_process';
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

  it('config check: OK line on stdout, a warning for a secret in the YAML file (never its value), exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdc-cli-'));
    const file = join(dir, 'cdc.yaml');
    writeFileSync(file, `pinterest:\n  clientSecret: ${SECRET}\n`);
    const {code, stdout, stderr} = cli(['--config', file, 'config', 'check'], {
      KAFKA_BROKERS: '127.0.0.1:19092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
      PINTEREST_CLIENT_ID: '1500000',
      PINTEREST_REFRESH_TOKEN: REFRESH,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Configuration OK: 4 from the environment, 1 from .*cdc\.yaml, \d+ defaults/);
    expect(stderr).toBe(
      `warning: pinterest.clientSecret: a secret in the config file ${file}; set PINTEREST_CLIENT_SECRET or ` +
        'PINTEREST_CLIENT_SECRET_FILE (a file holding the value, e.g. a mounted Kubernetes Secret) instead\n'
    );
    expect(stdout + stderr).not.toContain(SECRET);
  });

  it('sandbox prints lines a shell takes as they are: comments and NAME=value only', async () => {
    const child = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--scale', 'adAccounts=1'], {
      cwd: root,
      env: {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PINTEREST_CDC_FROM_SOURCE: '1'},
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 600 && !stdout.includes('PINTEREST_REFRESH_TOKEN='); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Pasted into sh as printed: every line must parse and set the variables, nothing else may run.
    const shell = spawnSync(
      'sh',
      [
        '-euc',
        `${stdout}\nprintf '%s|%s|%s|%s' "$PINTEREST_API_BASE_URL" "$PINTEREST_CLIENT_ID" "$PINTEREST_CLIENT_SECRET" "$PINTEREST_REFRESH_TOKEN"`,
      ],
      {encoding: 'utf8'}
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(shell.stderr).toBe('');
    expect(shell.status).toBe(0);
    expect(shell.stdout).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/v5\|1500000\|sandbox-client-secret\|pinr\.sandbox-initial-refresh-token$/
    );
    for (const line of stdout.trim().split('\n')) expect(line).toMatch(/^(# .*|[A-Z_]+=\S+)$/);
  });

  it('exits 2 on usage errors', () => {
    const {code, stderr} = cli(['config', 'print', '--format', 'xml']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/xml.*invalid|Allowed choices/i);
  });
  it('ends quietly when the reader closes the pipe (`schemas print | head -1`)', async () => {
    const child = spawn(process.execPath, [bin, 'schemas', 'print'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PINTEREST_CDC_FROM_SOURCE: '1',
        // Never contacted: printing reads the repository's schemas only.
        KAFKA_BROKERS: '127.0.0.1:1',
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Like `head -1`: read the first chunk, then close the reading end.
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
  });
});
