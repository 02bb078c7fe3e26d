/**
 * `npm run demo` as a user runs it, in its own STACK_DIR (a private stack: this test stops it): it syncs, Ctrl-C
 * (SIGINT to npm's whole process group, as a terminal sends it) stops it with exit 0, its sandbox closed and its
 * temporary folder gone; a second run reuses the running stack and stops on SIGTERM to the npm process alone; then
 * `STACK_DIR=... npm run stack:down` stops both JVMs. Nothing is left running (checked by PID and port).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const STACK_DIR = join(ROOT, '.stack', `demo-test-${process.pid}`);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stack = require(join(ROOT, 'scripts', 'stack')) as {
  stopStack(options: {dir: string; removeDir?: boolean}): Promise<{stopped: boolean}>;
};

interface Demo {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
}

function env(temp: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PINTEREST_CDC_FROM_SOURCE: '1',
    STACK_DIR,
    TMPDIR: temp,
    // Any free port: the default 9464 may be taken on a shared machine.
    METRICS_PORT: '0',
  };
}

function startDemo(temp: string): Demo {
  let stdout = '';
  let stderr = '';
  // Its own process group, like a shell job: a terminal's Ctrl-C reaches every process of the group.
  const child = spawn('npm', ['run', '-s', 'demo', '--', '--interval', '2', '--changes-every', '3'], {
    cwd: ROOT,
    env: env(temp),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.once('exit', (code, signal) => resolve({code, signal}))
  );
  return {child, stdout: () => stdout, stderr: () => stderr, exited};
}

async function until(what: string, demo: Demo, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (demo.child.exitCode !== null)
      throw new Error(`demo exited while waiting for ${what}:\n${demo.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${demo.stderr()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const cycles = (demo: Demo) => (demo.stdout().match(/^sync \S+ in /gm) ?? []).length;
const sandboxUrl = (demo: Demo) => /^Sandbox: (\S+)$/m.exec(demo.stderr())?.[1];
const demoFolders = (temp: string) => readdirSync(temp).filter((f) => f.startsWith('pinterest-cdc-demo-'));

describe('npm run demo: STACK_DIR, signals, clean stop', () => {
  jest.setTimeout(600_000);
  const temps: string[] = [];
  const running: Demo[] = [];

  afterAll(async () => {
    for (const demo of running)
      if (demo.child.exitCode === null && demo.child.pid) process.kill(-demo.child.pid, 'SIGKILL');
    // Whatever happened above, no JVM of this test outlives it.
    await stack.stopStack({dir: STACK_DIR, removeDir: true});
    for (const temp of temps) rmSync(temp, {recursive: true, force: true});
  });

  async function runUntilTwoCycles(): Promise<{demo: Demo; temp: string; url: string}> {
    const temp = mkdtempSync(join(tmpdir(), 'cdc-demo-run-'));
    temps.push(temp);
    const demo = startDemo(temp);
    running.push(demo);
    await until('two sync cycles', demo, () => cycles(demo) >= 2, 300_000);
    const url = sandboxUrl(demo) as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v5$/);
    expect((await fetch(`${url.replace(/\/v5$/, '')}/_sandbox/truth/ad_accounts`)).ok).toBe(true);
    expect(demoFolders(temp)).toHaveLength(1);
    return {demo, temp, url};
  }

  async function expectStopped(demo: Demo, temp: string, url: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      demo.exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 60_000))),
    ]);
    clearTimeout(timer);
    expect({exit, stderr: demo.stderr().slice(-2000)}).toEqual({
      exit: {code: 0, signal: null},
      stderr: expect.stringContaining(`stop it with STACK_DIR=${STACK_DIR} npm run stack:down`),
    });
    await expect(fetch(`${url}/ad_accounts`)).rejects.toThrow();
    expect(demoFolders(temp)).toEqual([]);
  }

  it('Ctrl-C (SIGINT to the process group) stops the first run cleanly; its stack is in STACK_DIR', async () => {
    const {demo, temp, url} = await runUntilTwoCycles();
    expect(existsSync(join(STACK_DIR, 'state.json'))).toBe(true);
    process.kill(-(demo.child.pid as number), 'SIGINT');
    await expectStopped(demo, temp, url);
  });

  it('SIGTERM to the npm process alone stops a second run, which reused the stack', async () => {
    const {demo, temp, url} = await runUntilTwoCycles();
    expect(demo.stderr()).toContain(`stack already running in ${STACK_DIR}`);
    process.kill(demo.child.pid as number, 'SIGTERM');
    await expectStopped(demo, temp, url);
  });

  it('STACK_DIR=... npm run stack:down stops both JVMs the demo started', async () => {
    const state = JSON.parse(readFileSync(join(STACK_DIR, 'state.json'), 'utf8')) as {
      kafka: {pid: number};
      registry: {pid: number};
    };
    expect([alive(state.kafka.pid), alive(state.registry.pid)]).toEqual([true, true]);
    const down = spawnSync('npm', ['run', '-s', 'stack:down'], {
      cwd: ROOT,
      env: env(tmpdir()),
      encoding: 'utf8',
    });
    expect({status: down.status, stderr: down.stderr}).toEqual({
      status: 0,
      stderr: expect.stringContaining('stack stopped'),
    });
    const deadline = Date.now() + 30_000;
    while ((alive(state.kafka.pid) || alive(state.registry.pid)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([alive(state.kafka.pid), alive(state.registry.pid)]).toEqual([false, false]);
  });
});
