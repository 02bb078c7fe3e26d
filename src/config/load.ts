/**
 * Loads the configuration: flags > environment > config file (YAML) > defaults, validated leaf by leaf and
 * across settings. Every problem is collected and thrown at once as a ConfigError; secret values never appear
 * in a problem.
 */
import {readFileSync} from 'node:fs';

import {parse as parseYaml, YAMLError} from 'yaml';

import {ConfigError} from '../errors';
import {coerce} from './coerce';
import {CONFIG_FILE_ENV, ENV_PREFIX, getIn, leavesOf, setIn, suggestedEnvName, type Leaf} from './leaves';
import {configWarnings, crossRules, startDateRule} from './rules';
import {isSetting, readableFromFile, type SettingsGroup} from './setting';
import {settings, type AppConfig} from './settings';

export interface LoadConfigOptions {
  /** Values from command-line flags by dotted path (`kafka.brokers`); strings are parsed like env values. */
  overrides?: Readonly<Record<string, unknown>>;
  /** Environment (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** YAML config file (`--config`); default: the file named by PINTEREST_CDC_CONFIG; neither = no file. */
  file?: string;
  /** "Today" for computed defaults and date checks (default: now). */
  now?: Date;
  /**
   * Setting groups the caller does not use (e.g. `['pinterest']` for `schemas`): the rules that span only their
   * settings (the Pinterest credentials) are not checked. Each setting is still validated on its own.
   */
  unusedGroups?: readonly string[];
  /** Reads the config file and `*_FILE` secrets (default: fs, UTF-8). */
  readFile?: (path: string) => string;
}

/** Where a setting's value came from. */
export type ValueSource =
  | {kind: 'flag'}
  | {kind: 'env'; name: string}
  | {kind: 'file'; path: string}
  | {kind: 'default'}
  | {kind: 'unset'};

export interface LoadedConfig {
  config: AppConfig;
  sources: Readonly<Record<string, ValueSource>>;
  /** Accepted but unwise (a secret written into the config file); never holds a secret's value. */
  warnings: readonly string[];
}

const LEAVES: readonly Leaf[] = leavesOf(settings);

/** Every leaf of the settings table (path, env names, setting). */
export function configLeaves(): readonly Leaf[] {
  return LEAVES;
}

export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  return loadConfigWithSources(options).config;
}

export function loadConfigWithSources(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const now = options.now ?? new Date();
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];

  const filePath = options.file ?? nonEmpty(env[CONFIG_FILE_ENV]);
  const fileValues = filePath === undefined ? undefined : readConfigFile(filePath, readFile, problems);
  if (fileValues !== undefined) checkUnknownKeys(fileValues, settings, [], problems);
  checkUnknownEnv(env, problems);
  const overrides = options.overrides ?? {};
  for (const path of Object.keys(overrides)) {
    if (!LEAVES.some((leaf) => leaf.path === path)) problems.push(`${path}: unknown setting (from a flag)`);
  }

  const config: Record<string, unknown> = {};
  const sources: Record<string, ValueSource> = {};
  const invalid = new Set<string>();
  for (const leaf of LEAVES) {
    const before = problems.length;
    const picked = pick(leaf, {overrides, env, fileValues, filePath, readFile, now}, problems);
    const picking = problems.length;
    // A structure's unreadable `<field>File` is one problem among its others: all are listed at once.
    if (leaf.setting.nested && picked.source.kind !== 'unset' && picking === before)
      picked.value = prepareNested(leaf, picked, readFile, problems);
    sources[leaf.path] = picked.source;
    let value: unknown = undefined;
    if (picked.source.kind === 'unset') {
      if (leaf.setting.required) {
        problems.push(
          `${leaf.path}: required; set ${leaf.envNames.join(' or ')}, or ${leaf.path} in the config file`
        );
      }
    } else if (picking === before) {
      value = validate(leaf, picked.value, picked.source, problems);
    }
    if (problems.length > before) invalid.add(leaf.path);
    setIn(config, leaf.keys, value);
  }

  for (const rule of [...crossRules, startDateRule(now)]) {
    if (rule.paths.some((path) => invalid.has(path))) continue;
    const unused = options.unusedGroups ?? [];
    const about = 'group' in rule ? rule.group : undefined;
    if (
      about !== undefined
        ? unused.includes(about)
        : rule.paths.every((path) => unused.some((group) => path.startsWith(`${group}.`)))
    )
      continue;
    problems.push(...rule.check(config as unknown as AppConfig));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const warnings = [
    ...(fileValues === undefined ? [] : secretsInFile(fileValues, filePath)),
    ...configWarnings(config as unknown as AppConfig),
  ];
  return {config: deepFreeze(config) as unknown as AppConfig, sources, warnings};
}

