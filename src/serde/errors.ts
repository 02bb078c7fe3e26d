import {CdcError, EncodeError} from '../errors';

/** A field of a record that does not fit its Avro schema; the record goes to the dead-letter topic. */
export class FieldEncodeError extends EncodeError {
  constructor(
    readonly collection: string,
    readonly field: string,
    readonly problem: string
  ) {
    super(`Cannot encode ${collection} record: field ${field} ${problem}`);
  }
}

/** The registry refused a schema (incompatible change, invalid schema) or could not be reached. */
export class SchemaRegistrationError extends CdcError {
  constructor(
    readonly subject: string,
    readonly reason: string,
    options: {retriable: boolean; cause?: unknown}
  ) {
    super(`Schema registration for subject ${subject} failed: ${reason}`, options);
  }
}
