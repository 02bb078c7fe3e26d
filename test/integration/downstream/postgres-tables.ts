/** Reading the sink's tables back through psql: their columns (with PostgreSQL's types) and their rows as JSON. */

export interface Column {
  name: string;
  /** information_schema's data_type: text, bigint, boolean, double precision, ARRAY, date, ... */
  type: string;
  /** the element type's name for arrays (_text), else the type's own (int8, text, ...) */
  udt: string;
}

export interface Table {
  name: string;
  columns: Column[];
  primaryKey: string[];
  /** bigint columns as text: JSON numbers cannot hold every 64-bit value */
  rows: Record<string, unknown>[];
}

export type Query = (sql: string) => Promise<string>;

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The public tables of the database. */
export async function tableNames(query: Query): Promise<string[]> {
  const out = await query(
    "select coalesce(json_agg(table_name order by table_name), '[]') from information_schema.tables " +
      "where table_schema = 'public'"
  );
  return JSON.parse(out) as string[];
}

/** Columns, primary key and every row of one table; undefined when it does not exist. */
export async function readTable(query: Query, name: string): Promise<Table | undefined> {
  const columns = JSON.parse(
    await query(
      "select coalesce(json_agg(json_build_object('name', column_name, 'type', data_type, 'udt', udt_name) " +
        "order by ordinal_position), '[]') from information_schema.columns " +
        `where table_schema = 'public' and table_name = ${literal(name)}`
    )
  ) as Column[];
  if (columns.length === 0) return undefined;
  const primaryKey = JSON.parse(
    await query(
      "select coalesce(json_agg(a.attname order by array_position(i.indkey, a.attnum)), '[]') " +
        'from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) ' +
        `where i.indrelid = ${literal(`public.${ident(name)}`)}::regclass and i.indisprimary`
    )
  ) as string[];
  const select = columns
    .map((c) => (c.type === 'bigint' ? `${ident(c.name)}::text as ${ident(c.name)}` : ident(c.name)))
    .join(', ');
  const rows = JSON.parse(
    await query(`select coalesce(json_agg(t), '[]') from (select ${select} from ${ident(name)}) t`)
  ) as Record<string, unknown>[];
  return {name, columns, primaryKey, rows};
}
