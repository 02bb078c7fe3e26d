/**
 * A fleet of real `run` processes (from source) against a sandbox child and the Kafka + registry of
 * KAFKA_BROKERS / SCHEMA_REGISTRY_URL, one table:
 *   1. events/s of the first snapshot with 1 instance and with 3 instances (rate limits lifted), and the ratio
 *      (target: 3 instances faster than 1 on 2+ free cores; on 2 shared cores expect little);
 *   2. seconds from an instance's SIGKILL until its tasks synced again (another instance finished a cycle holding
 *      them), with fleet.sessionTimeoutSeconds 6;
 *   3. 429s the sandbox answered to 3 instances sharing one connection's budget (ads_read 600/min), over steady
 *      cycles (target 0).
 * The snapshot is started for every instance at once: the ad-account list answers 400 until the fleet has settled
 * (each instance holds tasks), so the measured window is the snapshot, not the processes' start.
 * The issue's load is 3 connections of 300,000 pins; one connection's pins are one shard (one task), so this
 * measures 12 ad accounts of ads instead (the per-account shards spread over tasks). Flags: --quick (12 x 2,500
 * ads instead of 12 x 25,000).
 *
 *   node -r @swc-node/register bench/fleet.ts [--quick]
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import path from 'node:path';

import {startSandboxChild, type SandboxChild} from './sandbox-child';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'pinterest-cdc.js');
const QUICK = process.argv.includes('--quick');
const ACCOUNTS = 12;
const ADS_PER_GROUP = QUICK ? 25 : 250;
const SCALE = {
  adAccounts: ACCOUNTS,
  campaignsPerAccount: 10,
  adGroupsPerCampaign: 10,
  adsPerAdGroup: ADS_PER_GROUP,
};
const ENTITIES = ACCOUNTS * (10 + 100 + 100 * ADS_PER_GROUP) + ACCOUNTS;
const TASKS = 12;
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:39092';
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:38081/apis/ccompat/v7';
const GATE = {errorRate: 1, errorStatus: 400, pathPattern: '^/v5/ad_accounts$'};

interface Instance {
  child: ChildProcess;
  lines: {at: number; msg: string; fields: Record<string, unknown>}[];
}

const progress = (line: string) => process.stderr.write(`[fleet bench] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function start(sandbox: SandboxChild, prefix: string): Instance {
  const child = spawn(process.execPath, [CLI, 'run'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PINTEREST_CDC_FROM_SOURCE: '1',
      KAFKA_BROKERS: BROKERS,
      SCHEMA_REGISTRY_URL: REGISTRY,
      PINTEREST_API_BASE_URL: sandbox.baseUrl,
      PINTEREST_CLIENT_ID: '1500000',
      PINTEREST_CLIENT_SECRET: 'sandbox-client-secret',
      PINTEREST_REFRESH_TOKEN: 'pinr.sandbox-initial-refresh-token',
      PINTEREST_CDC_TOPIC_PREFIX: prefix,
      PINTEREST_CDC_SYNC__COLLECTIONS: 'ad_accounts,campaigns,ad_groups,ads',
      PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
      PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
      PINTEREST_CDC_FLEET__TASKS: String(TASKS),
      PINTEREST_CDC_FLEET__SESSION_TIMEOUT_SECONDS: '6',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines: Instance['lines'] = [];
  let rest = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) {
      try {
        const fields = JSON.parse(part) as Record<string, unknown>;
        lines.push({at: Date.now(), msg: String(fields.msg), fields});
      } catch {
        // not a log line
      }
    }
  });
  return {child, lines};
}

function held(instance: Instance): Set<number> {
  const tasks = new Set<number>();
  for (const line of instance.lines) {
    if (line.msg.startsWith('Task taken')) tasks.add(Number(line.fields.task));
    if (line.msg === 'Task dropped') tasks.delete(Number(line.fields.task));
  }
  return tasks;
}

/** The end of the first cycle without failures that started after `since`. */
const cleanCycleEnd = (instance: Instance, since: number) =>
  instance.lines.find(
    (l) =>
      l.msg === 'Sync cycle finished' &&
      l.at - Number(l.fields.seconds) * 1000 >= since - 50 &&
      Number(l.fields.failed) === 0
  )?.at;

async function settle(fleet: Instance[]): Promise<void> {
  await until('every task held once, by every instance', () => {
    const all = fleet.flatMap((i) => [...held(i)]);
    return all.length === TASKS && new Set(all).size === TASKS && fleet.every((i) => held(i).size > 0);
  });
  // No rebalance under way: the assignment held for 3 s.
  const snapshot = JSON.stringify(fleet.map((i) => [...held(i)].sort()));
  await sleep(3000);
  if (JSON.stringify(fleet.map((i) => [...held(i)].sort())) !== snapshot) return settle(fleet);
}

async function stop(fleet: Instance[]): Promise<void> {
  await Promise.all(
    fleet.map(
      (i) =>
        new Promise<void>((resolve) => {
          if (i.child.exitCode !== null || i.child.signalCode !== null) return resolve();
          i.child.once('exit', () => resolve());
          i.child.kill('SIGTERM');
        })
    )
  );
}

