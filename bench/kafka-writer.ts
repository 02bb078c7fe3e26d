/**
 * Kafka stage throughput, against a running broker (KAFKA_BROKERS, default 127.0.0.1:39092):
 *   1. events/s through TransactionalWriter (transactions of 1000 and 5000 ~600-byte messages) beside a raw
 *      kafkajs producer (idempotent, acks -1, not transactional) sending the same requests, in the same run;
 *   2. ChangelogReader.readToEnd records/s over 1,000,000 small committed records, beside a raw kafkajs
 *      read_committed consumer counting the same topic.
 * Run: node -r @swc-node/register bench/kafka-writer.ts [--messages 60000] [--records 1000000] [--rounds 2]
 */
import {randomBytes} from 'node:crypto';

import {Kafka, logLevel, Partitioners} from 'kafkajs';

import {createKafkaConnection, type KafkaLogger, type OutgoingMessage} from '../src/kafka';
import {planRequests} from '../src/kafka/batch-plan';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:39092').split(',');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const MESSAGES = arg('messages', 60_000);
const RECORDS = arg('records', 1_000_000);
const ROUNDS = arg('rounds', 2);
const VALUE_BYTES = 600;
const MAX_REQUEST_BYTES = 900_000;

const quiet: KafkaLogger = {debug: () => {}, info: () => {}, warn: console.warn, error: console.error};
const runId = randomBytes(4).toString('hex');

interface Row {
  scenario: string;
  items: number;
  bytes: number;
  seconds: number;
  baseline?: string;
}

function events(topic: string, count: number): OutgoingMessage[] {
  const value = randomBytes(VALUE_BYTES);
  return Array.from({length: count}, (_, i) => ({
    topic,
    key: Buffer.from(`{"ad_account_id":"549755885175","id":"${1_000_000_000_000 + i}"}`),
    value: Buffer.from(value), // distinct buffers, as encoded events would be
  }));
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const sizeOf = (messages: OutgoingMessage[]) =>
  messages.reduce((n, m) => n + (m.key?.length ?? 0) + (m.value?.length ?? 0), 0);

async function main(): Promise<void> {
  const connection = createKafkaConnection({brokers, clientId: `bench-${runId}`}, {logger: quiet});
  const raw = new Kafka({brokers, clientId: `bench-raw-${runId}`, logLevel: logLevel.NOTHING});
  const admin = connection.topicAdmin();
  const rows: Row[] = [];

  // --- 1. write throughput -------------------------------------------------------------------------------
  const rawProducer = raw.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await rawProducer.connect();
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const size of [1000, 5000]) {
      for (const mode of round % 2 === 1 ? ['raw', 'txn'] : ['txn', 'raw']) {
        const topic = `bench.kafka.${mode}.${size}.${runId}.${round}`;
        await admin.ensureTopics([
          {name: topic, partitions: 3, replicationFactor: 1, cleanupPolicy: 'delete'},
        ]);
        const messages = events(topic, MESSAGES);
        const batches = chunk(messages, size);
        let seconds: number;
        if (mode === 'raw') {
          const started = performance.now();
          for (const batch of batches) {
            for (const request of planRequests(batch, MAX_REQUEST_BYTES)) {
              await rawProducer.sendBatch({acks: -1, topicMessages: request.topicMessages});
            }
          }
          seconds = (performance.now() - started) / 1000;
        } else {
          const writer = connection.transactionalWriter({transactionalId: `bench-${runId}-${size}-${round}`});
          await writer.init();
          const started = performance.now();
          for (const batch of batches) await writer.writeBatch(batch);
          seconds = (performance.now() - started) / 1000;
          await writer.close();
        }
        rows.push({
          scenario: `${mode === 'raw' ? 'raw kafkajs idempotent' : 'TransactionalWriter'} batch=${size} r${round}`,
          items: messages.length,
          bytes: sizeOf(messages),
          seconds,
          baseline: mode === 'txn' ? `raw kafkajs idempotent batch=${size} r${round}` : undefined,
        });
      }
    }
  }
  await rawProducer.disconnect();

  // --- 2. readToEnd over 1,000,000 small records --------------------------------------------------------
  const changelog = `bench.kafka.changelog.${runId}`;
  await admin.ensureTopics([
    {name: changelog, partitions: 3, replicationFactor: 1, cleanupPolicy: 'compact'},
  ]);
  const writer = connection.transactionalWriter({transactionalId: `bench-${runId}-changelog`});
  const fillStarted = performance.now();
  let filled = 0;
  let filledBytes = 0;
  for (let start = 0; start < RECORDS; start += 20_000) {
    const batch: OutgoingMessage[] = [];
    for (let i = start; i < Math.min(RECORDS, start + 20_000); i += 1) {
      batch.push({
        topic: changelog,
        key: Buffer.from(`acct-1/${i}`),
        value: Buffer.from(`{"h":"${i.toString(16)}","v":1}`),
      });
    }
    filledBytes += sizeOf(batch);
    filled += (await writer.writeBatch(batch)).messages;
  }
  rows.push({
    scenario: 'fill: TransactionalWriter batch=20000 small',
    items: filled,
    bytes: filledBytes,
    seconds: (performance.now() - fillStarted) / 1000,
  });
  await writer.init();
  await writer.close();

  for (let round = 1; round <= ROUNDS; round += 1) {
    const consumerRow = await rawConsume(raw, changelog, filled);
    consumerRow.scenario += ` r${round}`;
    consumerRow.bytes = filledBytes;
    const started = performance.now();
    let count = 0;
    for await (const _record of connection.changelogReader().readToEnd(changelog)) count += 1;
    const readerRow: Row = {
      scenario: `ChangelogReader.readToEnd r${round}`,
      items: count,
      bytes: filledBytes,
      seconds: (performance.now() - started) / 1000,
      baseline: consumerRow.scenario,
    };
    if (count !== filled) throw new Error(`readToEnd returned ${count} records, expected ${filled}`);
    rows.push(consumerRow, readerRow);
  }
  await connection.close();
  print(rows);
}

