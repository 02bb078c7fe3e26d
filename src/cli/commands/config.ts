/**
 * `config check`, `config print [--no-redacted] [--format yaml|json] [--sources]`, `config docs`,
 * `config example`. All offline: nothing here connects to Kafka, the registry or Pinterest (that is `check`).
 */
import {Command, Option} from 'commander';
import {stringify} from 'yaml';

import {redactConfig, renderConfigDocs, renderExampleConfig} from '../../config';
import type {ValueSource} from '../../config';
import type {CliContext, GlobalOptions} from '../context';

function describeSource(source: ValueSource | undefined): string {
  switch (source?.kind) {
    case 'env':
      return `env ${source.name}`;
    case 'file':
      return `file ${source.path}`;
    case 'flag':
      return 'flag --set';
    case 'default':
      return 'default';
    default:
      return 'unset';
  }
}

/** `3 from the environment, 2 from /etc/cdc.yaml, 31 defaults, 9 unset (optional)`. */
function summarizeSources(sources: readonly ValueSource[]): string {
  const order: ValueSource['kind'][] = ['flag', 'env', 'file', 'default', 'unset'];
  return order
    .map((kind) => {
      const matching = sources.filter((s) => s.kind === kind);
      const first = matching[0];
      if (first === undefined) return undefined;
      const where: Record<ValueSource['kind'], string> = {
        flag: 'from --set',
        env: 'from the environment',
        file: first.kind === 'file' ? `from ${first.path}` : '',
        default: 'defaults',
        unset: 'unset (optional)',
      };
      return `${matching.length} ${where[kind]}`;
    })
    .filter((part) => part !== undefined)
    .join(', ');
}

export function registerConfigCommand(program: Command, ctx: CliContext): void {
  const config = program
    .command('config')
    .description('Validate (offline), show and document the configuration');

  config
    .command('check')
    .description(
      'Validate the configuration offline: every problem at once (exit 2), or a one-line summary (exit 0)'
    )
    .action((_options: unknown, command: Command) => {
      const loaded = ctx.loadConfig(command.optsWithGlobals<GlobalOptions>());
      ctx.io.stdout.write(`Configuration OK: ${summarizeSources(Object.values(loaded.sources))}\n`);
    });

  config
    .command('print')
    .description('Validate the configuration and print it (secrets redacted unless --no-redacted)')
    .option('--redacted', 'replace secrets with "[redacted]" (default)', true)
    .option('--no-redacted', 'print secret values too (never in shared logs)')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--sources', 'print where each value came from instead of the values', false)
    .action((options: {redacted: boolean; format: 'yaml' | 'json'; sources: boolean}, command: Command) => {
      const loaded = ctx.loadConfig(command.optsWithGlobals<GlobalOptions>());
      if (options.sources) {
        const lines = Object.entries(loaded.sources).map(
          ([path, source]) => `${path}: ${describeSource(source)}`
        );
        ctx.io.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      const shown = options.redacted ? redactConfig(loaded.config) : loaded.config;
      ctx.io.stdout.write(
        options.format === 'json' ? `${JSON.stringify(shown, null, 2)}\n` : stringify(shown)
      );
    });

  config
    .command('docs')
    .description('Print the settings reference (docs/configuration.md) as markdown')
    .action(() => {
      ctx.io.stdout.write(renderConfigDocs());
    });

  config
    .command('example')
    .description('Print an annotated example config file (config/example.yaml)')
    .action(() => {
      ctx.io.stdout.write(renderExampleConfig());
    });
}
