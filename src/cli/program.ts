/** The commander program: global options and every command, each registered by its own module. */
import {Command} from 'commander';

import {registerCheckCommand} from './commands/check';
import {registerConfigCommand} from './commands/config';
import {registerDemoCommand} from './commands/demo';
import {registerSandboxCommand} from './commands/sandbox';
import {registerSchemasCommand} from './commands/schemas';
import {registerRunCommand} from './commands/run';
import {registerSyncCommand} from './commands/sync';
import {registerTokenCommand} from './commands/token';
import type {CliContext} from './context';

/** A command module: adds itself (and its subcommands) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** In order of `--help`; the lead adds run, sync, check, schemas, demo here. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerRunCommand,
  registerSyncCommand,
  registerDemoCommand,
  registerCheckCommand,
  registerSchemasCommand,
  registerTokenCommand,
  registerConfigCommand,
  registerSandboxCommand,
];

export function createProgram(ctx: CliContext, commands: readonly RegisterCommand[] = COMMANDS): Command {
  const program = new Command('pinterest-cdc')
    .description('Change data capture from the Pinterest Ads API v5 into Kafka')
    .version(ctx.version)
    .option('-c, --config <path>', 'YAML config file (default: $PINTEREST_CDC_CONFIG)')
    .option(
      '--set <path=value>',
      'override one setting, e.g. --set kafka.partitions=6 (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value]
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout.write(text),
      writeErr: (text) => ctx.io.stderr.write(text),
    })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commands) register(program, ctx);
  // Subcommands inherit exit override and output from the program.
  return program;
}
