/**
 * The long-running part shared by `run` and `demo`: the /metrics /healthz /readyz server, the service loop, and
 * a graceful stop on SIGTERM/SIGINT within the configured deadline. Resolves with the exit code.
 */
import {Registry} from 'prom-client';

import {runService, type ServiceDeps} from '../app';
import type {AppConfig} from '../config';
import {installShutdown, Metrics, Readiness, startHttpServer, type Closer} from '../observability';
import {commandLogger, type CliContext} from './context';
import {startCommandProgress} from './progress';

export interface ServeOptions {
  /** Where log lines go (default stdout). */
  logTo?: 'stdout' | 'stderr';
  onCycle?: ServiceDeps['onCycle'];
  /** Run after the service stopped, in order (e.g. the demo's sandbox). */
  closers?: {name: string; close: Closer}[];
}

export async function serve(ctx: CliContext, config: AppConfig, options: ServeOptions = {}): Promise<number> {
  const logger = commandLogger(ctx, config, {to: options.logTo ?? 'stdout'});
  const registry = new Registry();
  const metrics = new Metrics({registry, version: ctx.version});
  const readiness = new Readiness({pipeline: 'starting'});
  const server = await startHttpServer({
    host: config.observability.metricsHost,
    port: config.observability.metricsPort,
    registry,
    health: readiness,
  });
  logger.info({url: server.url}, 'Serving /metrics, /healthz and /readyz');

  const progress = startCommandProgress(ctx, config, logger, metrics);
  const stop = new AbortController();
  let finished: Promise<void> = Promise.resolve();
  return new Promise<number>((resolve) => {
    const shutdown = installShutdown({
      deadlineMs: config.sync.shutdownTimeoutSeconds * 1000,
      logger,
      onBegin: () => {
        readiness.block('shutdown', 'shutting down');
        stop.abort();
      },
      exit: resolve,
      ...(ctx.io.signalSource ? {signalSource: ctx.io.signalSource} : {}),
    });
    shutdown.register('sync', () => finished);
    for (const closer of options.closers ?? []) shutdown.register(closer.name, closer.close);
    shutdown.register('http', () => server.close());
    shutdown.register('progress', () => Promise.resolve(progress.stop()));
    finished = runService({
      config,
      logger,
      metrics,
      readiness,
      version: ctx.version,
      signal: stop.signal,
      onCycle: options.onCycle,
      progress: progress.progress,
    }).then(
      () => {
        if (!shutdown.started) void shutdown.trigger('service stopped');
      },
      (error: unknown) => {
        logger.fatal({err: error instanceof Error ? error.message : String(error)}, 'Service failed');
        progress.stop();
        shutdown.dispose();
        void Promise.allSettled([server.close(), ...(options.closers ?? []).map((c) => c.close())]).finally(
          () => resolve(1)
        );
      }
    );
  });
}
