import {Type} from 'avsc';
import type {CollectionDeclaration} from '../collections/types';
import {LOGICAL_TYPES} from './date-type';
import {nullablePrimitiveUnionHook} from './nullable-union';
import {assembleEnvelope} from './envelope';
import {compileFieldPlans} from './field-plan';
import {defaultAvroDir, readSchemaFile, type RawSchema} from './schema-files';
import {recordPlan, type RecordPlan} from './to-avro';

/** Everything the serde needs about one collection's schemas, loaded once at start. */
export interface CollectionSchemas {
  readonly declaration: CollectionDeclaration;
  /** Raw schemas exactly as registered under `<topic>-key` / `<topic>-value`. */
  readonly keySchema: RawSchema;
  /** The record schema of `before`/`after`, as it sits inside the envelope. */
  readonly valueSchema: RawSchema;
  readonly envelopeSchema: RawSchema;
  readonly keyType: Type;
  readonly envelopeType: Type;
  readonly keyPlan: RecordPlan;
  readonly valuePlan: RecordPlan;
}

export interface SchemaCatalogOptions {
  readonly collections: readonly CollectionDeclaration[];
  /** Defaults to the repository's top-level `avro/`. */
  readonly avroDir?: string;
}

/** Fresh each time: avsc stores its name registry in the options object it is given. */
export function avscTypeOptions(): {
  logicalTypes: typeof LOGICAL_TYPES;
  wrapUnions: 'auto';
  typeHook: typeof nullablePrimitiveUnionHook;
} {
  return {logicalTypes: LOGICAL_TYPES, wrapUnions: 'auto', typeHook: nullablePrimitiveUnionHook};
}

/** The loaded, assembled and compiled schemas of a set of collections. */
export class SchemaCatalog {
  private readonly byName = new Map<string, CollectionSchemas>();

  constructor(options: SchemaCatalogOptions) {
    const avroDir = options.avroDir ?? defaultAvroDir();
    const template = readSchemaFile(avroDir, 'common/envelope.avsc');
    const source = readSchemaFile(avroDir, 'common/source.avsc');
    for (const declaration of options.collections) {
      const keySchema = readSchemaFile(avroDir, declaration.schemas.key);
      const valueSchema = readSchemaFile(avroDir, declaration.schemas.value);
      const envelopeSchema = assembleEnvelope(template, source, valueSchema, declaration.name);
      const keyPlans = compileFieldPlans(keySchema as {fields?: never});
      const keyNames = keyPlans.map((f) => f.name).join(',');
      if (keyNames !== declaration.keyFields.join(',')) {
        throw new Error(
          `Key schema of ${declaration.name} has fields ${keyNames}, declared ${declaration.keyFields}`
        );
      }
      this.byName.set(declaration.name, {
        declaration,
        keySchema,
        valueSchema,
        envelopeSchema,
        keyType: compile(keySchema, declaration.schemas.key),
        envelopeType: compile(envelopeSchema, `${declaration.name} envelope`),
        keyPlan: recordPlan(declaration.name, keyPlans, false),
        valuePlan: recordPlan(declaration.name, compileFieldPlans(valueSchema as {fields?: never}), true),
      });
    }
  }

  get(collection: string): CollectionSchemas {
    const schemas = this.byName.get(collection);
    if (!schemas) throw new Error(`No schemas loaded for collection ${JSON.stringify(collection)}`);
    return schemas;
  }

  all(): CollectionSchemas[] {
    return [...this.byName.values()];
  }
}

function compile(schema: RawSchema, what: string): Type {
  try {
    return Type.forSchema(schema as never, avscTypeOptions());
  } catch (error) {
    throw new Error(`Invalid Avro schema ${what}: ${(error as Error).message}`, {cause: error});
  }
}
