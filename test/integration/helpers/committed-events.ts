import {SchemaRegistry} from '@kafkajs/confluent-schema-registry';
import {Kafka, logLevel} from 'kafkajs';
import {randomUUID} from 'node:crypto';

/** One message as a read_committed consumer downstream sees it, decoded through the registry. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: unknown;
  /** null for a tombstone. */
  value: unknown;
}

/**
 * Reads every committed message of the given topics from the beginning up to their current end, as a
 * read_committed consumer would, and decodes keys and values through the schema registry. Transaction markers
 * occupy offsets, so the read ends when each partition's position reaches the high watermark, not when the last
 * data offset equals watermark - 1.
 */
export async function readCommitted(options: {
  brokers: string[];
  registryUrl: string;
  topics: string[];
  decode?: boolean;
  timeoutMs?: number;
}): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({brokers: options.brokers, clientId: 'test-reader', logLevel: logLevel.NOTHING});
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    for (const topic of options.topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const registry = new SchemaRegistry({host: options.registryUrl});
  const raw: {topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null}[] = [];
  if (ends.size === 0) return [];

  const consumer = kafka.consumer({groupId: `test-reader-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 200});
  await consumer.connect();
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`readCommitted: timed out with ${ends.size} partitions unfinished: ${[...ends.keys()]}`)),
      options.timeoutMs ?? 60000
    );
    const finishIfDone = (topic: string, partition: number, nextOffset: bigint) => {
      const id = `${topic}:${partition}`;
      const end = ends.get(id);
      if (end !== undefined && nextOffset >= end) ends.delete(id);
      if (ends.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    void consumer
      .subscribe({topics: options.topics, fromBeginning: true})
      .then(() =>
        consumer.run({
          autoCommit: false,
          eachBatch: async ({batch}) => {
            for (const m of batch.messages) {
              raw.push({topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value});
            }
            // The high watermark counts control records; the batch's last offset may be one of them.
            const position = BigInt(batch.lastOffset()) + 1n;
            finishIfDone(batch.topic, batch.partition, position);
          },
        })
      )
      .catch(reject);
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  const decode = options.decode ?? true;
  const out: ConsumedMessage[] = [];
  for (const m of raw) {
    out.push({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      key: decode && m.key ? await registry.decode(m.key) : m.key,
      value: m.value === null ? null : decode ? await registry.decode(m.value) : m.value,
    });
  }
  return out;
}
