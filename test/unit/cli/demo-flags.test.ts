/**
 * `pinterest-cdc demo <bad flag>` as a user types it, each in its own process (bin/pinterest-cdc.js from source),
 * and a few through `npm run demo -- <flag>` (npm, scripts/demo.js): each bad flag or bad setting exits 2 within
 * seconds, naming what is wrong, before the local stack or the sandbox starts: no `[stack]` or `Sandbox:` line, and
 * the demo's TMPDIR gets none of its files. STACK_DIR lies below a regular file, so a validation that let a case through
 * would fail at once (exit 1) instead of starting two JVMs. (The good path, signals, STACK_DIR: test/integration/demo.)
 */
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
// Generous for a loaded two-core machine (about 1.5 s unloaded); starting the stack alone takes 30 s or more.
const DEADLINE_MS = 20_000;

interface Outcome {
  code: number | null;
  stderr: string;
  ms: number;
}

/** The CLI (`npm: false`) or `npm run -s demo --` with `args`, in a clean environment of its own under `dir`. */
function demo(args: string[], env: Record<string, string>, dir: string, npm: boolean): Promise<Outcome> {
  mkdirSync(join(dir, 'tmp'), {recursive: true});
  writeFileSync(join(dir, 'not-a-dir'), '');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const [command, commandArgs] = npm
      ? ['npm', ['run', '-s', 'demo', '--', ...args]]
      : [process.execPath, [join(ROOT, 'bin', 'pinterest-cdc.js'), 'demo', ...args]];
    const child = spawn(command, commandArgs, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PINTEREST_CDC_FROM_SOURCE: '1',
        STACK_DIR: join(dir, 'not-a-dir', 'stack'),
        TMPDIR: join(dir, 'tmp'),
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS * 2);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code, stderr, ms: Date.now() - started});
    });
  });
}

/** Runs `tasks` at most `width` at a time (two cores: more only queue). */
async function pooled<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const n = next++;
      results[n] = await (tasks[n] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({length: width}, worker));
  return results;
}

const CASES: {args: string[]; env?: Record<string, string>; says: RegExp; npm?: true}[] = [
  {args: ['--interval', 'abc'], says: /option '--interval <seconds>' argument 'abc' is invalid/, npm: true},
  {
    args: ['--interval', '0'],
    says: /'--interval <seconds>' argument '0' is invalid. must be an integer from 1/,
  },
  {args: ['--interval', '-3'], says: /'--interval <seconds>' argument '-3' is invalid/},
  {args: ['--interval', '2.5'], says: /'--interval <seconds>' argument '2.5' is invalid/},
  {args: ['--interval=1e3'], says: /'--interval <seconds>' argument '1e3' is invalid/},
  {args: ['--interval'], says: /option '--interval <seconds>' argument missing/},
  {args: ['--changes-every', 'soon'], says: /'--changes-every <seconds>' argument 'soon' is invalid/},
  {args: ['--changes-every', '-1'], says: /'--changes-every <seconds>' argument '-1' is invalid/},
  {args: ['--scale', 'pins=many'], says: /--scale: pins must be a non-negative integer/},
  {args: ['--scale', 'huge'], says: /--scale: unknown key "huge"/},
  {args: ['--bogus'], says: /unknown option '--bogus'/, npm: true},
  {args: ['now'], says: /too many arguments for 'demo'/},
  {args: ['--set', 'kafka.partitions=zero'], says: /kafka\.partitions: must be an integer .*from a flag/},
  {args: ['--config', '/nonexistent/cdc.yaml'], says: /config file \/nonexistent\/cdc\.yaml: cannot read it/},
  {args: [], env: {PINTEREST_CDC_SYNC__INTERVAL: '5'}, says: /PINTEREST_CDC_SYNC__INTERVAL: unknown setting/},
  {
    args: [],
    env: {METRICS_PORT: '-1'},
    says: /observability\.metricsPort: .*from env METRICS_PORT/,
    npm: true,
  },
];

describe('npm run demo with a bad flag or setting', () => {
  jest.setTimeout(120_000);
  let base: string;
  let outcomes: Outcome[];

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'cdc-demo-flags-'));
    outcomes = await pooled(
      CASES.map((c, n) => () => demo(c.args, c.env ?? {}, join(base, String(n)), c.npm === true)),
      3
    );
  });

  afterAll(() => rmSync(base, {recursive: true, force: true}));

  it.each(
    CASES.map(
      (c, n) =>
        [`${c.npm ? 'npm run demo -- ' : 'demo '}${c.args.join(' ') || JSON.stringify(c.env)}`, n] as const
    )
  )('%s: exit 2 within seconds, names the problem, starts nothing', (_label, n) => {
    const outcome = outcomes[n] as Outcome;
    const dir = join(base, String(n));
    expect({code: outcome.code, stderr: outcome.stderr}).toEqual({
      code: 2,
      stderr: expect.stringMatching(CASES[n]?.says as RegExp),
    });
    expect(outcome.ms).toBeLessThan(DEADLINE_MS);
    expect(outcome.stderr).not.toContain('Sandbox:');
    expect(outcome.stderr).not.toMatch(/\[stack\]|stack already running|starting Kafka/i);
    // (swc-node, which runs the sources, keeps its compile cache there too.)
    expect(readdirSync(join(dir, 'tmp')).filter((name) => name.startsWith('pinterest-cdc'))).toEqual([]);
  });
});
