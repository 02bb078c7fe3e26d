/** Progress of long syncs for a command: the tracker, its /metrics gauges and its reporter on stderr or the log. */
import type {AppConfig} from '../config';
import {startProgressReporter, SyncProgress, type Logger, type Metrics} from '../observability';
import type {CliContext} from './context';

export function startCommandProgress(
  ctx: CliContext,
  config: AppConfig,
  logger: Logger,
  metrics: Metrics
): {progress: SyncProgress; stop: () => void} {
  const progress = new SyncProgress();
  metrics.trackProgress(() => progress.report());
  const stderr = ctx.io.stderr as {isTTY?: boolean; write(text: string): unknown};
  const stop = startProgressReporter({
    progress,
    logger,
    ...(stderr.isTTY === true ? {terminal: stderr} : {}),
    intervalSeconds: config.observability.progressIntervalSeconds,
  });
  return {progress, stop};
}
