import type {JsonRecord} from '../events';
import type {OutgoingMessage} from '../kafka';

export type DeadLetterReason = 'encode' | 'key';

/**
 * A record that cannot become an event: kept with its raw JSON, where it came from and why, as a plain JSON
 * message on `<prefix>.dlq` (not Avro: the point is to keep what did not fit the schema).
 */
export function deadLetterMessage(input: {
  topic: string;
  collection: string;
  shard: string;
  syncId: string;
  reason: DeadLetterReason;
  error: unknown;
  record: JsonRecord;
  key?: Record<string, string>;
  nowMs: number;
}): OutgoingMessage {
  const message = input.error instanceof Error ? input.error.message : String(input.error);
  const body = {
    collection: input.collection,
    shard: input.shard,
    key: input.key ?? null,
    reason: input.reason,
    error: {type: input.error instanceof Error ? input.error.name : 'Error', message},
    sync_id: input.syncId,
    ts_ms: input.nowMs,
    raw_json: JSON.stringify(input.record),
  };
  const key = input.key ? JSON.stringify({collection: input.collection, ...input.key}) : null;
  return {
    topic: input.topic,
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(JSON.stringify(body)),
    headers: {collection: input.collection, reason: input.reason},
  };
}