/** First snapshot of a fresh prefix with n instances: seconds from the gate's opening to the last instance's end. */
async function snapshot(sandbox: SandboxChild, n: number): Promise<{fleet: Instance[]; seconds: number}> {
  progress(`starting ${n} instance(s)`);
  await sandbox.control('POST', '/faults', GATE);
  const prefix = `bfleet${n}_${randomBytes(3).toString('hex')}`;
  const fleet = Array.from({length: n}, () => start(sandbox, prefix));
  await settle(fleet);
  progress(`${n} instance(s) settled; snapshot`);
  await sandbox.control('DELETE', '/faults');
  const opened = Date.now();
  await until(
    `snapshot with ${n}`,
    () => fleet.every((i) => cleanCycleEnd(i, opened) !== undefined),
    QUICK ? 240_000 : 1_200_000
  ).catch((error: unknown) => {
    for (const [k, i] of fleet.entries())
      for (const l of i.lines.filter((x) => x.fields.level !== 'info' || /cycle/i.test(x.msg)).slice(-8))
        progress(`instance ${k}: ${l.msg} ${JSON.stringify(l.fields).slice(0, 300)}`);
    throw error;
  });
  const end = Math.max(...fleet.map((i) => cleanCycleEnd(i, opened)!));
  return {fleet, seconds: (end - opened) / 1000};
}

/**
 * Each phase has its own sandbox: a phase's fresh topic prefix has a fresh token store, which starts from the
 * configured refresh token, and a sandbox that already rotated it would refuse it (invalid grant).
 */
async function withSandbox<T>(work: (sandbox: SandboxChild) => Promise<T>): Promise<T> {
  const sandbox = await startSandboxChild(SCALE);
  try {
    return await work(sandbox);
  } finally {
    await sandbox.stop();
  }
}

const LIFTED = {
  categories: {ads_read: {perMinute: 1e9}, org_read: {perMinute: 1e9}},
  safetyNetPerSecond: 1e9,
};

async function main(): Promise<void> {
  const rows: string[][] = [];
  const oneSeconds = await withSandbox(async (sandbox) => {
    await sandbox.control('POST', '/limits', LIFTED);
    const one = await snapshot(sandbox, 1);
    await stop(one.fleet);
    return one.seconds;
  });
  await withSandbox(async (sandbox) => {
    await sandbox.control('POST', '/limits', LIFTED);
    const three = await snapshot(sandbox, 3);
    rows.push(['events/s, first snapshot, 1 instance', (ENTITIES / oneSeconds).toFixed(0), 'baseline']);
    rows.push([
      'events/s, first snapshot, 3 instances',
      (ENTITIES / three.seconds).toFixed(0),
      `${(oneSeconds / three.seconds).toFixed(2)} x 1 instance`,
    ]);

    // SIGKILL one; its tasks sync again once another instance finished a cycle holding them.
    const [victim, ...rest] = three.fleet as [Instance, ...Instance[]];
    const lost = [...held(victim)];
    const killed = Date.now();
    victim.child.kill('SIGKILL');
    await until('the killed tasks to sync again', () =>
      lost.every((task) =>
        rest.some((i) => {
          const taken = i.lines.find(
            (l) => l.at > killed && l.msg.startsWith('Task taken') && Number(l.fields.task) === task
          );
          return taken !== undefined && held(i).has(task) && cleanCycleEnd(i, taken.at) !== undefined;
        })
      )
    );
    rows.push([
      'SIGKILL -> its tasks synced again (s)',
      ((Date.now() - killed) / 1000).toFixed(1),
      'session timeout 6 s + rejoin + fence + restore + cycle',
    ]);
    await stop(rest);
  });

  // 3 instances on one connection's real budget (ads_read tightened so that a cycle spends it), steady cycles.
  await withSandbox(async (sandbox) => {
    await sandbox.control('POST', '/limits', {
      categories: {ads_read: {perMinute: 600}, org_read: {perMinute: 1000}},
      safetyNetPerSecond: 100,
    });
    const shared = await snapshot(sandbox, 3);
    await sandbox.control('POST', '/stats/reset');
    await sleep(QUICK ? 60_000 : 180_000);
    const stats = (await sandbox.control('GET', '/stats')) as {
      rateLimited: number;
      requests: {total: number};
    };
    rows.push([
      `429s, 3 instances sharing ads_read 600/min, ${QUICK ? 60 : 180} s of cycles`,
      String(stats.rateLimited),
      `target 0; ${stats.requests.total} requests answered`,
    ]);
    await stop(shared.fleet);
  });
  const entitiesNote = `${ENTITIES} entities (${ACCOUNTS} ad accounts x ${10 + 100 + 100 * ADS_PER_GROUP})`;
  console.log(
    `\nbench/fleet.ts${QUICK ? ' --quick' : ''}: ${entitiesNote}, ${TASKS} tasks, Kafka ${BROKERS}\n`
  );
  console.log('| measure | value | against |\n|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
