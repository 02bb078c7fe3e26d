/**
 * SyncProgress (estimates from the sync hooks), its reporter (a live terminal line, or log lines per interval) and
 * the progress gauges. A fake clock and jest's fake timers; no seam stubbed beyond the terminal and logger sinks.
 */
import {Registry} from 'prom-client';

import {combineHooks} from '../../../src/sync';
import {Metrics, startProgressReporter, SyncProgress} from '../../../src/observability';

describe('SyncProgress', () => {
  it('estimates the records left from the previous sync of every running shard, and the time at the rate so far', () => {
    let now = 0;
    const progress = new SyncProgress(() => now);
    progress.onListingStarted('campaigns', 'a1', 600);
    progress.onListingStarted('campaigns', 'a2', 400);
    for (let i = 0; i < 4; i++) progress.onRecordsFetched('campaigns', 100);
    now = 2000;
    expect(progress.report()).toEqual([
      {
        collection: 'campaigns',
        running: 2,
        pages: 4,
        records: 400,
        seconds: 2,
        recordsPerSecond: 200,
        remainingRecords: 600,
        remainingSeconds: 3,
      },
    ]);
  });

  it('says nothing about what remains in a first sync (no previous count), and starts afresh next cycle', () => {
    let now = 0;
    const progress = new SyncProgress(() => now);
    progress.onListingStarted('pins', 'user', 50_000);
    progress.onListingStarted('pins', 'user2', undefined);
    progress.onRecordsFetched('pins', 250);
    now = 1000;
    const [first] = progress.report();
    expect(first).toMatchObject({pages: 1, records: 250, recordsPerSecond: 250});
    expect(first).not.toHaveProperty('remainingRecords');
    expect(first).not.toHaveProperty('remainingSeconds');
    progress.onListingDone('pins');
    progress.onListingDone('pins');
    expect(progress.report()[0]!.running).toBe(0);
    progress.onListingStarted('pins', 'user', 250);
    expect(progress.report()[0]).toMatchObject({running: 1, pages: 0, records: 0, remainingRecords: 250});
  });

  it('estimates an analytics shard from its planned report requests', () => {
    let now = 0;
    const progress = new SyncProgress(() => now);
    progress.onListingStarted('ad_analytics', 'a1', undefined);
    progress.onPagesPlanned('ad_analytics', 10);
    progress.onRecordsFetched('ad_analytics', 30);
    progress.onRecordsFetched('ad_analytics', 30);
    now = 4000;
    expect(progress.report()[0]).toMatchObject({remainingPages: 8, remainingSeconds: 16});
    expect(progress.report()[0]).not.toHaveProperty('remainingRecords');
  });
});

describe('progress reporter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes one log line per running collection every interval when stderr is not a terminal', () => {
    const progress = new SyncProgress(() => Date.now());
    const lines: [Record<string, unknown>, string][] = [];
    const stop = startProgressReporter({
      progress,
      logger: {info: ((fields: Record<string, unknown>, msg: string) => lines.push([fields, msg])) as never},
      intervalSeconds: 5,
    });
    progress.onListingStarted('pins', 'user', undefined);
    progress.onRecordsFetched('pins', 250);
    jest.advanceTimersByTime(4999);
    expect(lines).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toMatchObject({collection: 'pins', pages: 1, records: 250});
    expect(lines[0]![1]).toMatch(/^Sync progress: pins: 1 pages, 250 records .*remaining unknown/);
    progress.onListingDone('pins');
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(1);
    stop();
  });

  it('rewrites one live line on a terminal every second and clears it when stopped', () => {
    const progress = new SyncProgress(() => Date.now());
    let screen = '';
    const stop = startProgressReporter({
      progress,
      logger: {info: (() => {}) as never},
      terminal: {write: (text: string) => (screen += text)},
      intervalSeconds: 60,
    });
    progress.onListingStarted('ads', 'a1', 1000);
    progress.onRecordsFetched('ads', 200);
    jest.advanceTimersByTime(1000);
    expect(screen).toBe('\r\x1b[Kads: 1 pages, 200 records (200/s), ~800 records left, ~4 s');
    stop();
    expect(screen.endsWith('\r\x1b[K')).toBe(true);
  });
});

describe('progress gauges and hook combination', () => {
  it('exposes pages, records and the estimates per collection at scrape time; an unknown estimate has no series', async () => {
    const registry = new Registry();
    const metrics = new Metrics({registry, version: 't', defaultMetrics: false});
    const progress = new SyncProgress(() => 0);
    metrics.trackProgress(() => progress.report());
    const hooks = combineHooks(
      {onRecordsFetched: (c, n) => metrics.recordsFetched.inc({collection: c}, n)},
      progress.hooks()
    );
    hooks!.onListingStarted!('boards', 'user', undefined);
    hooks!.onRecordsFetched!('boards', 25);
    const text = await registry.metrics();
    expect(text).toContain('pinterest_cdc_sync_progress_pages{collection="boards"} 1');
    expect(text).toContain('pinterest_cdc_sync_progress_records{collection="boards"} 25');
    expect(text).toContain('pinterest_cdc_records_fetched_total{collection="boards"} 25');
    expect(text).not.toContain('pinterest_cdc_sync_progress_remaining_records{');
  });
});
