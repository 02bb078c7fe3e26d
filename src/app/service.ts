import type {AppConfig} from '../config';
import {FencedError} from '../errors';
import type {Metrics, Readiness} from '../observability';
import {InvalidClientError, ReauthorizationRequiredError} from '../pinterest';
import {StateDivergedError, SyncAbortedError, type CycleSummary, type SyncLogger} from '../sync';
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
 * The long-running service: open the pipeline (ready once state is restored), then one cycle every
 * `sync.intervalSeconds`. A failed cycle is logged and retried at the next interval. When a batch's outcome is
 * unknown (the in-memory state may be ahead of Kafka) the pipeline is reopened, which rebuilds state from the
 * changelog as a restart would; only a fenced producer (another instance took over) ends the service.
 */
export async function runService(deps: ServiceDeps): Promise<void> {
  const {config, logger, metrics, readiness, signal} = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const open = async (): Promise<Pipeline> => {
    readiness.block('pipeline', 'restoring state from the changelog');
    const opened = await openPipeline(config, {logger, metrics, version: deps.version});
    metrics.trackBudget(() => opened.client.budget());
    readiness.satisfy('pipeline');
    return opened;
  };
  announceTokenProtection(config, logger);
  let pipeline: Pipeline = await open();
  let lastFailure: string | undefined;
  readiness.addNotes(() => [
    ...metrics.pausedCategories().map((p) => `${p.category} paused by a spent daily quota until ${p.until}`),
    ...(lastFailure ? [`last sync cycle failed: ${lastFailure}`] : []),
  ]);
  try {
    while (!signal.aborted) {
      const started = now();
      try {
        const summary = await pipeline.runCycle({signal});
        metrics.cycleDuration.observe({kind: 'entities'}, (now() - started) / 1000);
        for (const listing of summary.listings) {
          if (listing.outcome === 'complete')
            metrics.lastSuccessfulCycleTimestamp.set({collection: listing.collection}, now() / 1000);
        }
        setTrackedEntities(pipeline, metrics);
        logger.info(
          {syncId: summary.syncId, seconds: summary.durationSeconds, skipped: summary.skipped.length},
          'Sync cycle finished'
        );
        lastFailure = undefined;
        deps.onCycle?.(summary);
      } catch (error) {
        if (error instanceof SyncAbortedError) break;
        if (error instanceof FencedError) throw error;
        if (error instanceof StateDivergedError) {
          // A batch's outcome is unknown (e.g. the broker died during a commit): the in-memory state may be ahead
          // of Kafka. Rebuild it from the changelog, as a restart would, and go on (nothing lost, nothing doubled).
          logger.warn({err: error.message}, 'State may be ahead of Kafka; rebuilding it from the changelog');
          await pipeline.close();
          pipeline = await reopenPipeline(open, signal, sleep, logger);
          continue;
        }
        lastFailure = error instanceof Error ? error.message : String(error);
        // The token manager said it once, with what to do; the service stays up (not ready) until a token works.
        if (error instanceof ReauthorizationRequiredError || error instanceof InvalidClientError)
          logger.debug({err: lastFailure}, 'Sync cycle failed: Pinterest credentials');
        else logger.error({err: lastFailure}, 'Sync cycle failed; retrying at the next interval');
      }
      const authorization = metrics.authorizationProblem();
      if (authorization) readiness.block('pinterest', authorization);
      else readiness.satisfy('pinterest');
      const next = started + config.sync.intervalSeconds * 1000;
      await sleep(Math.max(0, next - now()), signal);
    }
  } finally {
    readiness.block('pipeline', 'stopped');
    await pipeline.close();
  }
}

/** Opens the pipeline again, retrying while Kafka or the registry is unreachable (e.g. a broker restarting). */
export async function reopenPipeline(
  open: () => Promise<Pipeline>,
  signal: AbortSignal,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  logger: SyncLogger
): Promise<Pipeline> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (signal.aborted) throw error;
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
