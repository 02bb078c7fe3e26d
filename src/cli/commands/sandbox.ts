/**
 * `sandbox [--port] [--seed] [--scale]`: runs the local Pinterest API v5 stand-in until SIGINT/SIGTERM.
 * Flags override the PINTEREST_SANDBOX_* environment (sandboxOptionsFromEnv).
 */
import type {Command} from 'commander';

import {CdcError, ConfigError} from '../../errors';
import {installShutdown} from '../../observability';
import {
  DEFAULT_SCALE,
  SCALE_PRESETS,
  describeSandbox,
  sandboxOptionsFromEnv,
  startSandbox,
  type SandboxOptions,
  type SandboxScale,
} from '../../sandbox';
import type {CliContext} from '../context';
import {integerFlag} from '../flags';

/** `small|medium|large`, a JSON object, or `key=value,...` of SandboxScale keys. */
export function parseScale(text: string): Partial<SandboxScale> {
  const trimmed = text.trim();
  const preset = SCALE_PRESETS[trimmed];
  if (preset) return preset;
  let entries: [string, unknown][];
  if (trimmed.startsWith('{')) {
    try {
      entries = Object.entries(JSON.parse(trimmed) as Record<string, unknown>);
    } catch {
      throw new ConfigError(['--scale: not valid JSON']);
    }
  } else {
    entries = trimmed
      .split(',')
      .filter((part) => part.trim() !== '')
      .map((part) => {
        const [key = '', value = ''] = part.split('=');
        return [key.trim(), /^\s*\d+\s*$/.test(value) ? Number(value) : value];
      });
  }
  const problems: string[] = [];
  const scale: Partial<SandboxScale> = {};
  for (const [key, value] of entries) {
    if (!Object.hasOwn(DEFAULT_SCALE, key)) {
      problems.push(
        `--scale: unknown key ${JSON.stringify(key)} (known: ${Object.keys(DEFAULT_SCALE).join(', ')})`
      );
    } else if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      problems.push(`--scale: ${key} must be a non-negative integer`);
    } else {
      scale[key as keyof SandboxScale] = value;
    }
  }
  if (entries.length === 0)
    problems.push(`--scale: expected ${Object.keys(SCALE_PRESETS).join('|')}, JSON or key=value,...`);
  if (problems.length > 0) throw new ConfigError(problems);
  return scale;
}

export function registerSandboxCommand(program: Command, ctx: CliContext): void {
  program
    .command('sandbox')
    .description('Run the local Pinterest API v5 sandbox (deterministic data, control API) until interrupted')
    .option('--port <port>', 'port (0 = any free port)', integerFlag(0, 65535))
    .option('--host <host>', 'address to listen on (default 127.0.0.1; 0.0.0.0 in a container network)')
    .option('--seed <seed>', 'data seed', integerFlag(0, Number.MAX_SAFE_INTEGER))
    .option(
      '--scale <scale>',
      'small|medium|large, JSON, or key=value,... (adAccounts=2,pins=100)',
      parseScale
    )
    .action(async (flags: {port?: number; host?: string; seed?: number; scale?: Partial<SandboxScale>}) => {
      const options: SandboxOptions = sandboxOptionsFromEnv(ctx.io.env);
      if (flags.port !== undefined) options.port = flags.port;
      if (flags.host !== undefined) options.host = flags.host;
      if (flags.seed !== undefined) options.seed = flags.seed;
      if (flags.scale !== undefined) options.scale = {...options.scale, ...flags.scale};
      const running = await startSandbox(options);
      ctx.io.stdout.write(`${describeSandbox(running).join('\n')}\n`);
      await new Promise<void>((resolve, reject) => {
        const shutdown = installShutdown({
          deadlineMs: 10_000,
          exit: (code) =>
            code === 0 ? resolve() : reject(new CdcError('sandbox did not stop cleanly', {retriable: false})),
          ...(ctx.io.signalSource ? {signalSource: ctx.io.signalSource} : {}),
        });
        shutdown.register('sandbox', () => running.close());
      });
      ctx.io.stderr.write('sandbox stopped\n');
    });
}
