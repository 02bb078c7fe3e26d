/**
 * The service logger: pino, JSON lines (stdout by default), level as a label, ISO time, base {service, version},
 * key-based redaction of credential fields, and a censor that removes the configured secret values wherever
 * they appear in a line.
 */
import pino, {type DestinationStream, type Logger} from 'pino';

import {createCensor} from './censor';

export type {Logger} from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  level?: LogLevel;
  /** `pretty` needs the dev dependency pino-pretty; without it the logger falls back to JSON. */
  format?: 'json' | 'pretty';
  /** Secret values to censor in every line (config `secretValues(config)`). */
  secrets?: readonly string[];
  /** Fields on every line; `service` defaults to `pinterest-cdc`. */
  base?: Record<string, unknown>;
  /** Where lines go (default: stdout). Anything with `write(line)`. */
  destination?: {write(line: string): unknown};
}

const SECRET_KEYS = [
  'access_token',
  'refresh_token',
  'client_secret',
  'clientSecret',
  'refreshToken',
  'accessToken',
  'password',
  'authorization',
  'Authorization',
];

/** Paths pino redacts by key, at the top level and one level down, plus HTTP headers. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'req.headers.authorization',
  'config.pinterest.clientSecret',
  'config.pinterest.refreshToken',
  'config.pinterest.accessToken',
  'config.kafka.sasl.password',
  'config.schemaRegistry.password',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const censor = createCensor(options.secrets ?? []);
  let sink: {write(line: string): unknown} = options.destination ?? pino.destination({dest: 1, sync: true});
  let prettyMissing = false;
  if (options.format === 'pretty') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pretty = require('pino-pretty') as (o: object) => {write(line: string): unknown};
      sink = pretty({destination: options.destination ?? 1, sync: true, colorize: !options.destination});
    } catch {
      prettyMissing = true;
    }
  }
  const target = sink;
  const stream: DestinationStream = {
    write(chunk: string) {
      target.write(censor(chunk));
    },
  };
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: {service: 'pinterest-cdc', ...options.base},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {level: (label) => ({level: label})},
      redact: {paths: [...REDACT_PATHS], censor: '[redacted]'},
    },
    stream
  );
  if (prettyMissing) logger.warn('pino-pretty is not installed; logging JSON lines');
  return logger;
}
