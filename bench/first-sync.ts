/**
 * First sync of the sandbox's 1,000,000-pin account: time and peak RSS of `pinterest-cdc sync --once`, beside a
 * bare read of the same pages with the Pinterest client only (no diff, no Avro, no Kafka) measured in the same
 * run, so the ratios show what the pipeline adds. Then the second (no-change) sync: state restore from the
 * changelog plus a full listing that emits nothing.
 *
 * Every measured thing runs in its own child process, so neither the sandbox's memory nor this script's counts:
 *   - the sandbox: `bin/pinterest-cdc.js sandbox` (a fresh one for the baseline and one for the syncs: the sandbox
 *     retires a refresh token once used, and the bare reader keeps its rotated token in memory only);
 *   - the bare read and the syncs: this file again with `--child baseline|sync`, each reporting its own
 *     `process.resourceUsage().maxRSS` and the time of the work itself (process start and TypeScript
 *     compilation excluded; the wall time including them is printed too).
 * The sandbox's rate limits are lifted so the figures measure the client and the pipeline, not the limiter.
 *
 * Needs Kafka and the registry: KAFKA_BROKERS (default 127.0.0.1:39092), SCHEMA_REGISTRY_URL (default
 * http://127.0.0.1:38081/apis/ccompat/v7). The bench's topics are deleted at the end (--keep keeps them).
 * Run: node -r @swc-node/register bench/first-sync.ts [--pins 1000000] [--batch 1000] [--keep] [--heap-mb 256]
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import path from 'node:path';

import {Kafka, logLevel} from 'kafkajs';
import {startSandboxChild, type SandboxChild} from './sandbox-child';

const ROOT = path.resolve(__dirname, '..');
const RESULT_MARK = 'BENCH_RESULT ';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const PINS = Number(argValue('pins') ?? 1_000_000);
const BATCH = Number(argValue('batch') ?? 1000);
const KEEP = process.argv.includes('--keep');
// --heap-mb N runs the measured children with V8's old space capped at N MiB, as a container's memory limit
// should be translated (NODE_OPTIONS=--max-old-space-size): shows whether the sync fits, and at what cost in time.
const HEAP_MB = argValue('heap-mb');
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:39092';
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:38081/apis/ccompat/v7';

/** What a child reports on its last stderr line. */
interface ChildResult {
  records: number;
  /** the work itself: the page loop (baseline) or the CLI command (sync) */
  seconds: number;
  maxRssMiB: number;
}

function report(result: ChildResult): void {
  process.stderr.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
}

const maxRssMiB = () => process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB

// ---- children -------------------------------------------------------------------------------------------------

async function childBaseline(): Promise<void> {
  // Imported here so the orchestrator does not load the client.
  const {CollectionRegistry} = await import('../src/collections');
  const {MemoryTokenStore, PinterestClient, resolveClientConfig} = await import('../src/pinterest');
  const pins = new CollectionRegistry().get('pins');
  const client = new PinterestClient({
    config: resolveClientConfig({
      apiBaseUrl: process.env.PINTEREST_API_BASE_URL,
      clientId: process.env.PINTEREST_CLIENT_ID,
      clientSecret: process.env.PINTEREST_CLIENT_SECRET,
      refreshToken: process.env.PINTEREST_REFRESH_TOKEN,
    }),
    tokenStore: new MemoryTokenStore(),
  });
  const started = process.hrtime.bigint();
  let records = 0;
  // The same request the pins listing makes (path, query, category): the same pages.
  for await (const page of client.paginate({
    path: pins.endpoint.path,
    query: pins.endpoint.query,
    category: 'org_read',
  })) {
    records += page.length;
  }
  report({records, seconds: Number(process.hrtime.bigint() - started) / 1e9, maxRssMiB: maxRssMiB()});
}

async function childSync(): Promise<void> {
  const {main} = await import('../src/cli/main');
  const started = process.hrtime.bigint();
  const code = await main(['node', 'pinterest-cdc', 'sync', '--once', '--json']);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`sync --once exited with ${code}`);
  report({records: -1, seconds, maxRssMiB: maxRssMiB()});
}

// ---- orchestrator ---------------------------------------------------------------------------------------------

async function startSandbox(): Promise<SandboxChild> {
  const sandbox = await startSandboxChild({
    pins: PINS,
    boards: 10,
    adAccounts: 1,
    campaignsPerAccount: 1,
    adGroupsPerCampaign: 1,
    adsPerAdGroup: 1,
    analyticsDays: 1,
  });
  await sandbox.control('POST', '/limits', {
    categories: {org_read: {perMinute: 10_000_000}},
    safetyNetPerSecond: 1_000_000,
  });
  return sandbox;
}

interface Measured extends ChildResult {
  wallSeconds: number;
  stdout: string;
}

