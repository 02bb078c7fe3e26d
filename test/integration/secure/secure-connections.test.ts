/**
 * Secured connections against servers that require them: the built CLI (`node bin/pinterest-cdc.js`, as a user
 * runs it) syncs through Kafka's SASL_SSL listener (SCRAM-SHA-512, a CA made for this stack) into a registry that
 * requires basic auth, and every refused credential or certificate ends in a one-line error naming what to fix,
 * exit 1, no secret printed. Runs on its own secured stack (scripts/stack `secure: true`), never the shared one.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

import {Kafka, logLevel} from 'kafkajs';

import type {RunningStack, StackEnv} from '../../../scripts/stack/index';
import {generateCa, startStack} from '../../../scripts/stack/index';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {readCommitted} from '../helpers/committed-events';

// jest 30 ignores the project-level testTimeout of jest.config.js: set it for this file.
jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'pinterest-cdc.js');
const CAMPAIGNS = 6;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a child process (async: the sandbox answering it lives in this process), entity listings only
 * (analytics off keeps each run short).
 */
function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, '--set', 'analytics.collections=', ...args], {
      cwd: ROOT,
      // Only what the test sets, plus PATH/HOME for node; the sources, not a possibly stale dist/.
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PINTEREST_CDC_FROM_SOURCE: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({code, stdout, stderr});
    });
  });
}

