/**
 * Progress of a long sync through the CLI: `pinterest-cdc run` (its own process, stdout not a terminal) syncs a
 * sandbox user with 150,000 pins into the test's Kafka twice in a row, with observability.progressIntervalSeconds
 * at 2 s, while the test scrapes /metrics every second.
 * - the first sync logs progress lines (pages, records, rate) and says the remainder is unknown (no earlier count);
 * - the second knows the count from the first and logs (and exposes) the records left and the time left;
 * - the gauges pinterest_cdc_sync_progress_{pages,records,remaining_records,remaining_seconds} follow the sync.
 */
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {MAX_PAGE_SIZE} from '../../../src/collections';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {BIN, runProcess, startCli} from '../helpers/cli';
import {freePort} from '../helpers/prometheus';
import {cliChildEnv} from '../helpers/service-env';

jest.setTimeout(600_000);

const PINS = 150_000;

interface ProgressLine {
  msg: string;
  collection: string;
  pages: number;
  records: number;
  remainingRecords?: number;
  remainingSeconds?: number;
}

type Sample = Record<string, number>;

describe('progress of a 150,000-pin sync through the CLI', () => {
  let sandbox: RunningSandbox;
  let tokens: string;

  beforeAll(async () => {
    sandbox = await startSandbox({scale: {adAccounts: 1, boards: 2, pins: PINS}});
    tokens = mkdtempSync(join(tmpdir(), 'cdc-progress-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    if (tokens) rmSync(tokens, {recursive: true, force: true});
  });

  it('logs progress lines every interval, estimates the rest once a count is known, and exposes the gauges', async () => {
    const port = await freePort();
    const service = startCli(
      ['--set', 'analytics.collections=', '--set', 'sync.collections=boards,pins', 'run'],
      cliChildEnv(sandbox, `progress_${randomBytes(4).toString('hex')}`, {
        PINTEREST_CDC_OBSERVABILITY__PROGRESS_INTERVAL_SECONDS: '2',
        // The next cycle starts as soon as one ends (each takes longer than this).
        PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '5',
        PINTEREST_CDC_PINTEREST__TOKEN_STORE: 'file',
        PINTEREST_CDC_PINTEREST__TOKEN_STORE_PATH: join(tokens, 'tokens.json'),
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(port),
        LOG_LEVEL: 'info',
      })
    );
    const logLines = () =>
      service
        .output()
        .stdout.split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as {msg: string});
    // The cycles that list pins: a fleet member starts cycling once its first task is restored, and that task may
    // not hold the pins shard (src/app/tasks.ts), so cycles before the first pins progress line do not count.
    const pinsCycleEnds = (lines: {msg: string}[]) => {
      const pinsFrom = lines.findIndex((l) => l.msg.startsWith('Sync progress: pins'));
      if (pinsFrom < 0) return [];
      return lines.flatMap((l, i) => (i > pinsFrom && l.msg === 'Sync cycle finished' ? [i] : []));
    };
    const cyclesDone = () => pinsCycleEnds(logLines()).length;

    // Scrape every second until two cycles are done (or the service ends, or 8 minutes pass).
    const samples: {cycle: number; values: Sample}[] = [];
    const deadline = Date.now() + 480_000;
    while (cyclesDone() < 2 && service.output().code === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      const values = await scrape(port);
      if (values) samples.push({cycle: cyclesDone(), values});
    }
    service.child.kill('SIGTERM');
    const ended = await service.done;
    const context = `exit ${ended.code}\nstderr:\n${ended.stderr.slice(-2000)}`;
    expect({cycles: cyclesDone(), context}).toEqual({cycles: 2, context});

    const all = logLines();
    const finishedAt = pinsCycleEnds(all);
    const pinsLines = (from: number, to: number) =>
      all.slice(from, to).filter((l) => l.msg.startsWith('Sync progress: pins')) as ProgressLine[];
    const firstCycle = pinsLines(0, finishedAt[0]!);
    const secondCycle = pinsLines(finishedAt[0]! + 1, finishedAt[1]!);

    // First sync: several lines (every 2 s over a sync of many seconds), growing, remainder unknown.
    expect(firstCycle.length).toBeGreaterThanOrEqual(3);
    for (const line of firstCycle) {
      expect(line.msg).toMatch(
        /^Sync progress: pins: [\d,]+ pages, [\d,]+ records \([\d,]+\/s\), remaining unknown/
      );
      expect(line.records).toBeGreaterThan(0);
      expect(line.records).toBeLessThanOrEqual(PINS);
      expect(line.remainingRecords).toBeUndefined();
    }
    const records = firstCycle.map((l) => l.records);
    expect(records).toEqual([...records].sort((a, b) => a - b));

    // Second sync: the first one's count gives the records left and the time left.
    expect(secondCycle.length).toBeGreaterThanOrEqual(1);
    for (const line of secondCycle) {
      expect(line.remainingRecords).toBe(PINS - line.records);
      expect(line.remainingSeconds).toBeGreaterThanOrEqual(0);
      expect(line.msg).toMatch(/records left, ~[\d,]+ s$/);
    }

    // Gauges: mid-way through the first sync (no estimate series), through the second (estimates), and the end.
    const midFirst = samples.filter(
      (s) => s.cycle === 0 && (s.values.records ?? 0) > 0 && (s.values.records ?? 0) < PINS
    );
    expect(midFirst.length).toBeGreaterThan(0);
    for (const s of midFirst) expect(s.values.remaining_records).toBeUndefined();
    const midSecond = samples.filter(
      (s) => s.cycle === 1 && (s.values.records ?? 0) > 0 && (s.values.records ?? 0) < PINS
    );
    expect(midSecond.length).toBeGreaterThan(0);
    for (const s of midSecond) {
      expect(s.values.remaining_records).toBe(PINS - s.values.records!);
      expect(s.values.remaining_seconds).toBeGreaterThan(0);
    }
    // Pages and records agree in every scrape (full pages of MAX_PAGE_SIZE), and the first sync was seen well under way.
    for (const {values} of samples.filter((s) => s.values.records !== undefined))
      expect(values.pages).toBe(Math.ceil(values.records! / MAX_PAGE_SIZE));
    expect(
      Math.max(...samples.filter((s) => s.cycle === 0).map((s) => s.values.records ?? 0))
    ).toBeGreaterThan(PINS / 2);
  });

  it('shows one live line on a terminal instead of log lines (stderr a TTY, through script(1))', async () => {
    const small = await startSandbox({scale: {adAccounts: 1, boards: 1, pins: 20_000}});
    try {
      const env = cliChildEnv(small, `progress_tty_${randomBytes(4).toString('hex')}`, {
        PINTEREST_CDC_OBSERVABILITY__PROGRESS_INTERVAL_SECONDS: '1',
        PINTEREST_CDC_PINTEREST__TOKEN_STORE: 'file',
        PINTEREST_CDC_PINTEREST__TOKEN_STORE_PATH: join(tokens, 'tty-tokens.json'),
        LOG_LEVEL: 'info',
      });
      const command = [
        process.execPath,
        BIN,
        '--set',
        'analytics.collections=',
        '--set',
        'sync.collections=pins',
        'sync',
      ]
        .map((arg) => `'${arg}'`)
        .join(' ');
      // script(1) gives the CLI a pseudo-terminal for stdout and stderr.
      const result = await runProcess('script', ['-qec', command, '/dev/null'], env);
      expect(result.code).toBe(0);
      // \r and ESC [K: the live line rewritten in place.
      const live = result.stdout.split('\r\x1b[K').slice(1);
      expect(
        live.some((l) => /^pins: [\d,]+ pages, [\d,]+ records \([\d,]+\/s\), remaining unknown/.test(l))
      ).toBe(true);
      expect(result.stdout).not.toContain('Sync progress');
      expect(result.stdout).toMatch(/pins\s+20000\s+20000/);
    } finally {
      await small.close();
    }
  });
});

/** The pins progress gauges of one scrape, keyed by suffix (`records`, `remaining_seconds`, ...). */
async function scrape(port: number): Promise<Sample | undefined> {
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return undefined; // not listening yet
  }
  const out: Sample = {};
  for (const match of text.matchAll(/^pinterest_cdc_sync_progress_(\w+)\{collection="pins"\} (\S+)$/gm))
    out[match[1]!] = Number(match[2]);
  return out;
}
