/**
 * The CLI as a user runs it (`node bin/pinterest-cdc.js ...`), in a child process: asynchronous, so a sandbox
 * in the test's own process can answer it. From the sources (PINTEREST_CDC_FROM_SOURCE), never a stale dist/.
 */
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {join} from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'pinterest-cdc.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; `output()` is what it printed so far. */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv
): {child: ChildProcessWithoutNullStreams; output: () => CliResult; done: Promise<CliResult>} {
  return startProcess(process.execPath, [BIN, ...args], env);
}

/** Any command (e.g. the CLI under script(1)), with the same capture. */
export function startProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv
): {child: ChildProcessWithoutNullStreams; output: () => CliResult; done: Promise<CliResult>} {
  const child = spawn(command, [...args], {cwd: ROOT, env, stdio: 'pipe'});
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout, stderr}));
  });
  return {child, output: () => ({code: child.exitCode, stdout, stderr}), done};
}

/** Runs the CLI to its end (killed after `timeoutMs`). */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 240_000
): Promise<CliResult> {
  return runProcess(process.execPath, [BIN, ...args], env, timeoutMs);
}

/** Runs a command to its end (killed after `timeoutMs`). */
export async function runProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 240_000
): Promise<CliResult> {
  const {child, done} = startProcess(command, args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}
