import {randomBytes} from 'node:crypto';

import {ConfigResourceTypes, Kafka, logLevel} from 'kafkajs';

import {
  createKafkaConnection,
  type KafkaConnection,
  type KafkaConnectionConfig,
  type KafkaLogger,
  type OutgoingMessage,
} from '../../../src/kafka';

/** Brokers of the integration stack (the global setup exports KAFKA_BROKERS; it never skips). */
export function brokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value)
    throw new Error('KAFKA_BROKERS is not set: the integration global setup should have started Kafka');
  return value.split(',').map((b) => b.trim());
}

export function connectionConfig(): KafkaConnectionConfig {
  return {brokers: brokers(), clientId: `it-${randomBytes(3).toString('hex')}`, logLevel: 'warn'};
}

export function randomTopic(label: string): string {
  return `it.kafka.${label}.${randomBytes(5).toString('hex')}`;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps what it is told (tests assert on warnings). */
export function recordingLogger(): KafkaLogger & {lines: LogLine[]} {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (fields: Record<string, unknown>, message: string) => {
    lines.push({level, fields, message});
  };
  return {lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error')};
}

/** A kafkajs client for checks independent of the code under test. */
export function rawKafka(): Kafka {
  return new Kafka({brokers: brokers(), clientId: 'it-raw', logLevel: logLevel.NOTHING});
}

/** Sets a topic's max.message.bytes behind the code under test's back (as a platform team might lower it). */
export async function setMaxMessageBytes(topic: string, bytes: number): Promise<void> {
  const admin = rawKafka().admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{name: 'max.message.bytes', value: String(bytes)}],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

export interface RawRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  /** The value's bytes (an Avro value does not survive the text form). */
  valueBytes: Buffer | null;
}

/**
 * Last stable offsets once they stop moving: commit/abort markers are written after commit() returns, so right
 * after a batch the LSO can still sit before it.
 */
export async function settledOffsets(topic: string, kafka: Kafka = rawKafka()): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    let previous = '';
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const key = JSON.stringify(offsets.map((o) => [o.partition, o.high]));
      if (key === previous) return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      previous = key;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`offsets of ${topic} did not settle`);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Everything in a topic up to its end, read with a plain kafkajs consumer (independent of ChangelogReader).
 * A partition is complete once the consumer passed both its settled LSO and the high watermark of the batch.
 * `kafka`: another cluster than the test stack's (a private one); `timeoutMs`: default 20 s.
 */
export async function readAll(
  topic: string,
  options: {readUncommitted: boolean; kafka?: Kafka; timeoutMs?: number}
): Promise<RawRecord[]> {
  const kafka = options.kafka ?? rawKafka();
  const timeoutMs = options.timeoutMs ?? 20_000;
  const ends = await settledOffsets(topic, kafka);
  const partitions = [...ends.keys()];
  const consumer = kafka.consumer({
    groupId: `it-raw-${randomBytes(4).toString('hex')}`,
    readUncommitted: options.readUncommitted,
    maxWaitTimeInMs: 100,
  });
  const records: RawRecord[] = [];
  const done = new Set<number>(partitions.filter((p) => ends.get(p) === 0n));
  if (done.size === partitions.length) return records;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({payload}) => {
    const end =
      BigInt(payload.highWatermark) > (ends.get(payload.partition) ?? 0n)
        ? BigInt(payload.highWatermark)
        : (ends.get(payload.partition) ?? 0n);
    if (BigInt(payload.lastOffset) + 1n >= end) done.add(payload.partition);
    if (done.size === partitions.length) finish();
  });
  await consumer.connect();
  await consumer.subscribe({topics: [topic], fromBeginning: true});
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({partition, message}) => {
      records.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        valueBytes: message.value,
      });
    },
  });
  let timedOut = false;
  const timeout = setTimeout(() => {
    timedOut = true;
    finish();
  }, timeoutMs);
  await finished;
  clearTimeout(timeout);
  await consumer.disconnect();
  if (timedOut) throw new Error(`readAll(${topic}) did not reach the end offsets within ${timeoutMs} ms`);
  return records;
}

/**
 * One KafkaConnection for a describe block (opened before its tests, closed after), with a recording logger.
 * Read `connection` inside tests: it exists only once beforeAll ran.
 */
export function useConnection(): {
  readonly connection: KafkaConnection;
  readonly logger: ReturnType<typeof recordingLogger>;
} {
  const logger = recordingLogger();
  let connection: KafkaConnection | undefined;
  beforeAll(() => {
    connection = createKafkaConnection(connectionConfig(), {logger});
  });
  afterAll(async () => {
    await connection?.close();
  });
  return {
    logger,
    get connection(): KafkaConnection {
      if (!connection)
        throw new Error('useConnection: read the connection inside a test, not at describe time');
      return connection;
    },
  };
}

/**
 * A compacted topic: the broker refuses a record without a key (INVALID_RECORD), which no check before sending
 * catches, so sending one (`keyless`) makes a transaction fail mid-way, after the requests before it were written.
 */
export async function topicRefusingKeylessMessages(connection: KafkaConnection): Promise<string> {
  const name = randomTopic('compacted');
  await connection
    .topicAdmin()
    .ensureTopics([{name, partitions: 1, replicationFactor: 1, cleanupPolicy: 'compact'}]);
  return name;
}

/** A message the topic of topicRefusingKeylessMessages refuses; the value makes its request the last one. */
export function keyless(topic: string): OutgoingMessage {
  return {topic, key: null, value: Buffer.alloc(5000, 1)};
}
