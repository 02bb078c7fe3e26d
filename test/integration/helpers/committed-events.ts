import {SchemaRegistry} from '@kafkajs/confluent-schema-registry';

import {createKafkaConnection, type KafkaConnectionConfig} from '../../../src/kafka';

/** One message as a read_committed consumer downstream sees it, decoded through the registry. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Record<string, unknown>;
  /** null for a tombstone. */
  value: Record<string, unknown> | null;
}

const quietLogger = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

/**
 * Every committed message of the topics, from the beginning to their end as of the call, as a read_committed
 * consumer sees them (aborted transactions never appear), keys and values decoded through the registry.
 */
export async function readCommitted(options: {
  brokers: string[];
  registryUrl: string;
  topics: string[];
  /** TLS and SASL settings of a secured cluster */
  security?: Pick<KafkaConnectionConfig, 'ssl' | 'sslCaFile' | 'sasl'>;
  registryAuth?: {username: string; password: string};
}): Promise<ConsumedMessage[]> {
  const kafka = createKafkaConnection(
    {brokers: options.brokers, clientId: 'test-reader', logLevel: 'nothing', ...options.security},
    {
      logger: quietLogger,
    }
  );
  const registry = new SchemaRegistry({host: options.registryUrl, auth: options.registryAuth});
  const out: ConsumedMessage[] = [];
  try {
    for (const topic of options.topics) {
      for await (const record of kafka.changelogReader().readToEnd(topic)) {
        out.push({
          topic,
          partition: record.partition,
          offset: record.offset,
          key: (await registry.decode(record.key)) as Record<string, unknown>,
          value:
            record.value === null ? null : ((await registry.decode(record.value)) as Record<string, unknown>),
        });
      }
    }
  } finally {
    await kafka.close();
  }
  return out;
}

/** Asserts that the events are one `r` per expected id: the snapshot exactly once, none missing, none doubled. */
export function expectSnapshotExactlyOnce(
  events: readonly ConsumedMessage[],
  expectedIds: Iterable<string>
): void {
  const ids = events.map((m) => String((m.value as {after: {id: string}}).after.id));
  expect(events.every((m) => (m.value as {op: string}).op === 'r')).toBe(true);
  const expected = new Set(expectedIds);
  expect(ids).toHaveLength(expected.size);
  expect(new Set(ids)).toEqual(expected);
}
