import type {JsonRecord} from '../events';
import {stringifyLosslessJson} from '../events/lossless-json';
import {singleRecordBatchBytes, type OutgoingMessage} from '../kafka';

/**
 * Why a record became a dead letter: `encode` (it does not fit its Avro schema), `key` (no usable key), or
 * `kafka_refused` (Kafka refuses its event for what it is, e.g. MESSAGE_TOO_LARGE).
 */
export const DEAD_LETTER_REASONS = ['encode', 'key', 'kafka_refused'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface DeadLetterInput {
  topic: string;
  collection: string;
  shard: string;
  syncId: string;
  reason: DeadLetterReason;
  /** An error, or what Kafka said (`type` = the broker's error, e.g. MESSAGE_TOO_LARGE). */
  error: Error | {type: string; message: string};
  record: JsonRecord;
  key?: Record<string, string>;
  nowMs: number;
}

/**
 * A record that cannot become an event: kept with its raw JSON, where it came from and why, as a plain JSON
 * message on `<prefix>.dlq` (not Avro: the point is to keep what did not fit the schema). When the dead-letter
 * topic's `batchLimit` (see singleRecordBatchBytes) is given and the whole message would be over it, `raw_json`
 * is cut to fit and the letter says so (`raw_json_truncated`, `raw_json_bytes`): the key still names the record.
 */
export function deadLetterMessage(input: DeadLetterInput, batchLimit?: number): OutgoingMessage {
  // The record as the API sent it: an integer beyond 2^53 is a bigint here (events/lossless-json.ts).
  const raw = stringifyLosslessJson(input.record);
  const whole = build(input, raw);
  if (batchLimit === undefined || singleRecordBatchBytes(whole) <= batchLimit) return whole;
  // The longest prefix that fits, by bisection (escaping makes bytes per character vary): a rare path.
  const rawBytes = Buffer.byteLength(raw);
  const cut = (length: number) => build(input, cutText(raw, length), rawBytes);
  let fits = 0;
  let tooLong = raw.length;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (singleRecordBatchBytes(cut(middle)) <= batchLimit) fits = middle;
    else tooLong = middle;
  }
  return cut(fits);
}

function build(input: DeadLetterInput, rawJson: string, truncatedFromBytes?: number): OutgoingMessage {
  const error =
    input.error instanceof Error
      ? {type: input.error.name, message: input.error.message}
      : {type: input.error.type, message: input.error.message};
  const body = {
    collection: input.collection,
    shard: input.shard,
    key: input.key ?? null,
    reason: input.reason,
    error,
    sync_id: input.syncId,
    ts_ms: input.nowMs,
    raw_json: rawJson,
    ...(truncatedFromBytes === undefined
      ? {}
      : {raw_json_truncated: true, raw_json_bytes: truncatedFromBytes}),
  };
  const key = input.key ? JSON.stringify({collection: input.collection, ...input.key}) : null;
  return {
    topic: input.topic,
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(JSON.stringify(body)),
    headers: {collection: input.collection, reason: input.reason},
  };
}

/** The first `length` UTF-16 units of `text`, without leaving half a surrogate pair at the end. */
function cutText(text: string, length: number): string {
  const cut = text.slice(0, length);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
