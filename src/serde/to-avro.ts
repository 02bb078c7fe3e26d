import {canonicalJson, type NestedTexts} from '../events/canonical-json';
import {stringifyLosslessJson} from '../events/lossless-json';
import type {JsonRecord} from '../events/change-event';
import {DateMemo} from './date-type';
import {FieldEncodeError} from './errors';
import {type FieldPlan, UNKNOWN_FIELDS_FIELD} from './field-plan';

/** The compiled shape of one record schema: its fields in order and the set of names it knows. */
export interface RecordPlan {
  readonly collection: string;
  readonly fields: readonly FieldPlan[];
  readonly known: ReadonlySet<string>;
  readonly byName: ReadonlyMap<string, FieldPlan>;
  /** Fields that may not be null (key fields). */
  readonly required: readonly FieldPlan[];
  /** Whether the schema has `unknown_fields_json` (value schemas do, key schemas do not). */
  readonly keepsUnknown: boolean;
  /** A new record with every field (and unknown_fields_json) null. */
  readonly blank: () => Record<string, unknown>;
  readonly dates: DateMemo;
}

export function recordPlan(
  collection: string,
  fields: readonly FieldPlan[],
  keepsUnknown: boolean
): RecordPlan {
  const names = [...fields.map((f) => f.name), ...(keepsUnknown ? [UNKNOWN_FIELDS_FIELD] : [])];
  // An object literal of every field: V8 builds it from one boilerplate with fast properties, where adding the
  // ~180 fields of an analytics record one by one took ~40 µs (dictionary mode) per record.
  const blank = new Function(
    `return {${names.map((n) => `${JSON.stringify(n)}: null`).join(', ')}};`
  ) as () => Record<string, unknown>;
  return {
    collection,
    fields,
    known: new Set(fields.map((f) => f.name)),
    byName: new Map(fields.map((f) => [f.name, f])),
    required: fields.filter((f) => !f.nullable),
    keepsUnknown,
    blank,
    dates: new DateMemo(),
  };
}

/**
 * Maps a raw API record to the Avro record of its schema. Rules (docs/contracts.md "Events & serde"):
 * absent or null -> null (a non-null field without a value is an error); string <- string, or an integer written
 * in decimal (a bigint too: the client parses integers beyond 2^53 as bigints); long <- an integer within +/-(2^53 - 2), avsc's
 * bound (never a string: the API's Unix seconds and micro amounts are numbers; beyond, an error: a dead letter);
 * double <- a finite number or a bigint; boolean <- boolean; json <- any value, as canonical JSON text (bigints
 * as their digits); string_array <- array of strings (integers written in decimal); date <- `YYYY-MM-DD`. Fields
 * the schema does not know go, all together, to `unknown_fields_json`.
 *
 * `nested`: the canonical texts of the record's nested members when the caller has them (canonicalRecord, from
 * the differ); JSON-string fields then reuse them instead of canonicalising again.
 */
export function toAvroRecord(
  plan: RecordPlan,
  json: JsonRecord,
  nested?: NestedTexts | null
): Record<string, unknown> {
  // Visits the record's members, not the schema's fields: wide schemas (analytics: ~180 columns) are sparse.
  const out = plan.blank();
  let unknown: string[] | null = null;
  for (const name in json) {
    const field = plan.byName.get(name);
    if (field !== undefined) out[name] = convert(plan, field, json[name], nested?.[name]);
    else if (plan.keepsUnknown && json[name] !== undefined) (unknown ??= []).push(name);
  }
  for (const field of plan.required) {
    if (out[field.name] === null) convert(plan, field, undefined);
  }
  if (unknown !== null) out[UNKNOWN_FIELDS_FIELD] = unknownFieldsJson(unknown, json, nested);
  return out;
}

/** Canonical JSON of the members the schema does not know (sorted, as canonicalJson would write them). */
function unknownFieldsJson(names: string[], json: JsonRecord, nested?: NestedTexts | null): string {
  names.sort();
  let out = '{';
  for (const name of names) {
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(name)}:${nested?.[name] ?? canonicalJson(json[name])}`;
  }
  return out + '}';
}

// avsc's default long type writes JS numbers up to 2^53 - 2 (isSafeLong in avsc/lib/types.js). Negative ones
// are exact only down to -2^52: below, its zig-zag step (-n * 2 - 1, lib/utils.js writeLong) needs 54 bits and a
// double rounds it, so -(2^52 + 1) was written as +2^52, silently (found 2026-11-30, avsc 5.7.9). Beyond these
// bounds a value fails here, naming its field: a dead letter with its exact digits, never a wrong number.
const AVSC_MAX_LONG = Number.MAX_SAFE_INTEGER - 1;
const AVSC_MIN_LONG = -(2 ** 52);

function convert(plan: RecordPlan, field: FieldPlan, value: unknown, canonical?: string): unknown {
  const collection = plan.collection;
  if (value === undefined || value === null) {
    if (field.nullable) return null;
    throw new FieldEncodeError(collection, field.name, 'is required but missing or null');
  }
  const fail = (expected: string): never => {
    throw new FieldEncodeError(collection, field.name, `expected ${expected}, got ${describe(value)}`);
  };
  switch (field.kind) {
    case 'string':
      return decimalString(value) ?? fail('a string');
    case 'long': {
      // A bigint within the bounds is exact as a number; one beyond them fails like a number beyond them.
      const long = typeof value === 'bigint' ? Number(value) : value;
      if (
        typeof long === 'number' &&
        Number.isInteger(long) &&
        long >= AVSC_MIN_LONG &&
        long <= AVSC_MAX_LONG
      )
        return long;
      return fail('an integer within -2^52 .. 2^53 - 2 (long)');
    }
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      // An integer beyond 2^53 arrives as a bigint (events/lossless-json.ts); a double holds it as closely as it can.
      if (typeof value === 'bigint') return Number(value);
      return fail('a finite number (double)');
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return fail('a boolean');
    case 'json':
      return canonical ?? canonicalJson(value);
    case 'string_array':
      if (!Array.isArray(value)) return fail('an array of strings');
      return value.map((item: unknown) => decimalString(item) ?? fail('an array of strings'));
    case 'date':
      if (typeof value === 'string' && plan.dates.daysOf(value) !== undefined) return value;
      return fail('a YYYY-MM-DD date');
  }
}

/** A string as it is; an integer (a safe number, or a bigint beyond 2^53: an id sent as a number) in decimal. */
function decimalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint')
    return String(value);
  return undefined;
}

function describe(value: unknown): string {
  const type = Array.isArray(value) ? 'array' : typeof value;
  const text = stringifyLosslessJson(value);
  return `${type} ${text.length > 40 ? text.slice(0, 40) + '...' : text}`;
}
