/**
 * Progress of long syncs, per collection: pages and records read by its running listings, and what remains when
 * it can be known. An entity listing expects as many records as its shard tracked after the previous complete
 * sync (a first sync has no such count: its remainder is unknown); an analytics shard plans its report requests
 * up front, so its remaining requests are known. The time left is the remainder over the rate so far.
 * Fed by the sync hooks; read by the reporter (a live line on a terminal, else a log line every interval) and the
 * /metrics gauges.
 */

export interface CollectionProgress {
  readonly collection: string;
  /** Listings of this collection running now (one per shard). */
  readonly running: number;
  readonly pages: number;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** Records still to read, when every running shard has a count from its previous sync. */
  readonly remainingRecords?: number;
  /** Requests still to make, when every running shard planned them (analytics). */
  readonly remainingPages?: number;
  /** Time left at the rate so far, when a remainder is known and something was read. */
  readonly remainingSeconds?: number;
}

interface Run {
  running: number;
  pages: number;
  records: number;
  startedMs: number;
  expectedRecords: number | undefined;
  /** Requests planned up front (analytics); 0 = none planned (entity listings). */
  plannedPages: number;
}

/** The hooks the sync stages call (a subset of SyncHooks: src/sync/ports.ts). */
export interface ProgressHooks {
  onListingStarted(collection: string, shard: string, expectedRecords: number | undefined): void;
  onPagesPlanned(collection: string, pages: number): void;
  onRecordsFetched(collection: string, count: number): void;
  onListingDone(collection: string): void;
}

export class SyncProgress implements ProgressHooks {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The hooks as a plain object of functions (what the sync's hook combiner expects). */
  hooks(): ProgressHooks {
    return {
      onListingStarted: (collection, shard, expected) => this.onListingStarted(collection, shard, expected),
      onPagesPlanned: (collection, pages) => this.onPagesPlanned(collection, pages),
      onRecordsFetched: (collection, count) => this.onRecordsFetched(collection, count),
      onListingDone: (collection) => this.onListingDone(collection),
    };
  }

  onListingStarted(collection: string, _shard: string, expectedRecords: number | undefined): void {
    const run = this.runs.get(collection);
    if (!run || run.running === 0) {
      // The collection's first listing of this cycle: start counting afresh.
      this.runs.set(collection, {
        running: 1,
        pages: 0,
        records: 0,
        startedMs: this.now(),
        expectedRecords,
        plannedPages: 0,
      });
      return;
    }
    run.running += 1;
    run.expectedRecords =
      run.expectedRecords === undefined || expectedRecords === undefined
        ? undefined
        : run.expectedRecords + expectedRecords;
  }

  onPagesPlanned(collection: string, pages: number): void {
    const run = this.runs.get(collection);
    if (run) run.plannedPages += pages;
  }

  onRecordsFetched(collection: string, count: number): void {
    const run = this.runs.get(collection);
    if (!run) return;
    run.pages += 1;
    run.records += count;
  }

  onListingDone(collection: string): void {
    const run = this.runs.get(collection);
    if (run && run.running > 0) run.running -= 1;
  }

  /** Every collection seen, running or finished (its last figures). */
  report(): CollectionProgress[] {
    const now = this.now();
    return [...this.runs].map(([collection, run]) => {
      const seconds = Math.max(0, (now - run.startedMs) / 1000);
      const recordsPerSecond = seconds > 0 ? run.records / seconds : 0;
      const pagesPerSecond = seconds > 0 ? run.pages / seconds : 0;
      // An entity listing plans no pages; an analytics one expects no record count.
      const plannedPages = run.plannedPages > 0 ? run.plannedPages : undefined;
      const remainingRecords =
        run.expectedRecords === undefined || plannedPages !== undefined
          ? undefined
          : Math.max(0, run.expectedRecords - run.records);
      const remainingPages = plannedPages === undefined ? undefined : Math.max(0, plannedPages - run.pages);
      const remainingSeconds =
        remainingRecords !== undefined && recordsPerSecond > 0
          ? remainingRecords / recordsPerSecond
          : remainingPages !== undefined && pagesPerSecond > 0
            ? remainingPages / pagesPerSecond
            : undefined;
      return {
        collection,
        running: run.running,
        pages: run.pages,
        records: run.records,
        seconds,
        recordsPerSecond,
        ...(remainingRecords === undefined ? {} : {remainingRecords}),
        ...(remainingPages === undefined ? {} : {remainingPages}),
        ...(remainingSeconds === undefined ? {} : {remainingSeconds}),
      };
    });
  }
}

/** `pins: 412 pages, 102,400 records (1,530/s), ~47,600 left, ~31 s` (a first sync: `remaining unknown`). */
export function describeProgress(p: CollectionProgress): string {
  const n = (value: number) => Math.round(value).toLocaleString('en-US');
  const left =
    p.remainingRecords !== undefined
      ? `~${n(p.remainingRecords)} records left`
      : p.remainingPages !== undefined
        ? `~${n(p.remainingPages)} requests left`
        : 'remaining unknown (no count from a previous sync)';
  const eta = p.remainingSeconds === undefined ? '' : `, ~${n(p.remainingSeconds)} s`;
  return `${p.collection}: ${n(p.pages)} pages, ${n(p.records)} records (${n(p.recordsPerSecond)}/s), ${left}${eta}`;
}
