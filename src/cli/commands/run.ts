/**
 * `run`: the long-running service. Serves /metrics, /healthz and /readyz, syncs every `sync.intervalSeconds`,
 * and on SIGTERM/SIGINT stops between pages, commits what it diffed and exits 0 within the shutdown deadline.
 * Meant to be PID 1 in the container (`node dist/cli/main.js run`), not behind `npm start`.
 */
import type {Command} from 'commander';
import {Registry} from 'prom-client';

import {runService} from '../../app';
import {CdcError} from '../../errors';
import {secretValues} from '../../config';
import {createLogger, installShutdown, Metrics, Readiness, startHttpServer} from '../../observability';
import type {CliContext, GlobalOptions} from '../context';

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('Run the service: sync every interval, serve /metrics /healthz /readyz, stop cleanly on SIGTERM')
    .action(async (_flags: object, command: Command) => {
      const {config} = ctx.loadConfig(command.optsWithGlobals<GlobalOptions>());
      const logger = createLogger({
        level: config.observability.logLevel,
        format: config.observability.logFormat,
        secrets: secretValues(config),
        destination: {write: (line: string) => ctx.io.stdout.write(line)},
        base: {service: 'pinterest-cdc', version: ctx.version},
      });
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

      const stop = new AbortController();
      let finished: Promise<void> = Promise.resolve();
      const exitCode = await new Promise<number>((resolve) => {
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
        shutdown.register('http', () => server.close());
        finished = runService({config, logger, metrics, readiness, version: ctx.version, signal: stop.signal}).then(
          () => void shutdown.trigger('service stopped'),
          (error: unknown) => {
            logger.fatal?.({err: error instanceof Error ? error.message : String(error)}, 'Service failed');
            shutdown.dispose();
            void server.close().finally(() => resolve(1));
          }
        );
      });
      if (exitCode !== 0) throw new CdcError('The service stopped after a failure (see the log above)', {retriable: false});
    });
}
