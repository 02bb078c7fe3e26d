/**
 * config/local.env.example stays true to the current stack and sandbox: only comments and NAME=value lines (it is
 * sourced by a shell), the stack lines are the ones `npm run stack:up` prints, the sandbox lines are the ones
 * `pinterest-cdc sandbox` prints, every file it names exists, and the service accepts the result.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';

import {loadConfig} from '../../../src/config';
import {DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REFRESH_TOKEN} from '../../../src/sandbox';

const ROOT = join(__dirname, '..', '..', '..');
const text = readFileSync(join(ROOT, 'config', 'local.env.example'), 'utf8');
const lines = text.split('\n').filter((line) => line !== '');
const settings = new Map(
  lines
    .filter((line) => !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require(join(ROOT, 'scripts', 'stack')) as {
  envLines(env: {KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string}): string[];
};

describe('config/local.env.example', () => {
  it('has only comment lines and NAME=value lines (a shell sources it)', () => {
    for (const line of lines) expect(line).toMatch(/^(#( .*)?|[A-Z][A-Z0-9_]*=\S*)$/);
  });

  it('leaves the stack lines for the values `npm run stack:up` prints (its ports are picked at start)', () => {
    const printed = stack.envLines({
      KAFKA_BROKERS: '127.0.0.1:40001',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:40002/apis/ccompat/v7',
    });
    for (const line of printed) expect(settings.get(line.split('=')[0] as string)).toBe('');
    expect(text).toContain('npm run stack:up');
    expect(text).toContain('$STACK_DIR/env');
  });

  it('has the sandbox lines `pinterest-cdc sandbox --port N` prints', () => {
    const port = /pinterest-cdc sandbox --port (\d+)/.exec(text)?.[1];
    expect(settings.get('PINTEREST_API_BASE_URL')).toBe(`http://127.0.0.1:${port}/v5`);
    expect(settings.get('PINTEREST_CLIENT_ID')).toBe(DEFAULT_CLIENT_ID);
    expect(settings.get('PINTEREST_CLIENT_SECRET')).toBe(DEFAULT_CLIENT_SECRET);
    expect(settings.get('PINTEREST_REFRESH_TOKEN')).toBe(DEFAULT_REFRESH_TOKEN);
  });

  it('names only ports that something here uses: the sandbox port it starts, and the metrics port', () => {
    const ports = new Set([...text.matchAll(/\b(\d{4,5})\b/g)].map((m) => m[1]));
    const sandboxPort = /pinterest-cdc sandbox --port (\d+)/.exec(text)?.[1];
    expect([...ports].sort()).toEqual([sandboxPort, settings.get('METRICS_PORT')].sort());
  });

  it('names files that exist, and config/local.env is ignored by git', () => {
    for (const [, file] of text.matchAll(/\b((?:docs|config)\/[\w./-]+\.\w+)/g)) {
      if (file === 'config/local.env') continue;
      expect({file, exists: existsSync(join(ROOT, file as string))}).toEqual({file, exists: true});
    }
    const ignored = spawnSync('git', ['check-ignore', '-q', 'config/local.env'], {cwd: ROOT});
    expect(ignored.status).toBe(0);
  });

  it('is accepted by the service once the stack lines are filled in', () => {
    const env: Record<string, string> = Object.fromEntries(settings);
    env.KAFKA_BROKERS = '127.0.0.1:40001';
    env.SCHEMA_REGISTRY_URL = 'http://127.0.0.1:40002/apis/ccompat/v7';
    const config = loadConfig({env});
    expect(config.pinterest.apiBaseUrl).toBe(settings.get('PINTEREST_API_BASE_URL'));
    expect(config.observability.logFormat).toBe('pretty');
  });
});
