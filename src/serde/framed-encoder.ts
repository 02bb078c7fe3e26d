import type {Type} from 'avsc';

import {MAGIC_BYTE, WIRE_HEADER_LENGTH} from './wire-format';

/**
 * Encodes Avro data straight into the Confluent wire format through one reusable scratch buffer: header and
 * datum are written in place and copied out once. avsc's own `toBuffer` writes into a shared 1 KiB buffer and
 * encodes a second time whenever a datum is larger (most entity records are), then `frame` would copy again.
 */
export class FramedEncoder {
  private scratch: Buffer;

  constructor(initialBytes = 64 * 1024) {
    this.scratch = Buffer.allocUnsafe(initialBytes);
  }

  /** Throws what avsc throws for a value that does not fit the type. */
  encode(type: Type, schemaId: number, value: unknown): Buffer {
    for (;;) {
      this.scratch[0] = MAGIC_BYTE;
      this.scratch.writeInt32BE(schemaId, 1);
      const end = type.encode(value, this.scratch, WIRE_HEADER_LENGTH);
      if (end >= 0) {
        const out = Buffer.allocUnsafe(end);
        this.scratch.copy(out, 0, 0, end);
        return out;
      }
      // A negative result is the number of bytes missing.
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
    }
  }
}