/** A secret in the YAML file ends up in ConfigMaps, repositories and backups: accepted, with a warning. */
function secretsInFile(fileValues: Record<string, unknown>, filePath: string | undefined): string[] {
  return LEAVES.flatMap((leaf) => {
    const value = getIn(fileValues, leaf.keys);
    if (leaf.setting.nested && value !== undefined) {
      return leaf.setting.nested
        .inline(value)
        .map(
          (sub) =>
            `${leaf.path}.${sub}: a secret in the config file ${filePath ?? ''}; give it as ` +
            `${sub.slice(sub.indexOf('.') + 1)}File (a file holding the value, e.g. a mounted Kubernetes Secret) ` +
            `instead`
        );
    }
    if (!leaf.setting.secret || value === undefined || value === null || value === '') return [];
    const name = suggestedEnvName(leaf);
    return [
      `${leaf.path}: a secret in the config file ${filePath ?? ''}; set ${name} or ${name}_FILE ` +
        `(a file holding the value, e.g. a mounted Kubernetes Secret) instead`,
    ];
  });
}

/** A structured value with its `<field>File` parts read and its shape normalised; problems under the leaf's path. */
function prepareNested(
  leaf: Leaf,
  picked: {value: unknown; source: ValueSource},
  readFile: (path: string) => string,
  problems: string[]
): unknown {
  const coerced = coerce(leaf.setting.kind, picked.value);
  if (!coerced.ok) return picked.value;
  const prepared = leaf.setting.nested?.prepare(coerced.value, readFile);
  if (!prepared) return coerced.value;
  const origin = describeOrigin(leaf, picked.value, picked.source);
  for (const problem of prepared.problems) {
    problems.push(`${leaf.path}${problem.startsWith('[') ? '' : '.'}${problem} ${origin}`);
  }
  return prepared.value;
}

interface Inputs {
  overrides: Readonly<Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  fileValues: Record<string, unknown> | undefined;
  filePath: string | undefined;
  readFile: (path: string) => string;
  now: Date;
}

function pick(leaf: Leaf, inputs: Inputs, problems: string[]): {value: unknown; source: ValueSource} {
  if (Object.hasOwn(inputs.overrides, leaf.path)) {
    return {value: inputs.overrides[leaf.path], source: {kind: 'flag'}};
  }
  for (const name of leaf.envNames) {
    const direct = nonEmpty(inputs.env[name]);
    const fileName = `${name}_FILE`;
    const file = readableFromFile(leaf.setting) ? nonEmpty(inputs.env[fileName]) : undefined;
    if (direct !== undefined && file !== undefined) {
      problems.push(`${leaf.path}: both ${name} and ${fileName} are set; set only one`);
      return {value: undefined, source: {kind: 'env', name}};
    }
    if (direct !== undefined) return {value: direct, source: {kind: 'env', name}};
    if (file !== undefined) {
      try {
        return {value: inputs.readFile(file).replace(/\r?\n$/, ''), source: {kind: 'env', name: fileName}};
      } catch (error) {
        const code = (error as {code?: unknown}).code;
        problems.push(
          `${leaf.path}: cannot read ${fileName} (${file}): ${typeof code === 'string' ? code : 'error'}`
        );
        return {value: undefined, source: {kind: 'env', name: fileName}};
      }
    }
  }
  if (inputs.fileValues !== undefined && inputs.filePath !== undefined) {
    const value = getIn(inputs.fileValues, leaf.keys);
    if (value !== undefined && value !== null) return {value, source: {kind: 'file', path: inputs.filePath}};
  }
  const fallback = leaf.setting.default;
  if (fallback !== undefined) {
    return {
      value: typeof fallback === 'function' ? fallback({now: inputs.now}) : fallback,
      source: {kind: 'default'},
    };
  }
  return {value: undefined, source: {kind: 'unset'}};
}

