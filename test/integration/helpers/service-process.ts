/**
 * The real long-running service as a child process: `pinterest-cdc run` from source (bin/pinterest-cdc.js with
 * PINTEREST_CDC_FROM_SOURCE=1), its JSON log lines collected, its /readyz and /metrics reachable on the port it
 * logs ("Serving /metrics, /healthz and /readyz"), killed or stopped on command. The reliability tests use it to
 * SIGKILL the process that runs in production, not a copy of its handlers.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {appendFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';

import {STILL_OPEN_AFTER_COMMAND} from '../../../src/cli/main';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin', 'pinterest-cdc.js');

export interface LogLine {
  level?: number;
  msg?: string;
  [field: string]: unknown;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** every line printed so far (stdout and stderr), raw */
  readonly output: () => string;
  /** the JSON log lines so far */
  readonly logs: () => LogLine[];
  /** resolves with the first log line (from `from` on) that matches; fails when the process exits or time runs out */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs: number, from?: number): Promise<LogLine>;
  /**
   * the cycles logged so far ("Sync cycle finished", with or without failures), with the kinds each ran and
   * whether it ran every task's shards (a fleet member cycles once its first task is restored: an early cycle
   * may leave tasks out, the pins task say, and so prove nothing about their shards)
   */
  finishedCycles(): {kinds: string[]; failed: number; allTasks: boolean; index: number}[];
  /** GET /readyz (status and text), or undefined while the server does not answer */
  readyz(): Promise<{status: number; body: string} | undefined>;
  metrics(): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  /** resolves once the process exited */
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
}

export function startServiceProcess(env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, [CLI, 'run'], {
    cwd: ROOT,
    env: {METRICS_PORT: '0', LOG_LEVEL: 'info', ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let partial = '';
  const lines: LogLine[] = [];
  // PINTEREST_CDC_TEST_LOG_DIR: every service's whole output also goes to <dir>/service-<pid>.log, for a diagnosis
  // after the test (a failure message carries only the tail).
  const logDir = process.env.PINTEREST_CDC_TEST_LOG_DIR;
  if (logDir) mkdirSync(logDir, {recursive: true});
  const take = (chunk: Buffer) => {
    const s = chunk.toString();
    if (logDir) appendFileSync(path.join(logDir, `service-${child.pid}.log`), s);
    text += s;
    partial += s;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      if (!part.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        // a line that only looks like JSON stays in output()
      }
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.on('exit', (code, signal) => resolve({code, signal}))
  );
  let done = false;
  void exited.then(() => (done = true));

  const baseUrl = (): string | undefined => {
    const serving = lines.find((l) => l.msg === 'Serving /metrics, /healthz and /readyz');
    return typeof serving?.url === 'string' ? serving.url.replace(/\/+$/, '') : undefined;
  };

  return {
    child,
    exited,
    output: () => text,
    logs: () => lines,
    async waitForLog(match, timeoutMs, from = 0) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.slice(from).find(match);
        if (found) return found;
        if (done)
          throw new Error(
            `the service exited before the awaited log line; output tail:\n${text.slice(-3000)}`
          );
        if (Date.now() > deadline)
          throw new Error(`no such log line within ${timeoutMs} ms; output tail:\n${text.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    finishedCycles() {
      return lines
        .map((l, index) => ({l, index}))
        .filter(({l}) => l.msg === 'Sync cycle finished' || l.msg?.startsWith('Sync cycle finished with'))
        .map(({l, index}) => ({
          kinds: (l.kinds as string[]) ?? [],
          failed: Number(l.failed ?? 0),
          allTasks: ranEveryTask(l),
          index,
        }));
    },
    async readyz() {
      const url = baseUrl();
      if (!url) return undefined;
      try {
        const res = await fetch(`${url}/readyz`);
        return {status: res.status, body: await res.text()};
      } catch {
        return undefined;
      }
    },
    async metrics() {
      const url = baseUrl();
      if (!url) throw new Error('the service has not logged its metrics address yet');
      return (await fetch(`${url}/metrics`)).text();
    },
    kill(signal) {
      if (!done) child.kill(signal);
    },
  };
}

/**
 * Whether a "Sync cycle finished" line is of a cycle that ran every task's shards. A fleet member cycles as soon as
 * its first task is restored, so an early cycle may leave tasks out (the pins task, say): a test that waits for
 * "the first snapshot" and then changes the sandbox must wait for such a cycle, or its changes reach shards still
 * in their first snapshot (a change seen then is an `r`, a delete no `d`).
 */
export function ranEveryTask(line: LogLine): boolean {
  return Array.isArray(line.tasks) && line.tasks.length === Number(line.taskCount);
}

/**
 * Lets the service finish what is due: waits for an entity cycle and (when `analytics`) an analytics cycle that
 * both were logged after line `from`, ran every task and finished without a failure, then SIGTERMs it and expects
 * exit 0.
 */
export async function settleAndStop(
  service: ServiceProcess,
  options: {analytics: boolean; timeoutMs: number; from?: number}
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const from = options.from ?? 0;
  const wanted = options.analytics ? ['entities', 'analytics'] : ['entities'];
  for (;;) {
    const clean = service.finishedCycles().filter((c) => c.index >= from && c.failed === 0 && c.allTasks);
    if (wanted.every((kind) => clean.some((c) => c.kinds.includes(kind)))) break;
    if (Date.now() > deadline)
      throw new Error(
        `no clean ${wanted.join(' + ')} cycle within ${options.timeoutMs} ms; output tail:\n` +
          service.output().slice(-4000)
      );
    const exit = await Promise.race([service.exited, new Promise((r) => setTimeout(r, 100))]);
    if (exit)
      throw new Error(
        `the service exited (${JSON.stringify(exit)}); output tail:\n${service.output().slice(-4000)}`
      );
  }
  service.kill('SIGTERM');
  const exit = await service.exited;
  // bin/ forces the exit when something stays open after the shutdown: that is a leak, not a clean stop.
  if (exit.code !== 0 || service.output().includes(STILL_OPEN_AFTER_COMMAND))
    throw new Error(
      `the service did not stop cleanly (${JSON.stringify(exit)}):\n${service.output().slice(-3000)}`
    );
}
