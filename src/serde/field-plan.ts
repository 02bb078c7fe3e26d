/**
 * How each field of a value or key schema is filled from an API record, read from the .avsc itself so that a
 * schema file stays the single source of truth: the Avro type gives the kind, `"x-format": "json"` on a string
 * field marks nested objects kept as JSON text, a `["null", T]` union makes the field optional.
 */
export type FieldKind = 'string' | 'long' | 'double' | 'boolean' | 'json' | 'string_array' | 'date';

export interface FieldPlan {
  readonly name: string;
  readonly kind: FieldKind;
  readonly nullable: boolean;
}

export const UNKNOWN_FIELDS_FIELD = 'unknown_fields_json';

interface RawField {
  name: string;
  type: unknown;
  ['x-format']?: string;
}

export function compileFieldPlans(schema: {name?: string; fields?: RawField[]}): FieldPlan[] {
  if (!Array.isArray(schema.fields)) throw new Error(`Schema ${schema.name ?? '?'} is not a record`);
  return schema.fields
    .filter((field) => field.name !== UNKNOWN_FIELDS_FIELD)
    .map((field) => {
      const union = Array.isArray(field.type) ? field.type : null;
      const nullable = union !== null && union.includes('null');
      const branches = union ? union.filter((t) => t !== 'null') : [field.type];
      if (branches.length !== 1)
        throw new Error(`Field ${field.name}: only ["null", T] unions are supported`);
      return {name: field.name, kind: kindOf(field, branches[0]), nullable};
    });
}

function kindOf(field: RawField, type: unknown): FieldKind {
  if (type === 'string') return field['x-format'] === 'json' ? 'json' : 'string';
  if (type === 'long') return 'long';
  if (type === 'double') return 'double';
  if (type === 'boolean') return 'boolean';
  if (typeof type === 'object' && type !== null) {
    const t = type as {type?: unknown; items?: unknown; logicalType?: unknown};
    if (t.type === 'array' && t.items === 'string') return 'string_array';
    if (t.type === 'int' && t.logicalType === 'date') return 'date';
  }
  throw new Error(`Field ${field.name}: unsupported type ${JSON.stringify(type)}`);
}
