/** Options, defaults and the environment/CLI face of the sandbox. */

import {ConfigError} from '../errors';

export interface SandboxScale {
  adAccounts: number;
  campaignsPerAccount: number;
  adGroupsPerCampaign: number;
  adsPerAdGroup: number;
  boards: number;
  pins: number;
  /** How many days back from the sandbox's start date analytics rows exist. */
  analyticsDays: number;
}

export type RateCategory = 'ads_read' | 'ads_analytics' | 'org_read' | 'analytics_get_report';

export interface CategoryLimit {
  perMinute: number;
  /** Per-day cap; 0 = off (the default). */
  perDay: number;
}

export interface SandboxLimits {
  categories: Record<RateCategory, CategoryLimit>;
  safetyNetPerSecond: number;
}

export interface SandboxOptions {
  port?: number;
  seed?: number;
  scale?: Partial<SandboxScale>;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  accessTokenTtlSeconds?: number;
  limits?: Partial<Omit<SandboxLimits, 'categories'>> & {
    categories?: Partial<Record<RateCategory, Partial<CategoryLimit>>>;
  };
  startTime?: Date;
  /** Real-time source in ms (default Date.now); the sandbox clock = startTime + real elapsed + advances. */
  now?: () => number;
  /** How many polls of an async report answer IN_PROGRESS before it is FINISHED (default 2). */
  reportPollsUntilFinished?: number;
}

// notes/pinterest-api.md §7: Standard access, per minute per user per app; safety net 100/s; report polls 800/min.
export const DEFAULT_LIMITS: SandboxLimits = {
  categories: {
    ads_read: {perMinute: 1000, perDay: 0},
    ads_analytics: {perMinute: 300, perDay: 0},
    org_read: {perMinute: 1000, perDay: 0},
    analytics_get_report: {perMinute: 800, perDay: 0},
  },
  safetyNetPerSecond: 100,
};

export const DEFAULT_SCALE: SandboxScale = {
  adAccounts: 2,
  campaignsPerAccount: 5,
  adGroupsPerCampaign: 2,
  adsPerAdGroup: 3,
  boards: 4,
  pins: 60,
  analyticsDays: 400,
};

// Public test defaults, printed by `pinterest-cdc sandbox`; prefixes as Pinterest's (notes/pinterest-api.md §6).
export const DEFAULT_CLIENT_ID = '1500000';
export const DEFAULT_CLIENT_SECRET = 'sandbox-client-secret';
export const DEFAULT_REFRESH_TOKEN = 'pinr.sandbox-initial-refresh-token';
// notes/pinterest-api.md §6: 30 days per the quickstart fixture.
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 2_592_000;

export interface ResolvedSandboxOptions {
  port: number;
  seed: number;
  scale: SandboxScale;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessTokenTtlSeconds: number;
  limits: SandboxLimits;
  startTime: Date;
  now: () => number;
  reportPollsUntilFinished: number;
}

export function mergeLimits(base: SandboxLimits, patch: SandboxOptions['limits']): SandboxLimits {
  const categories = {...base.categories};
  for (const [name, value] of Object.entries(patch?.categories ?? {})) {
    const key = name as RateCategory;
    if (!(key in categories) || !value) continue;
    categories[key] = {...categories[key], ...value};
  }
  return {categories, safetyNetPerSecond: patch?.safetyNetPerSecond ?? base.safetyNetPerSecond};
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const now = options.now ?? Date.now;
  return {
    port: options.port ?? 0,
    seed: options.seed ?? 1,
    scale: {...DEFAULT_SCALE, ...options.scale},
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    refreshToken: options.refreshToken ?? DEFAULT_REFRESH_TOKEN,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
    limits: mergeLimits(DEFAULT_LIMITS, options.limits),
    startTime: options.startTime ?? new Date(now()),
    now,
    reportPollsUntilFinished: options.reportPollsUntilFinished ?? 2,
  };
}

/** Named scale presets for PINTEREST_SANDBOX_SCALE. */
export const SCALE_PRESETS: Record<string, Partial<SandboxScale>> = {
  small: {},
  medium: {
    adAccounts: 3,
    campaignsPerAccount: 20,
    adGroupsPerCampaign: 5,
    adsPerAdGroup: 10,
    boards: 20,
    pins: 5000,
  },
  // The benchmark shape: 1,000,000 pins and an account with 100,000 ads.
  large: {
    adAccounts: 1,
    campaignsPerAccount: 100,
    adGroupsPerCampaign: 10,
    adsPerAdGroup: 100,
    boards: 1000,
    pins: 1_000_000,
  },
};

