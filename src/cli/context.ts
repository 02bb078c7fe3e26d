/** What every command gets: output streams, the environment, the version, and config loading from flags. */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {ConfigError} from '../errors';
import {loadConfigWithSources, secretValues, type AppConfig, type LoadedConfig} from '../config';
import {createLogger, type Logger} from '../observability';

export interface Writable {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Input for commands that read it (`token set --stdin`); default `process.stdin`. */
  stdin?: AsyncIterable<string | Buffer>;
  /** Signals for long-running commands (default `process`). */
  signalSource?: {
    on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
    off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  };
}

/** Global options every command sees (`command.optsWithGlobals()`). */
export interface GlobalOptions {
  config?: string;
  set?: string[];
}

export interface CliContext {
  io: CliIo;
  version: string;
  /**
   * Loads and validates the config from `--config`, `--set`, the environment and defaults (throws ConfigError);
   * prints its warnings on stderr unless `quiet`. `envDefaults` fill environment variables the user did not set
   * (the demo's embedded stack and sandbox).
   */
  loadConfig(
    options: GlobalOptions,
    envDefaults?: Record<string, string>,
    behaviour?: {quiet?: boolean; unusedGroups?: readonly string[]}
  ): LoadedConfig;
}

/** `--set a.b=1 --set c=x` -> `{'a.b': '1', c: 'x'}`. */
export function parseSetFlags(sets: readonly string[] = []): Record<string, string> {
  const overrides: Record<string, string> = {};
  const problems: string[] = [];
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) problems.push(`--set ${item.split('=')[0]}: expected <path>=<value>`);
    else overrides[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return overrides;
}

export function packageVersion(): string {
  try {
    // src/cli and dist/cli are both two levels below the package root.
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function createContext(io: CliIo): CliContext {
  return {
    io,
    version: packageVersion(),
    loadConfig(options, envDefaults = {}, behaviour = {}) {
      const loaded = loadConfigWithSources({
        env: {...envDefaults, ...io.env},
        overrides: parseSetFlags(options.set),
        ...(behaviour.unusedGroups ? {unusedGroups: behaviour.unusedGroups} : {}),
        ...(options.config === undefined ? {} : {file: options.config}),
      });
      if (!behaviour.quiet) for (const warning of loaded.warnings) io.stderr.write(`warning: ${warning}\n`);
      return loaded;
    },
  };
}

/** The service logger of a command: the configured level and format, every secret value censored. */
export function commandLogger(
  ctx: CliContext,
  config: AppConfig,
  options: {to?: 'stdout' | 'stderr'; level?: AppConfig['observability']['logLevel']} = {}
): Logger {
  const out = options.to === 'stdout' ? ctx.io.stdout : ctx.io.stderr;
  return createLogger({
    level: options.level ?? config.observability.logLevel,
    format: config.observability.logFormat,
    secrets: secretValues(config),
    destination: {write: (line: string) => out.write(line)},
    base: {service: 'pinterest-cdc', version: ctx.version},
  });
}
