/** Flattens the settings table into leaves with their dotted path and every environment variable name. */
import {isSetting, type Setting, type SettingsGroup} from './setting';

export const ENV_PREFIX = 'PINTEREST_CDC_';
/** Names the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'PINTEREST_CDC_CONFIG';

export interface Leaf {
  /** Dotted path, e.g. `kafka.sasl.password`. */
  readonly path: string;
  readonly keys: readonly string[];
  readonly setting: Setting<unknown>;
  /** The generic name, `PINTEREST_CDC_<SECTION>__<SETTING>`. */
  readonly genericEnv: string;
  /** Every name that sets it, in precedence order: generic first, then the conventional ones. */
  readonly envNames: readonly string[];
}

/** The name to suggest to a user: the conventional one (`PINTEREST_CLIENT_SECRET`) when there is one. */
export function suggestedEnvName(leaf: Leaf): string {
  return leaf.envNames[leaf.envNames.length - 1] ?? leaf.genericEnv;
}

/** `apiBaseUrl` -> `API_BASE_URL`. */
export function screamingSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

export function genericEnvName(keys: readonly string[]): string {
  return ENV_PREFIX + keys.map(screamingSnake).join('__');
}

export function leavesOf(group: SettingsGroup, prefix: readonly string[] = []): Leaf[] {
  const leaves: Leaf[] = [];
  for (const [key, node] of Object.entries(group)) {
    const keys = [...prefix, key];
    if (isSetting(node)) {
      const genericEnv = genericEnvName(keys);
      const envNames = [genericEnv, ...node.env.filter((name) => name !== genericEnv)];
      leaves.push({path: keys.join('.'), keys, setting: node, genericEnv, envNames});
    } else {
      leaves.push(...leavesOf(node, keys));
    }
  }
  return leaves;
}

/** Reads a nested value by keys; undefined when any level is missing. */
export function getIn(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Writes a nested value by keys, creating the levels. */
export function setIn(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let current = target;
  for (const [i, key] of keys.entries()) {
    if (i === keys.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (typeof next !== 'object' || next === null) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
}
