/**
 * Turns the strings of environment variables and flags (and strings in the file where another type is due) into
 * the value a setting's schema validates. Unparseable input is returned unchanged so validation reports it.
 */
import {parse as parseYaml} from 'yaml';

import type {SettingKind} from './setting';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export type Coerced = {ok: true; value: unknown} | {ok: false; problem: string};

export function coerce(kind: SettingKind, raw: unknown): Coerced {
  // YAML is parsed with integers as bigint, so 19-digit Pinterest ids keep every digit.
  if (typeof raw === 'bigint') {
    if (kind === 'integer') return {ok: true, value: Number(raw)};
    return {ok: true, value: kind === 'string' || kind === 'enum' ? String(raw) : raw};
  }
  if (kind === 'structure') return coerceStructure(raw);
  if (Array.isArray(raw) && kind === 'list') {
    return {ok: true, value: raw.map((item) => (typeof item === 'bigint' ? String(item) : item))};
  }
  if (typeof raw !== 'string') return {ok: true, value: raw};
  const trimmed = raw.trim();
  switch (kind) {
    case 'integer':
      return {ok: true, value: /^-?\d+$/.test(trimmed) ? Number(trimmed) : raw};
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (TRUE.has(lower)) return {ok: true, value: true};
      if (FALSE.has(lower)) return {ok: true, value: false};
      return {ok: true, value: raw};
    }
    case 'list':
      return coerceList(trimmed);
    case 'string':
    case 'enum':
      return {ok: true, value: raw};
  }
}

/** JSON or YAML text (from the environment or a `_FILE`), else the file's value; integers become strings (ids). */
function coerceStructure(raw: unknown): Coerced {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = parseYaml(raw, {intAsBigInt: true}) as unknown;
    } catch {
      // The parser's message quotes the text, which holds secrets.
      return {ok: false, problem: 'is not valid JSON or YAML'};
    }
  }
  return {ok: true, value: bigintsAsStrings(value)};
}

function bigintsAsStrings(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(bigintsAsStrings);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bigintsAsStrings(v)]));
  return value;
}

/** A JSON array (`["a","b"]`) or a comma-separated list (`a, b`); the empty string is the empty list. */
function coerceList(trimmed: string): Coerced {
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (!Array.isArray(parsed))
        return {ok: false, problem: 'must be a JSON array or a comma-separated list'};
      return {ok: true, value: parsed};
    } catch {
      // `[::1]:9092,...` is a comma list starting with an IPv6 address, not broken JSON.
      if (/^\[\s*(["\d{[\]]|$)/.test(trimmed)) return {ok: false, problem: 'is not a valid JSON array'};
    }
  }
  return {
    ok: true,
    value:
      trimmed === ''
        ? []
        : trimmed
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== ''),
  };
}
