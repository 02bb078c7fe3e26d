/** Secret handling derived from the settings table: redacted copies for printing, raw values for log censoring. */
import {getIn, setIn} from './leaves';
import {configLeaves} from './load';
import type {AppConfig} from './settings';

export const REDACTED = '[redacted]';

/** A copy of the config with every set secret replaced by "[redacted]" (unset secrets stay unset). */
export function redactConfig(config: AppConfig): AppConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const leaf of configLeaves()) {
    const value = getIn(copy, leaf.keys);
    if (value === undefined) continue;
    if (leaf.setting.nested) setIn(copy, leaf.keys, leaf.setting.nested.redact(value, REDACTED));
    else if (leaf.setting.secret) setIn(copy, leaf.keys, REDACTED);
  }
  return copy as unknown as AppConfig;
}

/** The secret strings the config holds (for the logger's censor and for tests). */
export function secretValues(config: AppConfig): string[] {
  const values: string[] = [];
  for (const leaf of configLeaves()) {
    const value = getIn(config, leaf.keys);
    if (leaf.setting.nested && value !== undefined) values.push(...leaf.setting.nested.values(value));
    else if (leaf.setting.secret && typeof value === 'string' && value !== '') values.push(value);
  }
  return [...new Set(values)];
}

/** Dotted paths of the secret settings. */
export function secretPaths(): string[] {
  return configLeaves()
    .filter((leaf) => leaf.setting.secret)
    .map((leaf) => leaf.path);
}
