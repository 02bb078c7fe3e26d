/**
 * A faster writer for `["null", <primitive>]` unions, the shape of almost every optional field (an analytics value
 * has ~180 of them, most null). avsc's unwrapped union finds the branch of every value through a bucket lookup
 * (typeof, then a keyed table); here the branch is known from `null` / the primitive's JS type. The bytes are
 * avsc's (branch index as a zig-zag long, then the value), and reading, checking and schema resolution stay avsc's:
 * a value of any other type falls back to avsc's own write, which throws as before.
 */
import {types, type Schema, type Type} from 'avsc';

type JsType = 'number' | 'string' | 'boolean';

const PRIMITIVE_JS_TYPE: Readonly<Record<string, JsType>> = {
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  string: 'string',
  boolean: 'boolean',
};

/**
 * avsc's internal write cursor (lib/utils.js Tap). Writes past the end of `buf` are dropped and leave `pos` past
 * it, which avsc detects and retries with a larger buffer (its own writeBoolean relies on the same).
 */
interface Tap {
  buf: Uint8Array;
  pos: number;
}

// The branch index as Avro writes it: a zig-zag varint, one byte for 0 (null) and 1 (the value), i.e. 0 and 2.
const NULL_BRANCH = 0;
const VALUE_BRANCH = 2;
interface WritableType {
  _write(tap: Tap, value: unknown): void;
}

/** One class per JS type (avsc freezes its types, so the expected type cannot be an instance field). */
function nullableUnionClass(jsType: JsType) {
  return class NullablePrimitiveUnion extends types.UnwrappedUnionType {
    _write(tap: Tap, value: unknown): void {
      if (value === null) {
        tap.buf[tap.pos++] = NULL_BRANCH;
      } else if (typeof value === jsType) {
        tap.buf[tap.pos++] = VALUE_BRANCH;
        (this.types[1] as unknown as WritableType)._write(tap, value);
      } else {
        (types.UnwrappedUnionType.prototype as unknown as WritableType)._write.call(this, tap, value);
      }
    }
  };
}

const UNION_CLASS = {
  number: nullableUnionClass('number'),
  string: nullableUnionClass('string'),
  boolean: nullableUnionClass('boolean'),
};

/** avsc `typeHook`: `["null", P]` with P a primitive gets the fast writer; everything else avsc's own types. */
export function nullablePrimitiveUnionHook(schema: Schema, opts: unknown): Type | undefined {
  if (!Array.isArray(schema) || schema.length !== 2 || schema[0] !== 'null') return undefined;
  const branch = schema[1];
  const jsType = typeof branch === 'string' ? PRIMITIVE_JS_TYPE[branch] : undefined;
  if (jsType === undefined) return undefined;
  return new UNION_CLASS[jsType](schema, opts);
}
