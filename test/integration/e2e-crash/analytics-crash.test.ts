/**
 * Analytics exactly once across crashes, end to end through the CLI (issue 9): `pinterest-cdc sync --once` runs as
 * a child process against an in-process sandbox (320 ads, 4 analytics levels, a 120-day backfill that needs async
 * reports) and is SIGKILLed mid-backfill several times, at random analytics requests (plus a random delay, so the
 * kill lands anywhere: mid-answer, mid-transaction, mid-commit), then allowed to finish. A read_committed consumer
 * must then see one `r` per row of the sandbox's analytics truth, and nothing else. Then restatements are made on
 * command, a run is killed mid-restatement, one completes, and the new events must be exactly the rows the
 * restatements changed (one `u` each, at every level), with the topic's last image of every row equal to the
 * truth; a last run emits nothing.
 *
 * Seed the kill points with CRASH_SEED=<n> (printed) to repeat a run's choices.
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import path from 'node:path';

import {addDays, todayUtc} from '../../../src/pinterest/dates';
import {TRUTH_COLUMNS, type RunningSandbox} from '../../../src/sandbox';
import {startAnalyticsSandbox} from '../../unit/analytics/analytics-sandbox';
import {analyticsView, type AnalyticsView} from '../helpers/analytics-truth';
import {readCommitted, type ConsumedMessage} from '../helpers/committed-events';
import {crashSeed, seededRandomInt} from '../helpers/seeded-random';
import {cliChildEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin', 'pinterest-cdc.js');
const ANALYTICS = ['ad_account_analytics', 'campaign_analytics', 'ad_group_analytics', 'ad_analytics'];
const COLUMNS = TRUTH_COLUMNS;
const RUN_TIMEOUT_MS = 120_000;

const seed = crashSeed();
const randomInt = seededRandomInt(seed);

interface Summary {
  syncId: string;
  collections: Record<string, {fetched: number; r: number; c: number; u: number; d: number}>;
}

interface Envelope {
  op: string;
  after: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
  source: {sync_id: string};
}

const log: string[] = [];

describe('analytics through sync --once survive SIGKILL (exactly once, read_committed)', () => {
  let sandbox: RunningSandbox;
  let adAccountId: string;
  const prefix = `acrash${randomBytes(4).toString('hex')}`;
  const today = todayUtc(Date.now());
  const startDate = addDays(today, -120);

  beforeAll(async () => {
    ({sandbox, adAccountId} = await startAnalyticsSandbox(11));
    view = analyticsView({
      sandbox,
      adAccountId,
      prefix,
      collections: ANALYTICS,
      columns: COLUMNS,
      startDate,
      endDate: today,
    });
  });

  afterAll(async () => {
    await sandbox?.close();
    console.log(`analytics crash test (CRASH_SEED=${seed}, prefix ${prefix}):\n${log.join('\n')}`);
  });

  function childEnv(): NodeJS.ProcessEnv {
    return cliChildEnv(sandbox, prefix, {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      SCHEMA_REGISTRY_URL: schemaRegistryUrl(),
      PINTEREST_CDC_SYNC__COLLECTIONS: 'ad_accounts,campaigns,ad_groups,ads',
      PINTEREST_CDC_ANALYTICS__COLLECTIONS: ANALYTICS.join(','),
      PINTEREST_CDC_ANALYTICS__START_DATE: startDate,
      PINTEREST_CDC_ANALYTICS__COLUMNS: COLUMNS.join(','),
      PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '40',
      LOG_LEVEL: 'info',
    });
  }

  const analyticsRequests = () => sandbox.control.stats().requests.byCategory.ads_analytics ?? 0;

  /** One `sync --once --json` child; with `killAt`, SIGKILLed once the sandbox served that many analytics requests. */
  async function runSync(
    options: {killAt?: number; killDelayMs?: number; finishing?: 'allowed'} = {}
  ): Promise<{stdout: string; killed: boolean}> {
    sandbox.control.resetStats();
    const child = spawn(process.execPath, [CLI, 'sync', '--once', '--json'], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let armed = false;
    let killTimer: NodeJS.Timeout | undefined;
    const poll =
      options.killAt === undefined
        ? undefined
        : setInterval(() => {
            if (armed || analyticsRequests() < options.killAt!) return;
            armed = true;
            killTimer = setTimeout(() => child.kill('SIGKILL'), options.killDelayMs ?? 0);
          }, 1);
    const guard = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s]))
    );
    clearInterval(poll);
    clearTimeout(guard);
    clearTimeout(killTimer);
    const tail = `\n--- stderr (tail) ---\n${stderr.slice(-3000)}\n--- stdout ---\n${stdout}`;
    if (options.killAt === undefined && code !== 0)
      throw new Error(`sync --once exited with ${code ?? signal}${tail}`);
    // A run that finished cleanly before its kill point (the backfill left had fewer requests than the random
    // target) is a run without a kill, not a failure; the caller counts kills.
    if (options.killAt !== undefined && options.finishing === 'allowed' && code === 0)
      return {stdout, killed: false};
    if (options.killAt !== undefined && signal !== 'SIGKILL')
      throw new Error(
        `the run was meant to be killed at analytics request ${options.killAt} but ended with ${code}${tail}`
      );
    return {stdout, killed: signal === 'SIGKILL'};
  }

  const read = async (): Promise<ConsumedMessage[]> =>
    readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: ANALYTICS.map((c) => `${prefix}.${c}`),
    });
  let view: AnalyticsView;

  const position = (m: ConsumedMessage) => `${m.topic}:${m.partition}:${m.offset}`;
  let backfillPositions = new Set<string>();

  test('backfill: SIGKILLed 3 times mid-backfill, then one complete run: one r per truth row', async () => {
    let kills = 0;
    for (let k = 1; k <= 3; k++) {
      const killAt = randomInt(2, 9);
      const killDelayMs = randomInt(0, 400);
      const {killed} = await runSync({killAt, killDelayMs, finishing: k === 1 ? undefined : 'allowed'});
      if (killed) kills += 1;
      const committed = (await read()).filter((m) => m.value !== null);
      log.push(
        killed
          ? `backfill kill ${k}: after analytics request ${killAt} + ${killDelayMs} ms; ${committed.length} events committed so far`
          : `backfill run ${k}: finished before analytics request ${killAt}; ${committed.length} events committed`
      );
    }
    expect(kills).toBeGreaterThanOrEqual(1);
    await runSync();
    const messages = await read();
    const events = messages.filter((m) => m.value !== null);
    const ops = new Set(events.map((m) => (m.value as unknown as Envelope).op));
    expect(ops).toEqual(new Set(['r']));
    const keys = events.map((m) => view.keyText(view.collectionOf(m), m.key));
    const doubled = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(doubled).toEqual([]);
    expect(view.lastImages(messages)).toEqual(view.truth());
    backfillPositions = new Set(messages.map(position));
    log.push(
      `backfill: ${events.length} r events (${ANALYTICS.map((c) => `${c} ${events.filter((m) => view.collectionOf(m) === c).length}`).join(', ')})`
    );
  });

  test('restatements: a run killed mid-restatement, then one complete: one u per changed row, nothing else', async () => {
    expect(backfillPositions.size).toBeGreaterThan(0);
    const before = view.truth();
    const res = await fetch(`${sandbox.controlUrl}/changes`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({
        changes: [
          {kind: 'restate', collection: 'ad_analytics', adAccountId, days: 25, count: 12},
          {kind: 'restate', collection: 'ad_group_analytics', adAccountId, days: 25, count: 4},
        ],
      }),
    });
    expect(res.status).toBe(200);
    const after = view.truth();
    const changed = [...after].filter(
      ([key, row]) => JSON.stringify(before.get(key)) !== JSON.stringify(row)
    );
    expect(changed.length).toBeGreaterThanOrEqual(16);

    const killAt = randomInt(1, 3);
    const killDelayMs = randomInt(0, 300);
    // A restatement cycle makes a handful of requests and can end within the kill delay: each analytics answer
    // takes 1 s here, so the kill always lands inside the run (mid-answer or mid-commit of an earlier one).
    sandbox.control.setFaults({latencyMs: 1000, pathPattern: '/analytics$'});
    try {
      await runSync({killAt, killDelayMs});
    } finally {
      sandbox.control.clearFaults();
    }
    await runSync();
    const all = await read();
    const fresh = all.filter((m) => !backfillPositions.has(position(m)));
    const events = fresh.filter((m) => m.value !== null);
    const problems: string[] = [];
    const seen = new Set<string>();
    const expected = new Map(changed);
    for (const m of events) {
      const key = view.keyText(view.collectionOf(m), m.key);
      const value = m.value as unknown as Envelope;
      if (value.op !== 'u') problems.push(`${key}: ${value.op}`);
      if (seen.has(key)) problems.push(`${key}: twice`);
      seen.add(key);
      if (!expected.has(key)) problems.push(`${key}: not a changed row`);
      else if (JSON.stringify(view.figures(value.after)) !== JSON.stringify(expected.get(key)))
        problems.push(`${key}: after differs from the truth`);
      else if (JSON.stringify(view.figures(value.before)) !== JSON.stringify(before.get(key)))
        problems.push(`${key}: before differs from the truth before the change`);
    }
    for (const key of expected.keys()) if (!seen.has(key)) problems.push(`${key}: no event`);
    expect(problems).toEqual([]);
    expect(view.lastImages(all)).toEqual(after);
    log.push(
      `restatement kill: after analytics request ${killAt} + ${killDelayMs} ms; ${changed.length} rows changed, ${events.length} u events`
    );

    // Nothing changed since: the next run emits nothing.
    const idle = JSON.parse((await runSync()).stdout.trim().split('\n').pop()!) as Summary;
    for (const collection of ANALYTICS) {
      const t = idle.collections[collection];
      expect([collection, t ? t.r + t.c + t.u + t.d : 0]).toEqual([collection, 0]);
    }
    expect(await read()).toHaveLength(all.length);
  });
});
