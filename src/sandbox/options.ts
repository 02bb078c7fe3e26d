/** Options, defaults and the environment/CLI face of the sandbox. */

import {ConfigError} from '../errors';
import {ACCOUNT_NUMBER_SPACE, IdSpace} from './ids';

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

/** One Pinterest user of the sandbox: an OAuth connection with its own ad accounts, boards, pins and budgets. */
export interface SandboxUserOptions {
  /** How the control API addresses the user (default `user<n>`, 1-based). */
  name?: string;
  refreshToken: string;
  /** Merged over SandboxOptions.scale. */
  scale?: Partial<SandboxScale>;
}

export interface SandboxOptions {
  port?: number;
  /** Address to listen on; default 127.0.0.1 (docker-compose uses 0.0.0.0 inside its network). */
  host?: string;
  seed?: number;
  scale?: Partial<SandboxScale>;
  clientId?: string;
  clientSecret?: string;
  /** The refresh token of the single default user (ignored when `users` is given). */
  refreshToken?: string;
  /** Several users (issue 11); default: one user named `default` with `refreshToken` and `scale`. */
  users?: SandboxUserOptions[];
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

export interface ResolvedUser {
  index: number;
  name: string;
  refreshToken: string;
  scale: SandboxScale;
  ids: IdSpace;
}

export interface ResolvedSandboxOptions {
  port: number;
  host: string;
  seed: number;
  /** User 0's scale and refresh token (kept for callers of the one-user sandbox). */
  scale: SandboxScale;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  users: ResolvedUser[];
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

// Room for ad accounts created through the control API, per user.
const ACCOUNT_HEADROOM = 100;

/** Users with defaults and id blocks; throws SandboxConfigError listing every problem. */
export function resolveUsers(options: SandboxOptions): ResolvedUser[] {
  const given = options.users ?? [
    {name: 'default', refreshToken: options.refreshToken ?? DEFAULT_REFRESH_TOKEN},
  ];
  const problems: string[] = [];
  if (given.length === 0) problems.push('users: at least one user is needed');
  const users: ResolvedUser[] = [];
  let accountBase = 0;
  given.forEach((u, index) => {
    const name = u.name ?? `user${index + 1}`;
    const scale = {...DEFAULT_SCALE, ...options.scale, ...u.scale};
    const accountBlock =
      given.length === 1
        ? ACCOUNT_NUMBER_SPACE
        : Math.ceil((scale.adAccounts + ACCOUNT_HEADROOM) / ACCOUNT_HEADROOM) * ACCOUNT_HEADROOM;
    if (typeof u.refreshToken !== 'string' || u.refreshToken === '')
      problems.push(`users[${index}]: refreshToken is required`);
    if (users.some((o) => o.name === name)) problems.push(`users[${index}]: name ${name} is used twice`);
    if (users.some((o) => o.refreshToken === u.refreshToken))
      problems.push(`users[${index}]: refreshToken is used twice`);
    users.push({
      index,
      name,
      refreshToken: u.refreshToken,
      scale,
      ids: {userIndex: index, accountBase, accountBlock},
    });
    accountBase += accountBlock;
  });
  // Ad-account numbers are 4 digits in campaign, ad group and ad ids (ids.ts).
  if (accountBase > ACCOUNT_NUMBER_SPACE)
    problems.push(`users: ${accountBase} ad-account numbers needed, at most ${ACCOUNT_NUMBER_SPACE}`);
  if (given.length > 1000) problems.push('users: at most 1000');
  if (problems.length > 0) throw new SandboxConfigError(problems);
  return users;
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedSandboxOptions {
  const now = options.now ?? Date.now;
  const users = resolveUsers(options);
  const first = users[0] as ResolvedUser;
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    seed: options.seed ?? 1,
    scale: first.scale,
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    refreshToken: first.refreshToken,
    users,
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

function scaleObject(where: string, parsed: unknown, problems: string[]): Partial<SandboxScale> | undefined {
  if (typeof parsed === 'string' && SCALE_PRESETS[parsed]) return SCALE_PRESETS[parsed];
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const out: Partial<SandboxScale> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!(k in DEFAULT_SCALE) || typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      problems.push(`${where}: ${k} must be a known key with a non-negative integer`);
      continue;
    }
    out[k as keyof SandboxScale] = v;
  }
  return out;
}

function parseScale(value: string | undefined, problems: string[]): Partial<SandboxScale> {
  if (!value) return {};
  const preset = SCALE_PRESETS[value];
  if (preset) return preset;
  try {
    const out = scaleObject('PINTEREST_SANDBOX_SCALE', JSON.parse(value), problems);
    if (out) return out;
  } catch {
    // fall through to the problem below
  }
  problems.push(
    `PINTEREST_SANDBOX_SCALE must be one of ${Object.keys(SCALE_PRESETS).join(', ')} or a JSON object`
  );
  return {};
}

const USERS_VAR = 'PINTEREST_SANDBOX_USERS';

/**
 * PINTEREST_SANDBOX_USERS: a count N (users `user1`..`userN`; user 1 has the sandbox refresh token, user n the
 * same token with `-n` appended) or a JSON array of {name?, refreshToken, scale?} (scale: preset name or object).
 */
function parseUsers(
  value: string | undefined,
  firstToken: string,
  problems: string[]
): SandboxUserOptions[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) {
    const n = Number(value);
    if (n < 1 || n > 1000) {
      problems.push(`${USERS_VAR} must be a count from 1 to 1000 or a JSON array (was ${value})`);
      return undefined;
    }
    return Array.from({length: n}, (_, i) => ({
      refreshToken: i === 0 ? firstToken : `${firstToken}-${i + 1}`,
    }));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    problems.push(`${USERS_VAR} must be a count or a JSON array of {name?, refreshToken, scale?}`);
    return undefined;
  }
  return parsed.map((entry: unknown, i) => {
    const e = (entry && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
    const user: SandboxUserOptions = {refreshToken: typeof e.refreshToken === 'string' ? e.refreshToken : ''};
    if (typeof e.name === 'string') user.name = e.name;
    if (e.scale !== undefined) {
      const scale = scaleObject(`${USERS_VAR}[${i}].scale`, e.scale, problems);
      if (scale) user.scale = scale;
      else problems.push(`${USERS_VAR}[${i}].scale must be a preset name or a JSON object`);
    }
    if (!user.refreshToken) problems.push(`${USERS_VAR}[${i}].refreshToken is required`);
    return user;
  });
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
 * PINTEREST_SANDBOX_CLIENT_ID / _CLIENT_SECRET / _REFRESH_TOKEN (defaults: the public test values above),
 * PINTEREST_SANDBOX_USERS (a count or a JSON array; default one user). Throws SandboxConfigError listing every
 * problem.
 */
export function sandboxOptionsFromEnv(env: Record<string, string | undefined>): SandboxOptions {
  const problems: string[] = [];
  const port = parseInteger('PINTEREST_SANDBOX_PORT', env.PINTEREST_SANDBOX_PORT, problems);
  if (port !== undefined && port > 65535) problems.push('PINTEREST_SANDBOX_PORT must be at most 65535');
  const seed = parseInteger('PINTEREST_SANDBOX_SEED', env.PINTEREST_SANDBOX_SEED, problems);
  const scale = parseScale(env.PINTEREST_SANDBOX_SCALE, problems);
  const users = parseUsers(
    env[USERS_VAR],
    env.PINTEREST_SANDBOX_REFRESH_TOKEN || DEFAULT_REFRESH_TOKEN,
    problems
  );
  if (problems.length > 0) throw new SandboxConfigError(problems);
  const options: SandboxOptions = {scale};
  if (port !== undefined) options.port = port;
  if (seed !== undefined) options.seed = seed;
  if (env.PINTEREST_SANDBOX_CLIENT_ID) options.clientId = env.PINTEREST_SANDBOX_CLIENT_ID;
  if (env.PINTEREST_SANDBOX_CLIENT_SECRET) options.clientSecret = env.PINTEREST_SANDBOX_CLIENT_SECRET;
  if (env.PINTEREST_SANDBOX_REFRESH_TOKEN) options.refreshToken = env.PINTEREST_SANDBOX_REFRESH_TOKEN;
  if (users) options.users = users;
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
  users?: {name: string; refreshToken: string}[];
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
    // Other users' tokens as comments: a paste sets the first user's, the others are there to copy.
    ...(running.users && running.users.length > 1
      ? running.users.map((u) => `# user ${u.name}: ${envLine('PINTEREST_REFRESH_TOKEN', u.refreshToken)}`)
      : []),
  ];
}

/** `NAME=value`, the value single-quoted for POSIX shells unless it is made of characters no shell treats specially. */
function envLine(name: string, value: string): string {
  return /^[A-Za-z0-9_./:@%+,-]*$/.test(value)
    ? `${name}=${value}`
    : `${name}='${value.replace(/'/g, `'\\''`)}'`;
}