function validate(leaf: Leaf, raw: unknown, source: ValueSource, problems: string[]): unknown {
  const suffix = describeOrigin(leaf, raw, source);
  const coerced = coerce(leaf.setting.kind, raw);
  if (!coerced.ok) {
    problems.push(`${leaf.path}: ${coerced.problem} ${suffix}`);
    return undefined;
  }
  const result = leaf.setting.schema.safeParse(coerced.value);
  if (result.success) return result.data;
  const messages = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const where =
      leaf.path + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    messages.set(where, [...(messages.get(where) ?? []), issue.message]);
  }
  for (const [where, list] of messages) problems.push(`${where}: ${[...new Set(list)].join('; ')} ${suffix}`);
  return undefined;
}

/** `(got "x"; from env NAME)`, never showing a secret's value, and always naming an env var that sets it. */
function describeOrigin(leaf: Leaf, raw: unknown, source: ValueSource): string {
  const parts: string[] = [];
  if (!readableFromFile(leaf.setting)) {
    // Credentials inside a URL (user:password@) are never echoed.
    const shown = JSON.stringify(raw, (_key, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v
    )?.replace(/\/\/[^/@\s"]*@/g, '//[redacted]@');
    if (shown !== undefined) parts.push(`got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`);
  }
  switch (source.kind) {
    case 'flag':
      parts.push(`from a flag; env ${leaf.genericEnv}`);
      break;
    case 'env':
      parts.push(`from env ${source.name}`);
      break;
    case 'file':
      parts.push(`from config file ${source.path}; env ${leaf.envNames.join(' or ')}`);
      break;
    default:
      parts.push(`default; env ${leaf.envNames.join(' or ')}`);
  }
  return `(${parts.join('; ')})`;
}

function readConfigFile(
  path: string,
  readFile: (path: string) => string,
  problems: string[]
): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as {code?: unknown}).code;
    problems.push(`config file ${path}: cannot read it (${typeof code === 'string' ? code : 'error'})`);
    return undefined;
  }
  try {
    const parsed: unknown = parseYaml(text, {intAsBigInt: true});
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`config file ${path}: must be a YAML mapping of sections (pinterest, kafka, ...)`);
      return undefined;
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    // The parser's own message quotes the offending line, which may hold a secret: report only the position.
    if (error instanceof YAMLError) {
      const at = error.linePos?.[0];
      problems.push(
        `config file ${path}: YAML ${error.code}${at ? ` at line ${at.line}, column ${at.col}` : ''}`
      );
    } else {
      problems.push(`config file ${path}: not valid YAML`);
    }
    return undefined;
  }
}

function checkUnknownKeys(
  value: Record<string, unknown>,
  group: SettingsGroup,
  prefix: readonly string[],
  problems: string[]
): void {
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, key].join('.');
    const node = Object.hasOwn(group, key) ? group[key] : undefined;
    if (node === undefined) {
      problems.push(`${path}: unknown setting in the config file`);
    } else if (!isSetting(node)) {
      if (child === null || child === undefined) continue;
      if (typeof child !== 'object' || Array.isArray(child)) {
        problems.push(`${path}: must be a mapping of settings in the config file`);
      } else {
        checkUnknownKeys(child as Record<string, unknown>, node, [...prefix, key], problems);
      }
    }
  }
}

/** Catches typos such as PINTEREST_CDC_KAFKA__BROKER (every generic name has a `__`). */
function checkUnknownEnv(env: Readonly<Record<string, string | undefined>>, problems: string[]): void {
  const known = new Set<string>();
  for (const leaf of LEAVES) {
    known.add(leaf.genericEnv);
    if (readableFromFile(leaf.setting)) known.add(`${leaf.genericEnv}_FILE`);
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && name.includes('__') && !known.has(name)) {
      problems.push(`${name}: unknown setting (environment)`);
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
