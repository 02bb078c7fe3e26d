import {EventEmitter} from 'node:events';

import {main, parseSetFlags, type CliIo} from '../../../src/cli';
import {parseScale} from '../../../src/cli/commands/sandbox';
import {renderConfigDocs} from '../../../src/config';
import {ConfigError} from '../../../src/errors';

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: {write: (s: string) => out.push(s)},
    stderr: {write: (s: string) => err.push(s)},
    env,
  };
  return {io: value, out: () => out.join(''), err: () => err.join('')};
}

const ENV = {
  KAFKA_BROKERS: 'k:9092',
  SCHEMA_REGISTRY_URL: 'http://r:8081',
  PINTEREST_ACCESS_TOKEN: 'pina.access-token-secret',
};

describe('main (in process)', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('config print --no-redacted shows secrets only when asked; --set overrides env', async () => {
    const t = io(ENV);
    expect(
      await main(['node', 'cdc', '--set', 'kafka.partitions=12', 'config', 'print', '--no-redacted'], t.io)
    ).toBe(0);
    expect(t.out()).toContain('accessToken: pina.access-token-secret');
    expect(t.out()).toContain('partitions: 12');
    const r = io(ENV);
    expect(await main(['node', 'cdc', 'config', 'print'], r.io)).toBe(0);
    expect(r.out()).toContain('accessToken: "[redacted]"');
    expect(r.out()).not.toContain('pina.access-token-secret');
    expect(process.exitCode).toBe(0);
  });

  it('config print --sources tells where each value came from', async () => {
    const t = io({...ENV, PINTEREST_CDC_KAFKA__PARTITIONS: '4'});
    expect(await main(['node', 'cdc', 'config', 'print', '--sources'], t.io)).toBe(0);
    expect(t.out()).toContain('kafka.partitions: env PINTEREST_CDC_KAFKA__PARTITIONS');
    expect(t.out()).toContain('kafka.brokers: env KAFKA_BROKERS');
    expect(t.out()).toContain('kafka.clientId: default');
    expect(t.out()).toContain('pinterest.clientSecret: unset');
  });

  it('config docs prints the generated reference', async () => {
    const t = io();
    expect(await main(['node', 'cdc', 'config', 'docs'], t.io)).toBe(0);
    expect(t.out()).toBe(renderConfigDocs());
  });

  it('returns 2 for config errors, bad --set and unknown commands; 1 for runtime failures', async () => {
    const bad = io();
    expect(await main(['node', 'cdc', 'config', 'print'], bad.io)).toBe(2);
    expect(bad.err()).toContain('kafka.brokers: required');
    expect(process.exitCode).toBe(2);
    const badSet = io(ENV);
    expect(await main(['node', 'cdc', '--set', 'novalue', 'config', 'print'], badSet.io)).toBe(2);
    expect(badSet.err()).toContain('--set novalue: expected <path>=<value>');
    const unknown = io();
    expect(await main(['node', 'cdc', 'frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain("unknown command 'frobnicate'");
    const failing = io(ENV);
    // A config file that is a directory: a runtime read error is a config problem too (cannot read it).
    expect(await main(['node', 'cdc', '--config', '/', 'config', 'print'], failing.io)).toBe(2);
    expect(failing.err()).toContain('config file /: cannot read it (EISDIR)');
  });

  it('sandbox validates --scale and --port before starting anything', async () => {
    const t = io();
    expect(await main(['node', 'cdc', 'sandbox', '--scale', 'pins=many'], t.io)).toBe(2);
    expect(t.err()).toContain('--scale: pins must be a non-negative integer');
    const p = io();
    expect(await main(['node', 'cdc', 'sandbox', '--port', '70000'], p.io)).toBe(2);
    expect(p.err()).toContain("option '--port <port>' argument '70000' is invalid");
    expect(p.err()).toContain('must be an integer from 0 to 65535');
  });

  it('config check validates offline: a one-line summary and exit 0, or every problem and exit 2', async () => {
    const ok = io(ENV);
    expect(await main(['node', 'cdc', '--set', 'kafka.partitions=6', 'config', 'check'], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/^Configuration OK: 1 from --set, 3 from the environment, \d+ defaults/);
    expect(ok.err()).toBe('');
    const bad = io({...ENV, KAFKA_BROKERS: 'no-port', PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '0'});
    expect(await main(['node', 'cdc', 'config', 'check'], bad.io)).toBe(2);
    expect(bad.out()).toBe('');
    expect(bad.err()).toContain('kafka.brokers[0]: each broker must be host:port');
    expect(bad.err()).toContain('sync.intervalSeconds: must be an integer from 1 to 604800');
  });

  it('the help of config names exactly the subcommands it has', async () => {
    const t = io();
    expect(await main(['node', 'cdc', 'config', '--help'], t.io)).toBe(0);
    const listed = [...t.out().matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(listed).toEqual(['check', 'print', 'docs', 'example']);
    expect(t.out()).toContain('Validate (offline), show and document the configuration');
    for (const sub of listed) {
      const help = io();
      expect(await main(['node', 'cdc', 'config', sub as string, '--help'], help.io)).toBe(0);
    }
  });

  it('parses --scale as a preset, JSON or key=value pairs', () => {
    expect(parseScale('adAccounts=3, pins=100')).toEqual({adAccounts: 3, pins: 100});
    expect(parseScale('{"boards": 2}')).toEqual({boards: 2});
    expect(parseScale('medium')).toMatchObject({adAccounts: 3});
    expect(() => parseScale('tweets=1,pins=-1')).toThrow(ConfigError);
    try {
      parseScale('tweets=1,pins=-1');
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it('parses --set flags', () => {
    expect(parseSetFlags(['a.b=1', 'c=x=y'])).toEqual({'a.b': '1', c: 'x=y'});
    expect(() => parseSetFlags(['=1'])).toThrow(ConfigError);
  });

  it('runs the sandbox until a signal, printing how to point the service at it', async () => {
    const signals = new EventEmitter();
    const t = io({PINTEREST_SANDBOX_SEED: '7'});
    const done = main(['node', 'cdc', 'sandbox', '--port', '0', '--scale', 'adAccounts=1'], {
      ...t.io,
      signalSource: signals,
    });
    for (let i = 0; i < 100 && !t.out().includes('PINTEREST_REFRESH_TOKEN='); i++)
      await new Promise((r) => setTimeout(r, 50));
    const baseUrl = /PINTEREST_API_BASE_URL=(\S+)/.exec(t.out())?.[1];
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v5$/);
    const accounts = await fetch(`${baseUrl?.replace(/\/v5$/, '')}/_sandbox/truth/ad_accounts`);
    expect(((await accounts.json()) as {items: unknown[]}).items).toHaveLength(1);
    signals.emit('SIGINT', 'SIGINT');
    expect(await done).toBe(0);
    expect(t.err()).toContain('sandbox stopped');
    await expect(fetch(`${baseUrl}/ad_accounts`)).rejects.toThrow();
  });
});
