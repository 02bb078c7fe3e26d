import {SchemaType} from '@kafkajs/confluent-schema-registry';
import type SchemaRegistry from '@kafkajs/confluent-schema-registry/dist/SchemaRegistry';
import {topicOf} from '../collections/registry';
import type {SubjectIds} from './event-serializer';
import {SchemaRegistrationError} from './errors';
import type {CollectionSchemas, SchemaCatalog} from './schema-catalog';

/** The part of @kafkajs/confluent-schema-registry's client the registrar uses (a fake fits in tests). */
export type RegistryClient = Pick<SchemaRegistry, 'register'>;

/**
 * Registers `<topic>-key` and `<topic>-value` for every collection at start. Re-registering an identical schema
 * returns its existing id; an incompatible local change makes the registry refuse it, and start fails with a
 * SchemaRegistrationError naming the subject and the registry's reason.
 */
export class SchemaRegistrar {
  constructor(
    private readonly registry: RegistryClient,
    private readonly catalog: SchemaCatalog,
    private readonly topicPrefix: string
  ) {}

  async registerAll(): Promise<Map<string, SubjectIds>> {
    const ids = new Map<string, SubjectIds>();
    for (const schemas of this.catalog.all()) ids.set(schemas.declaration.name, await this.register(schemas));
    return ids;
  }

  async register(schemas: CollectionSchemas): Promise<SubjectIds> {
    const [key, value] = subjectsOf(this.topicPrefix, schemas);
    const keyId = await this.registerSubject(key.subject, key.schema);
    const valueId = await this.registerSubject(value.subject, value.schema);
    return {keyId, valueId};
  }

  private async registerSubject(subject: string, schema: object): Promise<number> {
    try {
      const {id} = await this.registry.register(
        {type: SchemaType.AVRO, schema: JSON.stringify(schema)},
        {subject}
      );
      return id;
    } catch (error) {
      const status = (error as {status?: unknown}).status;
      const retriable = typeof status !== 'number' || status >= 500 || status === 429;
      throw new SchemaRegistrationError(subject, reasonOf(error), {retriable, cause: error});
    }
  }
}

export interface SubjectSchema {
  subject: string;
  schema: object;
}

/** The subjects of one collection (TopicNameStrategy: `<topic>-key`, `<topic>-value`) with their schemas. */
export function subjectsOf(topicPrefix: string, schemas: CollectionSchemas): [SubjectSchema, SubjectSchema] {
  const topic = topicOf(topicPrefix, schemas.declaration);
  return [
    {subject: `${topic}-key`, schema: schemas.keySchema},
    {subject: `${topic}-value`, schema: schemas.envelopeSchema},
  ];
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as {status?: unknown}).status;
    return typeof status === 'number' ? `${error.message} (HTTP ${status})` : error.message;
  }
  return String(error);
}
