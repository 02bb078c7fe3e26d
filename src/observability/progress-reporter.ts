/**
 * Shows SyncProgress while a sync runs: on a terminal one live line on stderr, rewritten every second; otherwise
 * (a pod, a pipe) one log line per running collection every `observability.progressIntervalSeconds`
 * (notes/style-and-ecosystem.md §6: progress as structured log lines, a TTY bar only on a TTY).
 */
import type {Logger} from './logger';
import {describeProgress, type SyncProgress} from './progress';

export interface ProgressReporterOptions {
  progress: SyncProgress;
  logger: Pick<Logger, 'info'>;
  /** The terminal, when stderr is one; log lines otherwise. */
  terminal?: {write(text: string): unknown};
  intervalSeconds: number;
}

const LIVE_REFRESH_MS = 1000;

/** Starts reporting; the returned function stops it (and clears the live line). */
export function startProgressReporter(options: ProgressReporterOptions): () => void {
  const {progress, logger, terminal} = options;
  let shown = false;
  const tick = () => {
    const running = progress.report().filter((p) => p.running > 0);
    if (terminal) {
      if (running.length === 0 && !shown) return;
      const text = running.map(describeProgress).join(' | ');
      // \r + erase line: the line is rewritten in place; cut to one screen line.
      terminal.write(`\r\x1b[K${text.slice(0, 200)}`);
      shown = running.length > 0;
      return;
    }
    for (const p of running) {
      logger.info(
        {
          collection: p.collection,
          listings: p.running,
          pages: p.pages,
          records: p.records,
          recordsPerSecond: Math.round(p.recordsPerSecond),
          ...(p.remainingRecords === undefined ? {} : {remainingRecords: p.remainingRecords}),
          ...(p.remainingPages === undefined ? {} : {remainingRequests: p.remainingPages}),
          ...(p.remainingSeconds === undefined ? {} : {remainingSeconds: Math.round(p.remainingSeconds)}),
        },
        `Sync progress: ${describeProgress(p)}`
      );
    }
  };
  const timer = setInterval(tick, terminal ? LIVE_REFRESH_MS : options.intervalSeconds * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (terminal && shown) terminal.write('\r\x1b[K');
  };
}
