import type {AppConfig} from '../config';
import {CdcError, FencedError} from '../errors';
import {OwnerIdentity} from '../kafka';
import type {Metrics, Readiness} from '../observability';
import {StateDivergedError, type CycleSummary, type SyncLogger, type UnitKind} from '../sync';
import {openPipeline, type Pipeline} from './pipeline';
import {announceTokenProtection} from './token-storage';

export interface ServiceDeps {
  readonly config: AppConfig;
  readonly logger: SyncLogger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly version: string;
  /** Aborted on shutdown: the running listing stops between pages, commits what it diffed, and the loop ends. */
  readonly signal: AbortSignal;
  readonly onCycle?: (summary: CycleSummary) => void;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

/**
 * The long-running service: open the pipeline (ready once state is restored), then cycles: entity listings every
 * `sync.intervalSeconds`, analytics windows every `analytics.intervalSeconds`; a kind that falls due while a
 * cycle runs starts when that cycle ends. A listing that fails is logged and tried again in its kind's next cycle.
 * When a batch's outcome is unknown (the in-memory state may be ahead of Kafka) the pipeline is reopened, which
 * rebuilds state from the changelog as a restart would; only a fenced producer (another instance took over) ends
 * the service.
 */
export async function runService(deps: ServiceDeps): Promise<void> {
  const {config, logger, metrics, readiness, signal} = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  // One owner for the life of the service: a reopen checks this process's claim on the transactional id rather
  // than claiming it again (which would take it back from a newer instance).
  const owner = new OwnerIdentity();
  const open = async (): Promise<Pipeline> => {
    readiness.block('pipeline', 'restoring state from the changelog');
    const opened = await openPipeline(config, {logger, metrics, version: deps.version, owner});
    for (const [connection, client] of opened.clients) metrics.trackBudget(() => client.budget(), connection);
    readiness.satisfy('pipeline');
    return opened;
  };
  announceTokenProtection(config, logger);
  // The first start retries what may pass (a broker still electing leaders, a registry still starting); a
  // configuration the cluster refuses (an incompatible schema, bad credentials) fails at once.
  let pipeline: Pipeline = await reopenPipeline(open, signal, sleep, logger, isRetriable);
  let lastFailure: string | undefined;
  const partialAuthorization = () => {
    const problems = metrics.authorizationProblems();
    return problems.length > 0 && problems.length < pipeline.clients.size
      ? problems.map((p) => `connection ${p.connection} cannot authenticate: ${p.problem}`)
      : [];
  };
  readiness.addNotes(() => [
    ...metrics
      .pausedCategories()
      .map(
        (p) => `${p.category} of ${p.connection} paused by a spent daily quota until ${p.until.toISOString()}`
      ),
    ...partialAuthorization(),
    ...(lastFailure ? [`last sync cycle failed: ${lastFailure}`] : []),
  ]);
  const cadence = new Cadence(
    {
      entities: config.sync.intervalSeconds * 1000,
      ...(config.analytics.collections.length > 0
        ? {analytics: config.analytics.intervalSeconds * 1000}
        : {}),
    },
    now()
  );
  try {
    while (!signal.aborted) {
      const started = now();
      const kinds = cadence.due(started);
      if (kinds.length === 0) {
        await sleep(Math.max(0, cadence.next() - started), signal);
        // Never a busy loop, even with a sleep that returns early: let timers and I/O run before looking again.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      let summary: CycleSummary;
      try {
        summary = await pipeline.runCycle({signal, kinds});
      } catch (error) {
        // runCycle records listing failures in its summary; anything thrown here is unexpected.
        lastFailure = error instanceof Error ? error.message : String(error);
        logger.error({err: lastFailure}, 'Sync cycle failed; retrying at the next interval');
        cadence.ran(kinds, started);
        continue;
      }
      // Not ready only while no connection can authenticate: the others' work goes on (and says so in notes).
      const authorization = metrics.authorizationProblem();
      const refused = metrics.authorizationProblems().length;
      if (authorization && refused >= pipeline.clients.size) readiness.block('pinterest', authorization);
      else readiness.satisfy('pinterest');
      if (summary.fatal instanceof FencedError) throw summary.fatal;
      if (summary.fatal instanceof StateDivergedError) {
        // A batch's outcome is unknown (e.g. the broker died during a commit): the in-memory state may be ahead
        // of Kafka. Rebuild it from the changelog, as a restart would, and go on (nothing lost, nothing doubled).
        logger.warn(
          {err: summary.fatal.message},
          'State may be ahead of Kafka; rebuilding it from the changelog'
        );
        await pipeline.close();
        pipeline = await reopenPipeline(open, signal, sleep, logger);
        continue;
      }
      if (signal.aborted) break;
      cadence.ran(kinds, started);
      for (const kind of kinds) metrics.cycleDuration.observe({kind}, (now() - started) / 1000);
      for (const listing of summary.listings) {
        if (listing.outcome === 'complete')
          metrics.lastSuccessfulCycleTimestamp.set({collection: listing.collection}, now() / 1000);
      }
      setTrackedEntities(pipeline, metrics);
      lastFailure = summary.failed[0]
        ? `${summary.failed.length} listing(s) failed, e.g. ${summary.failed[0].collection} (${summary.failed[0].shard}): ${summary.failed[0].message}`
        : undefined;
      const fields = {
        syncId: summary.syncId,
        kinds,
        seconds: summary.durationSeconds,
        skipped: summary.skipped.length,
        failed: summary.failed.length,
      };
      // While Pinterest refuses the credentials every listing fails alike: the token manager said so once, with
      // what to do; the service stays up (not ready) until a token works.
      if (lastFailure && authorization)
        logger.debug({...fields, err: lastFailure}, 'Sync cycle blocked by Pinterest credentials');
      else if (lastFailure)
        logger.error(
          {...fields, err: lastFailure},
          'Sync cycle finished with failures; they are retried next cycle'
        );
      else logger.info(fields, 'Sync cycle finished');
      deps.onCycle?.(summary);
    }
  } finally {
    readiness.block('pipeline', 'stopped');
    await pipeline.close();
  }
}

/** When each kind of work is next due, from its interval and the start of its last cycle. */
export class Cadence {
  private readonly nextDue = new Map<UnitKind, number>();

  constructor(
    private readonly intervalsMs: Partial<Record<UnitKind, number>>,
    startMs: number
  ) {
    for (const kind of Object.keys(intervalsMs) as UnitKind[]) this.nextDue.set(kind, startMs);
  }

  due(nowMs: number): UnitKind[] {
    return [...this.nextDue].filter(([, at]) => at <= nowMs).map(([kind]) => kind);
  }

  ran(kinds: readonly UnitKind[], startedMs: number): void {
    for (const kind of kinds) this.nextDue.set(kind, startedMs + (this.intervalsMs[kind] ?? 0));
  }

  next(): number {
    return Math.min(...this.nextDue.values());
  }
}

/**
 * Opens the pipeline again, retrying while Kafka or the registry is unreachable (e.g. a broker restarting); not
 * when another instance has taken the transactional id over (FencedError).
 */
export async function reopenPipeline(
  open: () => Promise<Pipeline>,
  signal: AbortSignal,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  logger: SyncLogger,
  retryIf: (error: unknown) => boolean = () => true
): Promise<Pipeline> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      // Another instance took the transactional id while this one was reopening: stop, as a fenced writer does.
      if (signal.aborted || error instanceof FencedError || !retryIf(error)) throw error;
      const delayMs = Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));
      logger.warn(
        {attempt, delayMs, err: error instanceof Error ? error.message : String(error)},
        'Reopening the pipeline failed; retrying'
      );
      await sleep(delayMs, signal);
    }
  }
}

function setTrackedEntities(pipeline: Pipeline, metrics: Metrics): void {
  const totals = new Map<string, number>();
  for (const shard of pipeline.state.all())
    totals.set(shard.collection, (totals.get(shard.collection) ?? 0) + shard.size);
  for (const [collection, count] of totals) metrics.trackedEntities.set({collection}, count);
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, {once: true});
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

function isRetriable(error: unknown): boolean {
  return error instanceof CdcError && error.retriable;
}
