import type {Type} from 'avsc';
import type {NestedTexts} from '../events/canonical-json';
import type {ChangeEvent, EventKey} from '../events/change-event';
import {CONNECTOR_NAME} from '../events/change-event';
import {EncodeError} from '../errors';
import type {SchemaCatalog} from './schema-catalog';
import {toAvroRecord} from './to-avro';
import {FramedEncoder} from './framed-encoder';
import {unframe} from './wire-format';

/** Registry ids of a collection's subjects, as returned by SchemaRegistrar. */
export interface SubjectIds {
  readonly keyId: number;
  readonly valueId: number;
}

/** A Kafka message ready for the writer; a null value is a tombstone. */
export interface EncodedMessage {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

interface Encoder {
  readonly keyId: number;
  readonly valueId: number;
  readonly keyType: Type;
  readonly envelopeType: Type;
}

/**
 * Encodes change events into Confluent wire-format key/value buffers. All schema ids are known up front
 * (SchemaRegistrar at start), so encoding never calls the registry.
 */
export class EventSerializer {
  private readonly encoders = new Map<string, Encoder>();
  private readonly typesById = new Map<number, Type>();
  private readonly framed = new FramedEncoder();

  constructor(
    private readonly catalog: SchemaCatalog,
    ids: ReadonlyMap<string, SubjectIds>
  ) {
    for (const [collection, {keyId, valueId}] of ids) {
      const schemas = catalog.get(collection);
      this.encoders.set(collection, {
        keyId,
        valueId,
        keyType: schemas.keyType,
        envelopeType: schemas.envelopeType,
      });
      this.typesById.set(keyId, schemas.keyType);
      this.typesById.set(valueId, schemas.envelopeType);
    }
  }

  encodeKey(collection: string, key: EventKey): Buffer {
    const encoder = this.encoder(collection);
    const record = toAvroRecord(this.catalog.get(collection).keyPlan, key);
    return this.encode(encoder.keyType, encoder.keyId, record, collection, 'key');
  }

  /**
   * Throws EncodeError (FieldEncodeError naming the field) when the record does not fit its schema.
   * `afterNested`: canonical texts of `event.after`'s nested members when known (see toAvroRecord).
   */
  encodeValue(event: ChangeEvent, afterNested?: NestedTexts | null): Buffer {
    const encoder = this.encoder(event.collection);
    const plan = this.catalog.get(event.collection).valuePlan;
    const envelope = {
      before: event.before === null ? null : toAvroRecord(plan, event.before),
      after: event.after === null ? null : toAvroRecord(plan, event.after, afterNested),
      source: {
        connector: CONNECTOR_NAME,
        version: event.source.version,
        name: event.source.name,
        collection: event.source.collection,
        ad_account_id: event.source.adAccountId,
        sync_id: event.source.syncId,
        snapshot: event.source.snapshot ? 'true' : 'false',
        ts_ms: event.source.tsMs,
        connection: event.source.connection ?? null,
      },
      op: event.op,
      ts_ms: event.tsMs,
      changed_fields: event.changedFields === null ? null : [...event.changedFields],
    };
    return this.encode(encoder.envelopeType, encoder.valueId, envelope, event.collection, 'value');
  }

  /** The messages of one event: the event itself, then for `d` a tombstone (same key, null value). */
  toMessages(event: ChangeEvent, afterNested?: NestedTexts | null): EncodedMessage[] {
    const key = this.encodeKey(event.collection, event.key);
    const value = this.encodeValue(event, afterNested);
    return event.op === 'd'
      ? [
          {key, value},
          {key, value: null},
        ]
      : [{key, value}];
  }

  /** Decodes a key or value this serializer's schemas wrote (tests and tools; decode is not on the hot path). */
  decode(message: Buffer): {schemaId: number; value: unknown} {
    const {schemaId, payload} = unframe(message);
    const type = this.typesById.get(schemaId);
    if (!type) throw new Error(`Unknown schema id ${schemaId}`);
    return {schemaId, value: type.fromBuffer(payload)};
  }

  private encode(type: Type, schemaId: number, value: unknown, collection: string, part: string): Buffer {
    try {
      return this.framed.encode(type, schemaId, value);
    } catch (error) {
      throw describeEncodeFailure(type, value, collection, part, error);
    }
  }

  private encoder(collection: string): Encoder {
    const encoder = this.encoders.get(collection);
    if (!encoder) throw new Error(`No registered schema ids for collection ${JSON.stringify(collection)}`);
    return encoder;
  }
}

/** Names the paths avsc rejects, so the dead letter says which field did not fit. */
function describeEncodeFailure(
  type: Type,
  value: unknown,
  collection: string,
  part: string,
  error: unknown
): EncodeError {
  const paths: string[] = [];
  type.isValid(value, {errorHook: (path) => paths.push(path.join('.'))});
  const where = paths.length > 0 ? ` at ${paths.join(', ')}` : '';
  return new EncodeError(`Cannot encode ${collection} ${part}${where}: ${(error as Error).message}`, error);
}
