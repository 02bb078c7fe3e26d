export {SchemaCatalog, avscTypeOptions} from './schema-catalog';
export type {CollectionSchemas, SchemaCatalogOptions} from './schema-catalog';
export {EventSerializer} from './event-serializer';
export type {EncodedMessage, SubjectIds} from './event-serializer';
export {
  createRegistryClient,
  noAnswerReason,
  REGISTRY_REQUEST_TIMEOUT_MS,
  SchemaRegistrar,
  subjectsOf,
} from './schema-registrar';
export type {RegistryClient, RegistryHooks, RegistryOutcome, SubjectSchema} from './schema-registrar';
export {checkSubjects} from './schema-check';
export type {SubjectCheck, SubjectState} from './schema-check';
export {RegistryAccessError, verifyRegistryAccess} from './registry-access';
export type {RegistryAccess} from './registry-access';
export {toAvroRecord, recordPlan} from './to-avro';
export type {RecordPlan} from './to-avro';
export {compileFieldPlans, UNKNOWN_FIELDS_FIELD} from './field-plan';
export type {FieldKind, FieldPlan} from './field-plan';
export {FieldEncodeError, SchemaRegistrationError} from './errors';
export {unframe, MAGIC_BYTE, WIRE_HEADER_LENGTH} from './wire-format';
export {IsoDateType, isoDateToDays, daysToIsoDate} from './date-type';
export {assembleEnvelope} from './envelope';
export {defaultAvroDir, readSchemaFile} from './schema-files';
export type {RawSchema} from './schema-files';
export {InlineBatchEncoder} from './batch-encoder';
export type {BatchEncoder, EncodedEvent, EncodeItem} from './batch-encoder';
