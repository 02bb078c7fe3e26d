import type {Type} from 'avsc';

import {MAGIC_BYTE, WIRE_HEADER_LENGTH} from './wire-format';

/** Arena size: about a thousand 1 KB events; the messages of one transaction share a few arenas. */
const DEFAULT_ARENA_BYTES = 1024 * 1024;

/**
 * Encodes Avro data straight into the Confluent wire format, header and datum written in place in a shared arena,
 * and returns a view of the bytes: no copy, and one allocation per arena instead of one per message (small
 * per-message buffers and their garbage were a tenth of the encoding's cost). avsc's own `toBuffer` encodes a
 * second time whenever a datum exceeds its 1 KiB scratch buffer, as most entity records do.
 *
 * An arena lives as long as any message cut from it; messages are dropped once their transaction commits.
 */
export class FramedEncoder {
  private arena: Buffer;
  private offset = 0;

  constructor(private readonly arenaBytes = DEFAULT_ARENA_BYTES) {
    this.arena = Buffer.allocUnsafeSlow(arenaBytes);
  }

  /** Throws what avsc throws for a value that does not fit the type. */
  encode(type: Type, schemaId: number, value: unknown): Buffer {
    for (;;) {
      const start = this.offset;
      if (this.arena.length - start > WIRE_HEADER_LENGTH) {
        this.arena[start] = MAGIC_BYTE;
        this.arena.writeInt32BE(schemaId, start + 1);
        const end = type.encode(value, this.arena, start + WIRE_HEADER_LENGTH);
        if (end >= 0) {
          this.offset = end;
          return this.arena.subarray(start, end);
        }
        // A negative result is the number of bytes missing: a new arena, large enough for this datum.
        this.renew(this.arena.length - start - end);
      } else {
        this.renew(0);
      }
    }
  }

  private renew(needed: number): void {
    this.arena = Buffer.allocUnsafeSlow(Math.max(this.arenaBytes, needed));
    this.offset = 0;
  }
}