/** Every secret value the stack and the sandbox hand out, and any wrong one a test passes. */
function expectNoSecret(result: CliResult, secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

/** A clean failure: exit 1, the CLI's one `error:` line, no stack trace. */
function expectCleanFailure(result: CliResult): string {
  expect(result.code).toBe(1);
  expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  const errorLines = result.stderr.split('\n').filter((line) => line.startsWith('error: '));
  expect(errorLines).toHaveLength(1);
  return errorLines[0]!;
}

describe('secured Kafka (SASL_SSL, SCRAM-SHA-512) and registry (basic auth), through the CLI', () => {
  let stack: RunningStack;
  let sandbox: RunningSandbox;
  let strangerCaDir: string;
  let strangerCa: string;
  let secrets: string[];

  beforeAll(async () => {
    const started = Date.now();
    [stack, sandbox] = await Promise.all([
      startStack({
        rootDir: ROOT,
        dir: `.stack/secure-${process.pid}`,
        secure: true,
        removeDirOnStop: true,
        ownerPid: process.pid,
        log: () => {},
      }),
      startSandbox({
        scale: {
          adAccounts: 1,
          campaignsPerAccount: CAMPAIGNS,
          adGroupsPerCampaign: 1,
          adsPerAdGroup: 1,
          boards: 1,
          pins: 2,
        },
        clientSecret: `secret-${randomBytes(8).toString('hex')}`,
        refreshToken: `pinr.${randomBytes(12).toString('hex')}`,
      }),
    ]);
    strangerCaDir = mkdtempSync(join(tmpdir(), 'cdc-stranger-ca-'));
    strangerCa = (await generateCa(strangerCaDir, {name: 'stranger', commonName: 'not the stack CA'}))
      .certFile;
    secrets = [
      stack.env.KAFKA_SASL_PASSWORD!,
      stack.env.SCHEMA_REGISTRY_PASSWORD!,
      sandbox.credentials.clientSecret,
      sandbox.credentials.refreshToken,
    ];
    process.stderr.write(`[secure test] secured stack and sandbox up in ${Date.now() - started} ms\n`);
  }, 240_000);

  afterAll(async () => {
    await sandbox?.close();
    await stack?.stop();
    if (strangerCaDir) rmSync(strangerCaDir, {recursive: true, force: true});
  });

  /** The service's environment for the secured stack (what `stack:up --secure` prints), plus the sandbox. */
  function env(prefix: string, overrides: Partial<StackEnv> & Record<string, string> = {}) {
    const vars: Record<string, string | undefined> = {
      ...stack.env,
      PINTEREST_API_BASE_URL: sandbox.baseUrl,
      PINTEREST_CLIENT_ID: sandbox.credentials.clientId,
      PINTEREST_CLIENT_SECRET: sandbox.credentials.clientSecret,
      PINTEREST_REFRESH_TOKEN: sandbox.credentials.refreshToken,
      PINTEREST_CDC_TOPIC_PREFIX: prefix,
      ...overrides,
    };
    return Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
  }

  const newPrefix = (name: string) => `${name}_${randomBytes(4).toString('hex')}`;

  async function topicsWithPrefix(prefix: string): Promise<string[]> {
    const admin = new Kafka({
      clientId: 'secure-test-admin',
      brokers: [stack.env.KAFKA_BROKERS],
      ssl: {ca: [readFileSync(stack.env.KAFKA_SSL_CA_FILE!, 'utf8')]},
      sasl: {
        mechanism: 'scram-sha-512',
        username: stack.env.KAFKA_SASL_USERNAME!,
        password: stack.env.KAFKA_SASL_PASSWORD!,
      },
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    } finally {
      await admin.disconnect();
    }
  }

  it('with the right credentials, sync --once delivers events a SASL_SSL consumer reads', async () => {
    const prefix = newPrefix('secure_ok');
    const result = await cli(['sync', '--once', '--json', '--collections', 'campaigns'], env(prefix));
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
      collections: Record<string, {r: number}>;
      failed: unknown[];
    };
    expect(summary.failed).toEqual([]);
    expect(summary.collections.campaigns?.r).toBe(CAMPAIGNS);
    expectNoSecret(result, secrets);

    const events = await readCommitted({
      brokers: [stack.env.KAFKA_BROKERS],
      registryUrl: stack.env.SCHEMA_REGISTRY_URL,
      topics: [`${prefix}.campaigns`],
      security: {
        ssl: true,
        sslCaFile: stack.env.KAFKA_SSL_CA_FILE,
        sasl: {
          mechanism: 'scram-sha-512',
          username: stack.env.KAFKA_SASL_USERNAME!,
          password: stack.env.KAFKA_SASL_PASSWORD!,
        },
      },
      registryAuth: {
        username: stack.env.SCHEMA_REGISTRY_USERNAME!,
        password: stack.env.SCHEMA_REGISTRY_PASSWORD!,
      },
    });
    expect(events).toHaveLength(CAMPAIGNS);
    expect(events.every((e) => (e.value as {op: string}).op === 'r')).toBe(true);
  });

  it('with a wrong Kafka password, says authentication failed (user, mechanism), exit 1, nothing created', async () => {
    const prefix = newPrefix('secure_badpw');
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const started = Date.now();
    const result = await cli(['sync', '--once'], env(prefix, {KAFKA_SASL_PASSWORD: wrong}));
    const line = expectCleanFailure(result);
    expect(line).toContain(
      `error: Kafka authentication failed for user "${stack.env.KAFKA_SASL_USERNAME}" with SASL SCRAM-SHA-512 ` +
        `at ${stack.env.KAFKA_BROKERS}`
    );
    expect(line).toContain('KAFKA_SASL_PASSWORD');
    expectNoSecret(result, [...secrets, wrong]);
    expect(await topicsWithPrefix(prefix)).toEqual([]);
    process.stderr.write(`[secure test] wrong password reported after ${Date.now() - started} ms\n`);
  });

  it('with a CA that did not sign the broker certificate, gives a clear TLS error, exit 1', async () => {
    const prefix = newPrefix('secure_badca');
    const result = await cli(['sync', '--once'], env(prefix, {KAFKA_SSL_CA_FILE: strangerCa}));
    const line = expectCleanFailure(result);
    expect(line).toContain(
      `error: Kafka TLS failed: the certificate of ${stack.env.KAFKA_BROKERS} is not trusted ` +
        '(self-signed certificate in certificate chain, SELF_SIGNED_CERT_IN_CHAIN): the CA in kafka.sslCaFile ' +
        `(${strangerCa}) did not sign it.`
    );
    expectNoSecret(result, secrets);
    expect(await topicsWithPrefix(prefix)).toEqual([]);
  });

  it('with a wrong registry password, names the registry URL and HTTP 401, exit 1', async () => {
    const prefix = newPrefix('secure_badreg');
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const result = await cli(['sync', '--once'], env(prefix, {SCHEMA_REGISTRY_PASSWORD: wrong}));
    const line = expectCleanFailure(result);
    expect(line).toBe(
      `error: Schema registry at ${stack.env.SCHEMA_REGISTRY_URL} refused the credentials of user ` +
        `"${stack.env.SCHEMA_REGISTRY_USERNAME}" (HTTP 401 Unauthorized). Check schemaRegistry.username and ` +
        'schemaRegistry.password (SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD).'
    );
    expectNoSecret(result, [...secrets, wrong]);
    expect(await topicsWithPrefix(prefix)).toEqual([]);
  });

  it('without registry credentials, says the registry requires them (HTTP 401), exit 1', async () => {
    const prefix = newPrefix('secure_noreg');
    const {SCHEMA_REGISTRY_USERNAME: _user, SCHEMA_REGISTRY_PASSWORD: _password, ...rest} = env(prefix);
    const result = await cli(['sync', '--once'], rest);
    const line = expectCleanFailure(result);
    expect(line).toContain(
      `error: Schema registry at ${stack.env.SCHEMA_REGISTRY_URL} requires credentials (HTTP 401 Unauthorized)`
    );
    expectNoSecret(result, secrets);
  });
});
