import {existsSync, readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';

export type RawSchema = Record<string, unknown> & {name?: string; namespace?: string; fields?: unknown[]};

/** The top-level `avro/` folder: nearest ancestor of this module holding `avro/common/envelope.avsc`. */
export function defaultAvroDir(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'avro');
    if (existsSync(join(candidate, 'common', 'envelope.avsc'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No avro/common/envelope.avsc above ${from}`);
    dir = parent;
  }
}

export function readSchemaFile(avroDir: string, relativePath: string): RawSchema {
  const file = join(avroDir, relativePath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read Avro schema ${file}`, {cause: error});
  }
  try {
    return JSON.parse(text) as RawSchema;
  } catch (error) {
    throw new Error(`Avro schema ${file} is not valid JSON`, {cause: error});
  }
}