async function runChild(mode: 'baseline' | 'sync', env: NodeJS.ProcessEnv): Promise<Measured> {
  const started = process.hrtime.bigint();
  const heap = HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : [];
  const child = spawn(process.execPath, [...heap, '-r', '@swc-node/register', __filename, '--child', mode], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderrTail = '';
  let result: ChildResult | undefined;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-20_000);
    const line = stderrTail.split('\n').find((l) => l.startsWith(RESULT_MARK));
    if (line) result = JSON.parse(line.slice(RESULT_MARK.length)) as ChildResult;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0 || !result) {
    throw new Error(`--child ${mode} failed (exit ${code}):\n${stderrTail.slice(-4000)}\n${stdout}`);
  }
  return {...result, wallSeconds, stdout};
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
    )
    .join('\n');
}

async function orchestrate(): Promise<void> {
  const prefix = `bench-first-sync-${randomBytes(4).toString('hex')}`;
  console.log(
    `first sync of ${PINS.toLocaleString('en-US')} pins (transactions of ${BATCH} events, topic prefix ${prefix}` +
      (HEAP_MB ? `, children with --max-old-space-size=${HEAP_MB})` : ')')
  );
  const credentials = {
    PINTEREST_CLIENT_ID: '1500000',
    PINTEREST_CLIENT_SECRET: 'sandbox-client-secret',
    PINTEREST_REFRESH_TOKEN: 'pinr.sandbox-initial-refresh-token',
  };

  // 1. Baseline: the bare read, against its own sandbox.
  let sandbox = await startSandbox();
  let baseline: Measured;
  try {
    console.log('  bare read (client only)...');
    baseline = await runChild('baseline', {
      ...process.env,
      ...credentials,
      PINTEREST_API_BASE_URL: sandbox.baseUrl,
    });
  } finally {
    await sandbox.stop();
  }

  // 2. First and second sync through the CLI, against a fresh sandbox with the same data.
  sandbox = await startSandbox();
  const syncEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...credentials,
    PINTEREST_API_BASE_URL: sandbox.baseUrl,
    KAFKA_BROKERS: BROKERS,
    SCHEMA_REGISTRY_URL: REGISTRY,
    PINTEREST_CDC_TOPIC_PREFIX: prefix,
    PINTEREST_CDC_SYNC__COLLECTIONS: 'pins',
    PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: String(BATCH),
    LOG_LEVEL: 'warn',
  };
  const syncs: {
    name: string;
    m: Measured;
    summary: {r: number; c: number; u: number; d: number; fetched: number};
  }[] = [];
  try {
    for (const name of ['first sync (diff + Avro + Kafka)', 'second sync (no change)']) {
      console.log(`  ${name}...`);
      const m = await runChild('sync', syncEnv);
      const json = JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}') as {
        collections?: Record<string, {r: number; c: number; u: number; d: number; fetched: number}>;
      };
      const summary = json.collections?.pins;
      if (!summary) throw new Error(`no pins summary in ${m.stdout}`);
      syncs.push({name, m: {...m, records: summary.fetched}, summary});
    }
  } finally {
    await sandbox.stop();
    if (!KEEP) await deleteTopics(prefix);
  }

  const first = syncs[0]!;
  const second = syncs[1]!;
  const problems: string[] = [];
  if (baseline.records !== PINS) problems.push(`bare read saw ${baseline.records} records, expected ${PINS}`);
  if (first.summary.r !== PINS)
    problems.push(`first sync emitted ${first.summary.r} r events, expected ${PINS}`);
  const secondEvents = second.summary.r + second.summary.c + second.summary.u + second.summary.d;
  if (secondEvents !== 0) problems.push(`second sync emitted ${secondEvents} events, expected 0`);

  const rows = [
    ['run', 'records', 'events', 'seconds', 'wall s', 'records/s', 'peak RSS MiB', 'time x', 'RSS x'],
  ];
  const row = (name: string, m: Measured, events: string) => [
    name,
    m.records.toLocaleString('en-US'),
    events,
    m.seconds.toFixed(1),
    m.wallSeconds.toFixed(1),
    Math.round(m.records / m.seconds).toLocaleString('en-US'),
    m.maxRssMiB.toFixed(0),
    (m.seconds / baseline.seconds).toFixed(2),
    (m.maxRssMiB / baseline.maxRssMiB).toFixed(2),
  ];
  rows.push(row('bare read, client only (baseline)', baseline, '-'));
  for (const s of syncs) {
    const events = s.summary.r + s.summary.c + s.summary.u + s.summary.d;
    rows.push(row(s.name, s.m, events.toLocaleString('en-US')));
  }
  console.log(`\n${table(rows)}`);
  console.log(
    '\nseconds = the work in the child (page loop / CLI command), wall s = child process including start and ' +
      'TypeScript compilation; time x and RSS x are against the bare read of the same pages in this run.\n' +
      `second sync: restore ${PINS.toLocaleString('en-US')} state records from ${prefix}.state, list every ` +
      'page again, emit nothing.'
  );
  if (problems.length > 0) {
    console.error(`\nPROBLEMS:\n- ${problems.join('\n- ')}`);
    process.exitCode = 1;
  }
}

async function deleteTopics(prefix: string): Promise<void> {
  const admin = new Kafka({
    brokers: BROKERS.split(','),
    clientId: 'bench-first-sync',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({topics});
  } finally {
    await admin.disconnect();
  }
}

const child = argValue('child');
const entry = child === 'baseline' ? childBaseline : child === 'sync' ? childSync : orchestrate;
entry().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
