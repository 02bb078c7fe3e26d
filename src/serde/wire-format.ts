/** Confluent wire format: magic byte 0, schema id as big-endian int32, then the Avro binary datum. */
export const MAGIC_BYTE = 0;
export const WIRE_HEADER_LENGTH = 5;

export function unframe(message: Buffer): {schemaId: number; payload: Buffer} {
  if (message.length < WIRE_HEADER_LENGTH || message[0] !== MAGIC_BYTE) {
    throw new Error('Not a Confluent wire-format message (magic byte 0 + 4-byte schema id)');
  }
  return {schemaId: message.readInt32BE(1), payload: message.subarray(WIRE_HEADER_LENGTH)};
}
