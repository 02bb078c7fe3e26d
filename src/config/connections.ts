/**
 * Named Pinterest connections (one OAuth user each): the `pinterest.connections` setting and the list of
 * connections a configuration yields, the single-connection settings (PINTEREST_CLIENT_ID, ...) included as the
 * connection `default`.
 */
import {z} from 'zod';

import {CONNECTION_NAME_PATTERN, DEFAULT_CONNECTION} from '../sync/shards';
import {structure, type NestedSecrets, type Setting} from './setting';

/** One connection's settings as the configuration holds them. */
export interface ConnectionSettings {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly refreshToken?: string;
  readonly accessToken?: string;
  /** Ad accounts to capture; empty = every ad account the connection's token can see. */
  readonly adAccountIds: readonly string[];
}

export type ConnectionMap = Readonly<Record<string, ConnectionSettings>>;

/** A connection of the running configuration. */
export interface Connection extends ConnectionSettings {
  readonly name: string;
}

const SECRET_FIELDS = ['clientSecret', 'refreshToken', 'accessToken'] as const;
/** Fields that may instead be given as `<field>File`, a path whose content is the value (a mounted Secret). */
const FILE_FIELDS = ['clientId', ...SECRET_FIELDS] as const;
const NAME_RULE = 'lower-case letters, digits, "_" and "-", a letter or digit first, at most 48 characters';

function entrySchema(adAccountId: z.ZodType<string>) {
  const value = z.string().min(1, 'must not be empty').optional();
  return z.strictObject(
    {
      clientId: value,
      clientSecret: value,
      refreshToken: value,
      accessToken: value,
      adAccountIds: z
        .array(adAccountId, {error: 'must be a list'})
        .refine((ids) => new Set(ids).size === ids.length, 'must not contain duplicates')
        .default([]),
    },
    {error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a mapping')}
  );
}

/** The `pinterest.connections` setting; ad account ids validated by the caller's schema (one rule for both). */
export function connectionsSetting(adAccountId: z.ZodType<string>): Setting<ConnectionMap> {
  // Names are checked by `prepare` (zod reports a bad record key without its message).
  const schema = z.record(z.string(), entrySchema(adAccountId)) as unknown as z.ZodType<ConnectionMap>;
  return structure(schema, {
    description:
      'Named Pinterest connections, one per OAuth user (each with its own rate budget, token and ad accounts): ' +
      'a mapping of name to `{clientId, clientSecret, refreshToken, accessToken, adAccountIds}` (or a list of ' +
      'the same with a `name`). Each credential can instead be `<field>File`, a path holding the value (a ' +
      'mounted Kubernetes Secret). From the environment: JSON or YAML text, or `PINTEREST_CONNECTIONS_FILE`. ' +
      `Names: ${NAME_RULE}; they appear in every event's \`source.connection\`, in shard ids and metric labels. ` +
      'The single-connection settings (`clientId`, ..., `sync.adAccountIds`) are the connection `default`.',
    env: ['PINTEREST_CONNECTIONS'],
    default: {},
    typeDoc: 'mapping of name to connection',
    nested: connectionSecrets,
  });
}

const connectionSecrets: NestedSecrets<ConnectionMap> = {
  prepare(raw, readFile) {
    const problems: string[] = [];
    const entries = namedEntries(raw, problems);
    if (entries === undefined) return {value: raw, problems};
    const out: Record<string, unknown> = {};
    for (const [name, entry] of entries) {
      if (!CONNECTION_NAME_PATTERN.test(name)) problems.push(`${name}: connection names: ${NAME_RULE}`);
      if (Object.hasOwn(out, name)) {
        problems.push(`${name}: connection names must be unique`);
        continue;
      }
      out[name] =
        typeof entry === 'object' && entry !== null ? readFields(name, entry, readFile, problems) : entry;
    }
    return {value: out, problems};
  },
  values(value) {
    return Object.values(value).flatMap((c) =>
      SECRET_FIELDS.map((field) => c[field]).filter((v): v is string => v !== undefined && v !== '')
    );
  },
  redact(value, mask) {
    return Object.fromEntries(
      Object.entries(value).map(([name, c]) => [
        name,
        {...c, ...Object.fromEntries(SECRET_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, mask]))},
      ])
    );
  },
  inline(raw) {
    const entries = namedEntries(raw, []) ?? [];
    return entries.flatMap(([name, entry]) =>
      typeof entry === 'object' && entry !== null
        ? SECRET_FIELDS.filter((f) => set((entry as Record<string, unknown>)[f])).map((f) => `${name}.${f}`)
        : []
    );
  },
};

/** [name, entry] pairs of a mapping (name -> entry) or a list of entries with a `name`. */
function namedEntries(raw: unknown, problems: string[]): [string, unknown][] | undefined {
  if (raw === null || raw === undefined) return [];
  if (Array.isArray(raw)) {
    return raw.flatMap((item, i): [string, unknown][] => {
      const name = typeof item === 'object' && item !== null ? (item as {name?: unknown}).name : undefined;
      if (typeof name !== 'string') {
        problems.push(`[${i}]: each connection of a list needs a name`);
        return [];
      }
      const {name: _name, ...entry} = item as Record<string, unknown>;
      return [[name, entry]];
    });
  }
  if (typeof raw !== 'object') {
    problems.push('must be a mapping of connection name to connection (or a list of connections)');
    return undefined;
  }
  return Object.entries(raw);
}