function parseScale(value: string | undefined, problems: string[]): Partial<SandboxScale> {
  if (!value) return {};
  const preset = SCALE_PRESETS[value];
  if (preset) return preset;
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const out: Partial<SandboxScale> = {};
      for (const [k, v] of Object.entries(parsed)) {
        if (!(k in DEFAULT_SCALE) || typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
          problems.push(`PINTEREST_SANDBOX_SCALE: ${k} must be a known key with a non-negative integer`);
          continue;
        }
        out[k as keyof SandboxScale] = v;
      }
      return out;
    }
  } catch {
    // fall through to the problem below
  }
  problems.push(
    `PINTEREST_SANDBOX_SCALE must be one of ${Object.keys(SCALE_PRESETS).join(', ')} or a JSON object`
  );
  return {};
}

function parseInteger(name: string, value: string | undefined, problems: string[]): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name} must be a non-negative integer (was ${value})`);
    return undefined;
  }
  return n;
}

/**
 * Reads PINTEREST_SANDBOX_PORT (default 0 = any free port), PINTEREST_SANDBOX_SEED (default 1),
 * PINTEREST_SANDBOX_SCALE (small | medium | large | JSON of SandboxScale keys; default small),
 * PINTEREST_SANDBOX_CLIENT_ID / _CLIENT_SECRET / _REFRESH_TOKEN (defaults: the public test values above).
 * Throws SandboxConfigError listing every problem.
 */
export function sandboxOptionsFromEnv(env: Record<string, string | undefined>): SandboxOptions {
  const problems: string[] = [];
  const port = parseInteger('PINTEREST_SANDBOX_PORT', env.PINTEREST_SANDBOX_PORT, problems);
  if (port !== undefined && port > 65535) problems.push('PINTEREST_SANDBOX_PORT must be at most 65535');
  const seed = parseInteger('PINTEREST_SANDBOX_SEED', env.PINTEREST_SANDBOX_SEED, problems);
  const scale = parseScale(env.PINTEREST_SANDBOX_SCALE, problems);
  if (problems.length > 0) throw new SandboxConfigError(problems);
  const options: SandboxOptions = {scale};
  if (port !== undefined) options.port = port;
  if (seed !== undefined) options.seed = seed;
  if (env.PINTEREST_SANDBOX_CLIENT_ID) options.clientId = env.PINTEREST_SANDBOX_CLIENT_ID;
  if (env.PINTEREST_SANDBOX_CLIENT_SECRET) options.clientSecret = env.PINTEREST_SANDBOX_CLIENT_SECRET;
  if (env.PINTEREST_SANDBOX_REFRESH_TOKEN) options.refreshToken = env.PINTEREST_SANDBOX_REFRESH_TOKEN;
  return options;
}

export class SandboxConfigError extends ConfigError {}

/**
 * The lines `pinterest-cdc sandbox` prints, safe to paste into a shell or an env file: notes are `#` comments,
 * settings are `KEY=value` lines alone (quoted when the value needs it). The default client secret is public, so
 * it is printed; a custom one is not.
 */
export function describeSandbox(running: {
  baseUrl: string;
  controlUrl: string;
  credentials: {clientId: string; clientSecret: string; refreshToken: string};
}): string[] {
  const secretLines =
    running.credentials.clientSecret === DEFAULT_CLIENT_SECRET
      ? [
          '# the sandbox default client secret (public):',
          envLine('PINTEREST_CLIENT_SECRET', DEFAULT_CLIENT_SECRET),
        ]
      : ['# PINTEREST_CLIENT_SECRET: the PINTEREST_SANDBOX_CLIENT_SECRET you gave the sandbox'];
  return [
    `# Pinterest API v5 sandbox listening on ${running.baseUrl}`,
    `# Control API: ${running.controlUrl}`,
    envLine('PINTEREST_API_BASE_URL', running.baseUrl),
    envLine('PINTEREST_CLIENT_ID', running.credentials.clientId),
    ...secretLines,
    envLine('PINTEREST_REFRESH_TOKEN', running.credentials.refreshToken),
  ];
}

/** `NAME=value`, the value single-quoted for POSIX shells unless it is made of characters no shell treats specially. */
function envLine(name: string, value: string): string {
  return /^[A-Za-z0-9_./:@%+,-]*$/.test(value)
    ? `${name}=${value}`
    : `${name}='${value.replace(/'/g, `'\\''`)}'`;
}
