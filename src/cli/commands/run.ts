/**
 * `run`: the long-running service. Serves /metrics, /healthz and /readyz, syncs every `sync.intervalSeconds`,
 * and on SIGTERM/SIGINT stops between pages, commits what it diffed and exits 0 within the shutdown deadline.
 * Meant to be PID 1 in the container (`node dist/cli/main.js run`), not behind `npm start`.
 */
import type {Command} from 'commander';

import {CdcError} from '../../errors';
import type {CliContext, GlobalOptions} from '../context';
import {serve} from '../serve';

export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description(
      'Run the service: sync every interval, serve /metrics /healthz /readyz, stop cleanly on SIGTERM'
    )
    .action(async (_flags: object, command: Command) => {
      const {config} = ctx.loadConfig(command.optsWithGlobals<GlobalOptions>());
      const exitCode = await serve(ctx, config);
      if (exitCode !== 0)
        throw new CdcError('The service stopped after a failure (see the log above)', {retriable: false});
    });
}