/** The entry with each `<field>File` read into `<field>` (a trailing newline dropped, as for `_FILE`). */
function readFields(
  name: string,
  entry: object,
  readFile: (path: string) => string,
  problems: string[]
): Record<string, unknown> {
  const out: Record<string, unknown> = {...entry};
  for (const field of FILE_FIELDS) {
    const fileKey = `${field}File`;
    const path = out[fileKey];
    if (path === undefined) continue;
    delete out[fileKey];
    if (set(out[field])) {
      problems.push(`${name}.${field}: both ${field} and ${fileKey} are set; set only one`);
      continue;
    }
    if (typeof path !== 'string' || path === '') {
      problems.push(`${name}.${fileKey}: must be a file path`);
      continue;
    }
    try {
      out[field] = readFile(path).replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as {code?: unknown}).code;
      problems.push(`${name}.${fileKey}: cannot read ${path}: ${typeof code === 'string' ? code : 'error'}`);
    }
  }
  return out;
}

function set(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** What the single-connection settings and `pinterest.connections` say, as the cross rules and connectionsOf read it. */
export interface ConnectionSources {
  readonly pinterest: {
    readonly clientId?: string;
    readonly clientSecret?: string;
    readonly refreshToken?: string;
    readonly accessToken?: string;
    readonly connections: ConnectionMap;
  };
  readonly sync: {readonly adAccountIds: readonly string[]};
}

/** True when the single-connection settings name a connection (any credential set). */
export function hasDefaultConnection({pinterest: p}: ConnectionSources): boolean {
  return [p.clientId, p.clientSecret, p.refreshToken, p.accessToken].some(set);
}

/**
 * The configuration's connections: `default` from the single-connection settings (when any credential is set, or
 * when no named connection is), then the named ones by name.
 */
export function connectionsOf(config: ConnectionSources): Connection[] {
  const p = config.pinterest;
  const named = Object.entries(p.connections)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => ({...c, name}));
  if (named.length > 0 && !hasDefaultConnection(config)) return named;
  const legacy: Connection = {
    name: DEFAULT_CONNECTION,
    ...(p.clientId === undefined ? {} : {clientId: p.clientId}),
    ...(p.clientSecret === undefined ? {} : {clientSecret: p.clientSecret}),
    ...(p.refreshToken === undefined ? {} : {refreshToken: p.refreshToken}),
    ...(p.accessToken === undefined ? {} : {accessToken: p.accessToken}),
    adAccountIds: config.sync.adAccountIds,
  };
  return [legacy, ...named];
}

/** Problems of the connections as a whole: each one's credentials complete, `default` given once. */
export function connectionProblems(config: ConnectionSources): string[] {
  const problems: string[] = [];
  const p = config.pinterest;
  const legacy = hasDefaultConnection(config) || Object.keys(p.connections).length === 0;
  if (legacy && Object.hasOwn(p.connections, DEFAULT_CONNECTION))
    problems.push(
      `pinterest.connections.${DEFAULT_CONNECTION}: the single-connection settings (PINTEREST_CLIENT_ID, ...) ` +
        'already make the connection "default"; rename it or drop those settings'
    );
  if (!legacy && config.sync.adAccountIds.length > 0)
    problems.push(
      'sync.adAccountIds: applies to the single-connection settings, which are unset; set adAccountIds per ' +
        'connection in pinterest.connections'
    );
  for (const connection of connectionsOf(config)) {
    if (connection.name === DEFAULT_CONNECTION && legacy)
      problems.push(...legacyCredentialProblems(connection));
    else problems.push(...namedCredentialProblems(connection));
  }
  return problems;
}

const LEGACY_ENV: Record<string, string> = {
  clientId: 'PINTEREST_CLIENT_ID',
  clientSecret: 'PINTEREST_CLIENT_SECRET',
  refreshToken: 'PINTEREST_REFRESH_TOKEN',
};

function missingRefreshCredentials(connection: Connection): string[] {
  if (set(connection.accessToken)) return [];
  return (['clientId', 'clientSecret', 'refreshToken'] as const).filter((f) => !set(connection[f]));
}

function legacyCredentialProblems(connection: Connection): string[] {
  const missing = missingRefreshCredentials(connection);
  if (missing.length === 0) return [];
  return [
    `pinterest credentials: set pinterest.clientId + pinterest.clientSecret + pinterest.refreshToken ` +
      `(PINTEREST_CLIENT_ID, PINTEREST_CLIENT_SECRET, PINTEREST_REFRESH_TOKEN), or pinterest.accessToken ` +
      `(PINTEREST_ACCESS_TOKEN), or named connections in pinterest.connections (PINTEREST_CONNECTIONS); ` +
      `missing: ${missing.map((m) => `pinterest.${m} (${LEGACY_ENV[m]})`).join(', ')}`,
  ];
}

function namedCredentialProblems(connection: Connection): string[] {
  const missing = missingRefreshCredentials(connection);
  if (missing.length === 0) return [];
  return [
    `pinterest.connections.${connection.name}: set clientId + clientSecret + refreshToken (or each as ` +
      `<field>File), or accessToken; missing: ${missing.join(', ')}`,
  ];
}
