/**
 * What each Avro field type of avro/<collection>/{key,value}.avsc became in PostgreSQL, read from the tables the
 * sink created (schema.evolution=basic), against what the README's "Consuming the topics" says.
 */
import fs from 'node:fs';
import path from 'node:path';

import type {Table} from './postgres-tables';

interface AvroField {
  name: string;
  type: unknown;
  'x-format'?: string;
}

/** The README's table: Avro type (as described there) -> PostgreSQL type. */
export const DOCUMENTED_TYPES: Record<string, string> = {
  string: 'text',
  'string (JSON text)': 'text',
  long: 'bigint',
  double: 'double precision',
  boolean: 'boolean',
  'array<string>': 'text[]',
  'int (date)': 'date',
};

export interface TypeUse {
  avro: string;
  postgres: string;
  columns: number;
  /** e.g. campaigns.daily_spend_cap */
  example: string;
}

function describeAvro(field: AvroField): string {
  const branches = Array.isArray(field.type) ? field.type : [field.type];
  const type = branches.find((b) => b !== 'null');
  if (typeof type === 'string')
    return type === 'string' && field['x-format'] === 'json' ? 'string (JSON text)' : type;
  const complex = type as {type: string; items?: unknown; logicalType?: string};
  if (complex.type === 'array') return `array<${String(complex.items)}>`;
  if (complex.logicalType) return `${complex.type} (${complex.logicalType})`;
  return JSON.stringify(type);
}

function describePostgres(column: {type: string; udt: string}): string {
  return column.type === 'ARRAY' ? `${column.udt.replace(/^_/, '')}[]` : column.type;
}

/** Every schema field with the type of its column; a field without a column is reported as "(no column)". */
export function columnTypes(rootDir: string, collection: string, table: Table): TypeUse[] {
  const read = (file: string) =>
    (
      JSON.parse(fs.readFileSync(path.join(rootDir, 'avro', collection, file), 'utf8')) as {
        fields: AvroField[];
      }
    ).fields;
  const fields = new Map<string, AvroField>();
  for (const field of [...read('value.avsc'), ...read('key.avsc')])
    if (!fields.has(field.name)) fields.set(field.name, field);
  const uses = new Map<string, TypeUse>();
  for (const field of fields.values()) {
    const column = table.columns.find((c) => c.name === field.name);
    const avro = describeAvro(field);
    const postgres = column ? describePostgres(column) : '(no column)';
    const id = `${avro} -> ${postgres}`;
    const use = uses.get(id) ?? {avro, postgres, columns: 0, example: `${collection}.${field.name}`};
    use.columns += 1;
    uses.set(id, use);
  }
  return [...uses.values()];
}

/** Sums the uses of several tables per (Avro, PostgreSQL) pair. */
export function mergeTypeUses(uses: readonly TypeUse[]): TypeUse[] {
  const merged = new Map<string, TypeUse>();
  for (const use of uses) {
    const id = `${use.avro} -> ${use.postgres}`;
    const into = merged.get(id);
    if (into) into.columns += use.columns;
    else merged.set(id, {...use});
  }
  return [...merged.values()].sort((a, b) => b.columns - a.columns);
}
