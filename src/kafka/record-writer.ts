import type {Kafka, Producer} from 'kafkajs';

import {ProduceError} from '../errors';
import {describeError, kafkajsRetriable} from './kafka-errors';
import {JavaCompatiblePartitioner} from './partitioner';
import type {OutgoingMessage, RecordWriter} from './types';

/**
 * Plain writes of a few keyed records, acknowledged by all in-sync replicas, outside the exactly-once pipeline:
 * the token topic, ownership claims. No transactional id (it fences nobody), and it never creates a topic by
 * writing to it. Not idempotent on purpose: kafkajs retries an idempotent producer forever (Number.MAX_SAFE_INTEGER
 * retries), so a write to an unreachable cluster would never fail; a retry here may write a record twice, which on
 * these compacted topics is the same record twice.
 */
export class KafkajsRecordWriter implements RecordWriter {
  private producer: Promise<Producer> | undefined;

  constructor(private readonly deps: {kafka: Kafka}) {}

  async write(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages)
      byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    try {
      const producer = await this.connected();
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((m) => ({key: m.key, value: m.value, headers: m.headers})),
        })),
      });
    } catch (error) {
      // The next write starts over with a new producer; this one is let go (connected or not).
      const failed = this.producer;
      this.producer = undefined;
      void failed?.then((producer) => producer.disconnect()).catch(() => undefined);
      throw new ProduceError(`writing to ${[...byTopic.keys()].join(', ')} failed: ${describeError(error)}`, {
        retriable: kafkajsRetriable(error),
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.deps.kafka.producer({
        allowAutoTopicCreation: false,
        // Keys land where the Java client would put them (src/kafka/partitioner.ts).
        createPartitioner: JavaCompatiblePartitioner,
      });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }
}