/** Baseline reader: a plain read_committed kafkajs consumer counting messages in eachBatch, stopping at `expected`. */
async function rawConsume(kafka: Kafka, topic: string, expected: number): Promise<Row> {
  const consumer = kafka.consumer({
    groupId: `bench-raw-${randomBytes(4).toString('hex')}`,
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  const started = performance.now();
  let count = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe({topics: [topic], fromBeginning: true});
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({batch}) => {
      count += batch.messages.length;
      if (count >= expected) done();
    },
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return {scenario: 'raw kafkajs consumer eachBatch (count only)', items: count, bytes: 0, seconds};
}

function print(rows: Row[]): void {
  const header = ['scenario', 'items', 'MB', 'seconds', 'items/s', 'MB/s', 'ratio vs baseline'];
  const byName = new Map(rows.map((r) => [r.scenario, r]));
  const lines = rows.map((r) => {
    const rate = r.items / r.seconds;
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    return [
      r.scenario,
      String(r.items),
      (r.bytes / 1e6).toFixed(1),
      r.seconds.toFixed(2),
      Math.round(rate).toLocaleString('en-US'),
      (r.bytes / 1e6 / r.seconds).toFixed(1),
      base ? (rate / (base.items / base.seconds)).toFixed(2) : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
  // Over all rounds (the machine is shared: single rounds are noisy): total items / total seconds per scenario.
  const totals = new Map<string, {items: number; seconds: number; baseline?: string}>();
  for (const r of rows) {
    const name = r.scenario.replace(/ r\d+$/, '');
    const t = totals.get(name) ?? {items: 0, seconds: 0, baseline: r.baseline?.replace(/ r\d+$/, '')};
    t.items += r.items;
    t.seconds += r.seconds;
    totals.set(name, t);
  }
  console.log('\n| scenario (all rounds) | items/s | ratio vs baseline |\n|---|---|---|');
  for (const [name, t] of totals) {
    const base = t.baseline ? totals.get(t.baseline) : undefined;
    const ratio = base ? (t.items / t.seconds / (base.items / base.seconds)).toFixed(2) : '-';
    console.log(`| ${name} | ${Math.round(t.items / t.seconds).toLocaleString('en-US')} | ${ratio} |`);
  }
  console.log(
    `\nbrokers ${brokers.join(',')}; values ${VALUE_BYTES} B; ${MESSAGES} messages per write scenario; node ${process.version}`
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
