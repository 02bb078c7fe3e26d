import type {OutgoingMessage} from './types';

/**
 * Sizes as the broker counts them against a topic's `max.message.bytes`: for the v2 message format it checks
 * each record batch (RecordBatch.sizeInBytes, which includes the 12-byte log overhead), and kafkajs puts all of a
 * request's messages for one partition into one batch, uncompressed. Layout: Kafka's DefaultRecordBatch and
 * DefaultRecord (KIP-98): a 61-byte batch header, then per record a varint length, one attributes byte, a varlong
 * timestamp delta, varint offset delta, varint-prefixed key and value (-1 for null), a varint header count and
 * varint-prefixed header names and values.
 */
export const RECORD_BATCH_OVERHEAD_BYTES = 61;

/** Bytes of a zigzag varint (Kafka's signed varint) of a 32-bit value. */
function varintBytes(value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag >>>= 7;
    bytes += 1;
  }
  return bytes;
}

function prefixedBytes(length: number | null): number {
  return length === null ? varintBytes(-1) : varintBytes(length) + length;
}

/**
 * One record's bytes inside a batch. kafkajs gives every record of a request the same timestamp (delta 0); the
 * offset delta is its position in the batch, `offsetDelta` here (its varint grows past 63, 8191, ...).
 */
export function recordBytes(message: OutgoingMessage, offsetDelta = 0): number {
  let headers = 0;
  let headerCount = 0;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    headerCount += 1;
    headers +=
      prefixedBytes(Buffer.byteLength(name)) +
      prefixedBytes(typeof value === 'string' ? Buffer.byteLength(value) : value.length);
  }
  const body =
    1 + // attributes
    varintBytes(0) + // timestamp delta
    varintBytes(offsetDelta) +
    prefixedBytes(message.key?.length ?? null) +
    prefixedBytes(message.value?.length ?? null) +
    varintBytes(headerCount) +
    headers;
  return varintBytes(body) + body;
}

/** The batch a message makes when it travels alone: what `max.message.bytes` must allow for it to be written. */
export function singleRecordBatchBytes(message: OutgoingMessage): number {
  return RECORD_BATCH_OVERHEAD_BYTES + recordBytes(message);
}

/**
 * Per-record bytes to budget when records share a batch: the record with an offset delta of up to 2^20 (a
 * 3-byte varint; batches here hold far fewer records), so a sum of these plus one batch header bounds the batch.
 */
export function batchedRecordBytes(message: OutgoingMessage): number {
  return recordBytes(message, 1 << 20);
}
