/**
 * The stack CLI itself, in its own state folder (not the one the other tests use): `up` twice keeps one broker
 * (same PIDs, same ports), `status` reports it, `down` leaves no process and no listening port behind.
 */
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import {Kafka, logLevel} from 'kafkajs';

import {ROOT_DIR, readState, stopStack} from '../../../scripts/stack/index';

// jest 30 ignores the project-level testTimeout of jest.config.js: set it for this file.
jest.setTimeout(120_000);

const CLI = path.join(ROOT_DIR, 'scripts', 'stack', 'stack.js');
const dir = path.join(ROOT_DIR, '.stack', `cli-test-${process.pid}`);

function cli(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--dir', dir], {timeout: 200_000}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({code, stdout, stderr});
    });
  });
}

function envOf(stdout: string): Record<string, string> {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(2);
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  );
}

/** PIDs whose command line mentions the state folder (what `pgrep -f <dir>` finds). */
function processesOf(folder: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        const cmd = `${fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')} `;
        return cmd.includes(`${folder}/`) || cmd.includes(`${folder} `);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({host: '127.0.0.1', port, exclusive: true}, () => server.close(() => resolve(true)));
  });
}

describe('scripts/stack/stack.js', () => {
  afterAll(async () => {
    await stopStack({dir, removeDir: true, log: () => undefined});
  }, 60_000);

  it('up twice keeps one broker; down leaves no process or port', async () => {
    const first = await cli('up');
    expect(first.stderr).toContain('stack ready');
    expect(first.code).toBe(0);
    const env = envOf(first.stdout);
    expect(env.KAFKA_BROKERS).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(env.SCHEMA_REGISTRY_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    const state = readState(dir)!;
    expect(state).toBeDefined();
    const ports = [
      state.kafka.port,
      state.kafka.controllerPort,
      state.registry.port,
      state.registry.managementPort,
    ];

    const second = await cli('up');
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('already running');
    expect(envOf(second.stdout)).toEqual(env);
    const again = readState(dir)!;
    expect([again.kafka.pid, again.registry.pid, again.startedAt]).toEqual([
      state.kafka.pid,
      state.registry.pid,
      state.startedAt,
    ]);
    expect(processesOf(dir).sort()).toEqual([state.kafka.pid, state.registry.pid].sort());

    const kafka = new Kafka({
      clientId: 'it-stack-cli',
      brokers: [env.KAFKA_BROKERS!],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect((await admin.describeCluster()).brokers).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
    const subjects = await fetch(`${env.SCHEMA_REGISTRY_URL}/subjects`);
    expect(subjects.status).toBe(200);

    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(envOf(status.stdout)).toEqual(env);

    const down = await cli('down');
    expect(down.code).toBe(0);
    expect(processesOf(dir)).toEqual([]);
    for (const port of ports) expect(await portFree(port)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    expect(readState(dir)).toBeUndefined();

    const after = await cli('status');
    expect(after.code).toBe(3);
    expect(after.stdout).toBe('');
  }, 240_000);
});
