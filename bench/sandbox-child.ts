/**
 * The sandbox as a child process (`bin/pinterest-cdc.js sandbox`), for benchmarks that must not count its CPU or
 * memory as the measured process's; its control API over HTTP.
 */
import {spawn} from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'pinterest-cdc.js');

export interface SandboxChild {
  baseUrl: string;
  controlUrl: string;
  /** A control-API call (JSON in, JSON out); throws on an error status. */
  control(method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startSandboxChild(scale: Record<string, number>): Promise<SandboxChild> {
  const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', '--scale', JSON.stringify(scale)], {
    cwd: ROOT,
    env: {...process.env, PINTEREST_CDC_FROM_SOURCE: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`sandbox exited (${code}) before listening:\n${output}`)));
  });
  const controlUrl = baseUrl.replace(/\/v5$/, '/_sandbox');
  return {
    baseUrl,
    controlUrl,
    async control(method, route, body) {
      const res = await fetch(`${controlUrl}${route}`, {
        method,
        headers: {'content-type': 'application/json'},
        ...(body === undefined ? {} : {body: JSON.stringify(body)}),
      });
      if (!res.ok) throw new Error(`sandbox ${method} ${route}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
