import {batchedRecordBytes, RECORD_BATCH_OVERHEAD_BYTES} from './record-size';
import type {OutgoingMessage, TopicTotals} from './types';

/**
 * Record overhead in a v2 RecordBatch (length, attributes, deltas, varints) plus a share of the batch header:
 * a generous estimate so that a request's real size stays below its planned size.
 */
const RECORD_OVERHEAD_BYTES = 40;

export interface PlannedRequest {
  topicMessages: {topic: string; messages: OutgoingMessage[]}[];
  /** Estimated encoded size. */
  estimatedBytes: number;
}

/** Key + value + header names and values: what the produced-bytes metric counts. */
export function payloadBytes(message: OutgoingMessage): number {
  let bytes = (message.key?.length ?? 0) + (message.value?.length ?? 0);
  if (message.headers) {
    for (const [name, value] of Object.entries(message.headers)) {
      bytes +=
        Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : value.length);
    }
  }
  return bytes;
}

/** Messages and payload bytes per topic. */
export function totalsByTopic(messages: readonly OutgoingMessage[]): Record<string, TopicTotals> {
  const totals: Record<string, TopicTotals> = {};
  for (const message of messages) {
    const entry = (totals[message.topic] ??= {messages: 0, bytes: 0});
    entry.messages += 1;
    entry.bytes += payloadBytes(message);
  }
  return totals;
}

/**
 * Splits a batch into produce requests that are sent one after the other (never concurrently: kafkajs #598).
 * Messages are grouped per topic, keeping their order within each topic (hence per key and partition). kafkajs
 * puts all of one partition's messages of a request into one RecordBatch, and the broker rejects a RecordBatch
 * above message.max.bytes (default 1 MiB), which kafkajs does not split: so a request's estimated size stays
 * under maxRequestBytes, and a topic's share of a request (which bounds each of its partitions' batches) under
 * that topic's `maxBatchBytes` (its `max.message.bytes`, when known). A single message above a limit travels
 * alone (and the broker decides).
 *
 * Smaller topics go first (the state changelog, dead letters, then the events): the first request then touches
 * every partition of the transaction, so kafkajs adds them all in one AddPartitionsToTxn (each of which costs a
 * coordinator lookup and a round trip) instead of one more per later request. Order across topics does not
 * matter inside a transaction; order within a topic is kept.
 */
export function planRequests(
  messages: readonly OutgoingMessage[],
  maxRequestBytes: number,
  maxBatchBytes: (topic: string) => number | undefined = () => undefined
): PlannedRequest[] {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    const list = byTopic.get(message.topic);
    if (list) list.push(message);
    else byTopic.set(message.topic, [message]);
  }

  const topicBytes = (list: readonly OutgoingMessage[]) => list.reduce((n, x) => n + payloadBytes(x), 0);
  const topicsSmallFirst = [...byTopic]
    .map(([topic, list]) => ({topic, list, bytes: topicBytes(list)}))
    .sort((a, b) => a.bytes - b.bytes);

  const requests: PlannedRequest[] = [];
  let current: PlannedRequest = {topicMessages: [], estimatedBytes: 0};
  for (const {topic, list} of topicsSmallFirst) {
    const batchLimit = maxBatchBytes(topic) ?? Infinity;
    let group: OutgoingMessage[] | undefined;
    let groupBytes = RECORD_BATCH_OVERHEAD_BYTES;
    for (const message of list) {
      const size = payloadBytes(message) + RECORD_OVERHEAD_BYTES;
      const batched = batchedRecordBytes(message);
      const requestFull = current.estimatedBytes > 0 && current.estimatedBytes + size > maxRequestBytes;
      const batchFull = group !== undefined && groupBytes + batched > batchLimit;
      if (requestFull || batchFull) {
        requests.push(current);
        current = {topicMessages: [], estimatedBytes: 0};
        group = undefined;
      }
      if (!group) {
        group = [];
        groupBytes = RECORD_BATCH_OVERHEAD_BYTES;
        current.topicMessages.push({topic, messages: group});
      }
      group.push(message);
      groupBytes += batched;
      current.estimatedBytes += size;
    }
  }
  if (current.estimatedBytes > 0) requests.push(current);
  return requests;
}
