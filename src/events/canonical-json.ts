/**
 * JSON text with object keys sorted at every depth, so that two values equal as data give the same text whatever
 * order the API sent their keys in. Used for content hashes, stored images and JSON-string Avro fields.
 * Follows JSON.stringify otherwise (undefined members skipped, non-finite numbers as null); a bigint is written
 * as its digits, a Date through toJSON.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return canonicalArray(value);
      if (value instanceof Date) return JSON.stringify(value);
      return canonicalObject(value as Record<string, unknown>);
    default:
      return 'null';
  }
}

function canonicalArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    out +=
      item === undefined || typeof item === 'function' || typeof item === 'symbol'
        ? 'null'
        : canonicalJson(item);
  }
  return out + ']';
}

/** Canonical texts of a record's object- and array-valued members, by member name. */
export type NestedTexts = Readonly<Record<string, string>>;

export interface CanonicalRecord {
  readonly text: string;
  /** The canonical texts of its object- and array-valued members; null when it has none. */
  readonly nested: NestedTexts | null;
}

/**
 * canonicalJson of a record, keeping the texts of its nested members on the way: the Avro mapping writes those
 * members as JSON-string fields, and reusing the differ's texts spares it a second canonicalisation (which was
 * about half of the encoding's cost on pins).
 */
export function canonicalRecord(record: Record<string, unknown>): CanonicalRecord {
  const nested: Record<string, string> = Object.create(null) as Record<string, string>;
  const text = canonicalObject(record, nested);
  for (const _ in nested) return {text, nested};
  return {text, nested: null};
}

function canonicalObject(object: Record<string, unknown>, nested?: Record<string, string>): string {
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    const text = canonicalJson(member);
    if (nested && typeof member === 'object' && member !== null && !(member instanceof Date)) {
      nested[key] = text;
    }
    out += JSON.stringify(key) + ':' + text;
  }
  return out + '}';
}
