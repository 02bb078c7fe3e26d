/**
 * The building blocks of the settings table: one `Setting` per configurable value, holding everything derived
 * elsewhere (type, validation, default, environment variables, docs, secrecy).
 */
import {z} from 'zod';

/** How a raw string (from the environment, a flag or the file) is turned into the setting's input value. */
export type SettingKind = 'string' | 'integer' | 'boolean' | 'list' | 'enum' | 'structure';

/** Inputs a default may depend on (a start date relative to today); injectable for tests. */
export interface DefaultContext {
  now: Date;
}

/**
 * Secrets inside a structured value (a map of connections, each with its own credentials): the value is not a
 * secret as a whole (its names and ids print), its secret fields are. Such a setting is also settable via
 * `<ENV>_FILE`, and its raw value is never echoed in a problem.
 */
export interface NestedSecrets<T> {
  /** Prepares a raw value for the schema: reads the fields given as files (`clientSecretFile`), normalises shape. */
  prepare(raw: unknown, readFile: (path: string) => string): {value: unknown; problems: string[]};
  /** The secret strings a valid value holds (for the log censor). */
  values(value: T): string[];
  /** A copy of a valid value with each set secret replaced by `mask`. */
  redact(value: T, mask: string): T;
  /** Sub-paths where a raw value from the config file writes a secret inline (for the warning). */
  inline(raw: unknown): string[];
}

export interface Setting<T> {
  readonly isSetting: true;
  readonly kind: SettingKind;
  readonly schema: z.ZodType<T>;
  readonly description: string;
  /** Conventional environment variable names (e.g. KAFKA_BROKERS); the generic PINTEREST_CDC_ name is added. */
  readonly env: readonly string[];
  readonly default?: T | ((ctx: DefaultContext) => T);
  /** How the docs describe a computed default. */
  readonly defaultDoc?: string;
  /** No default and no value: a problem. */
  readonly required: boolean;
  /** Redacted everywhere; also settable via `<ENV>_FILE`. */
  readonly secret: boolean;
  /** The type as the docs show it. */
  readonly typeDoc: string;
  /** A value for the example config file where there is no default. */
  readonly example?: T;
  /** Secret fields inside a structured value (kind `structure`). */
  readonly nested?: NestedSecrets<T>;
}

/** A nested group of settings; the shape of the config file. */
export interface SettingsGroup {
  readonly [key: string]: Setting<unknown> | SettingsGroup;
}

/** The typed configuration a group of settings produces. */
export type ConfigOf<G> = {
  readonly [K in keyof G]: G[K] extends Setting<infer T> ? T : ConfigOf<G[K]>;
};

interface CommonOptions<T> {
  description: string;
  env?: readonly string[];
  default?: T | ((ctx: DefaultContext) => T);
  defaultDoc?: string;
  secret?: boolean;
  example?: T;
}

function make<T>(
  kind: SettingKind,
  schema: z.ZodType<T>,
  typeDoc: string,
  options: CommonOptions<T>
): Setting<T> {
  return {
    isSetting: true,
    kind,
    schema,
    typeDoc,
    description: options.description,
    env: options.env ?? [],
    ...(options.default === undefined ? {} : {default: options.default}),
    ...(options.defaultDoc === undefined ? {} : {defaultDoc: options.defaultDoc}),
    ...(options.example === undefined ? {} : {example: options.example}),
    required: options.default === undefined,
    secret: options.secret ?? false,
  };
}

export function isSetting(value: unknown): value is Setting<unknown> {
  return typeof value === 'object' && value !== null && (value as {isSetting?: unknown}).isSetting === true;
}

/** A string; `schema` narrows it (pattern, URL...). */
export function text(
  options: CommonOptions<string> & {schema?: z.ZodType<string>; typeDoc?: string}
): Setting<string> {
  const schema = options.schema ?? z.string().min(1, 'must not be empty');
  return make('string', schema, options.typeDoc ?? 'string', options);
}

export function integer(options: CommonOptions<number> & {min: number; max: number}): Setting<number> {
  const range = `must be an integer from ${options.min} to ${options.max}`;
  const schema = z.number({error: range}).int(range).min(options.min, range).max(options.max, range);
  return make('integer', schema, `integer ${options.min}..${options.max}`, options);
}

/** An integer restricted to a few values (attribution windows). */
export function integerOf(options: CommonOptions<number> & {values: readonly number[]}): Setting<number> {
  const message = `must be one of ${options.values.join(', ')}`;
  const schema = z.number({error: message}).refine((n) => options.values.includes(n), message);
  return make('integer', schema, `one of ${options.values.join(', ')}`, options);
}

export function flag(options: CommonOptions<boolean>): Setting<boolean> {
  return make(
    'boolean',
    z.boolean({error: 'must be a boolean (true/1/yes/on, false/0/no/off)'}),
    'boolean',
    options
  );
}

export function choice<const V extends string>(
  values: readonly [V, ...V[]],
  options: CommonOptions<V>
): Setting<V> {
  const schema = z.enum(values, {error: `must be one of ${values.join(', ')}`}) as unknown as z.ZodType<V>;
  return make('enum', schema, values.map((v) => `\`${v}\``).join(' \\| '), options);
}

/** A list: YAML sequence, JSON array or comma-separated string. */
export function list<T extends string>(
  item: z.ZodType<T>,
  options: CommonOptions<readonly T[]> & {itemDoc: string; nonEmpty?: boolean; unique?: boolean}
): Setting<readonly T[]> {
  let schema: z.ZodType<readonly T[]> = z.array(item, {error: 'must be a list'});
  if (options.nonEmpty) schema = schema.refine((xs) => xs.length > 0, 'must not be empty');
  if (options.unique ?? true) {
    schema = schema.refine((xs) => new Set(xs).size === xs.length, 'must not contain duplicates');
  }
  return make('list', schema, `list of ${options.itemDoc}`, options);
}

/**
 * A structured value (a YAML mapping or list; from the environment as JSON or YAML, or a file via `<ENV>_FILE`)
 * whose secrets are its `nested` fields.
 */
export function structure<T>(
  schema: z.ZodType<T>,
  options: CommonOptions<T> & {typeDoc: string; nested: NestedSecrets<T>}
): Setting<T> {
  return {...make('structure', schema, options.typeDoc, options), nested: options.nested};
}

/** Read from `<ENV>_FILE` too: secrets, and structures holding secrets. */
export function readableFromFile(setting: Setting<unknown>): boolean {
  return setting.secret || setting.nested !== undefined;
}

/** The same setting without a required value (absent = undefined). */
export function optional<T>(setting: Setting<T>): Setting<T | undefined> {
  return {...setting, required: false} as Setting<T | undefined>;
}
