/**
 * Change events per second through the real write path: diff outputs (change event + the state update that
 * records it) -> TransactionPipeline -> Avro (InlineBatchEncoder, what the service uses) -> TransactionalWriter,
 * one transaction per 1000 events; beside a raw kafkajs producer (idempotent, acks -1, not transactional, kafkajs'
 * default partitioner) sending the very same bytes (events and state records, encoded beforehand, outside its
 * timing) in the same run, rounds alternating the order. Target: real / raw >= 0.8.
 *
 * Decomposition rows: the encoding alone (CPU only) and the TransactionalWriter alone on pre-encoded bytes (what
 * the transactions cost). CPU columns: this process's CPU (all threads) and, with the local stack, the broker's.
 *
 * The records are the sandbox's pins (realistic shapes and sizes), op `r`, as in a first snapshot. The Kafka
 * writer alone (no encode; larger transactions; the changelog reader) is bench/kafka-writer.ts.
 *
 * Needs Kafka and the registry: KAFKA_BROKERS (default 127.0.0.1:39092), SCHEMA_REGISTRY_URL (default
 * http://127.0.0.1:38081/apis/ccompat/v7). Its topics are deleted at the end.
 * Run: node -r @swc-node/register bench/events-throughput.ts [--events 60000] [--rounds 3] [--batch 1000]
 *      [--modes real,pre-encoded]
 */
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';

import {SchemaRegistry} from '@kafkajs/confluent-schema-registry';
import {Kafka, logLevel, Partitioners, type ICustomPartitioner} from 'kafkajs';

import {CollectionRegistry, topicOf} from '../src/collections';

import {createKafkaConnection, type KafkaLogger} from '../src/kafka';
import {planRequests} from '../src/kafka/batch-plan';
import {JavaCompatiblePartitioner} from '../src/kafka/partitioner';
import type {OutgoingMessage} from '../src/kafka/types';
import {startSandbox} from '../src/sandbox';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog, SchemaRegistrar} from '../src/serde';
import {StateStore} from '../src/state';
import {SnapshotDiffer, TransactionPipeline, type DiffOutput, type SyncTopics} from '../src/sync';
import {reportTarget} from './targets';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 60_000);
const ROUNDS = arg('rounds', 3);
const BATCH = arg('batch', 1000);
const TARGET = 0.8;
// --modes real runs a subset (e.g. under --cpu-prof); raw is always included, it is the baseline. `raw-murmur`
// (context) is the raw producer with this project's partitioner: what the rest of the gap is without it.
const MODES = [
  'raw',
  ...(process.argv.includes('--modes')
    ? (process.argv[process.argv.indexOf('--modes') + 1] ?? '').split(',').filter((m) => m !== 'raw')
    : ['real', 'pre-encoded', 'raw-murmur']),
];
const MAX_REQUEST_BYTES = 900_000; // the writer's default
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:39092').split(',');
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:38081/apis/ccompat/v7';
const runId = randomBytes(4).toString('hex');
const prefix = `bench-events-${runId}`;
const quiet: KafkaLogger = {debug: () => {}, info: () => {}, warn: console.warn, error: console.error};

interface Row {
  scenario: string;
  round: number;
  events: number;
  messages: number;
  bytes: number;
  seconds: number;
  /** CPU seconds of this process (all its threads) and of the broker JVM while the row ran. */
  nodeCpu: number;
  brokerCpu: number | undefined;
}

/** The broker's PID when it is the local stack's (`npm run stack:up`), to read its CPU time from /proc. */
function brokerPid(): number | undefined {
  try {
    const dir = process.env.STACK_DIR ?? '.stack';
    const state = JSON.parse(readFileSync(`${dir}/state.json`, 'utf8')) as {kafka?: {pid?: number}};
    return state.kafka?.pid;
  } catch {
    return undefined;
  }
}
const BROKER_PID = brokerPid();

/** CPU seconds (user + system) of a process from /proc/<pid>/stat; undefined where that is not readable. */
function processCpu(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** Starts the clocks; the returned function stops them: wall seconds, this process's and the broker's CPU. */
function clocks(): () => {seconds: number; nodeCpu: number; brokerCpu: number | undefined} {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const broker = processCpu(BROKER_PID);
  return () => {
    const used = process.cpuUsage(cpu);
    const brokerNow = processCpu(BROKER_PID);
    return {
      seconds: (performance.now() - started) / 1000,
      nodeCpu: (used.user + used.system) / 1e6,
      brokerCpu: broker === undefined || brokerNow === undefined ? undefined : brokerNow - broker,
    };
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Diff outputs of a first snapshot of the sandbox's pins: each an `r` event and its state record. */
async function pinOutputs(): Promise<DiffOutput[]> {
  const sandbox = await startSandbox({
    seed: 7,
    scale: {pins: EVENTS, boards: 10, adAccounts: 1, analyticsDays: 1},
  });
  try {
    const pins = new CollectionRegistry().get('pins');
    const differ = new SnapshotDiffer({
      declaration: pins,
      state: new StateStore().shard('pins', 'user'),
      context: {name: prefix, version: 'bench', collection: 'pins', adAccountId: null, syncId: runId},
    });
    return differ.pushAll(sandbox.control.truth('pins').items);
  } finally {
    await sandbox.close();
  }
}

async function main(): Promise<void> {
  const outputs = await pinOutputs();
  const events = outputs.map((o) => o.event);
  const pins = new CollectionRegistry().get('pins');
  const catalog = new SchemaCatalog({collections: [pins]});
  const ids = await new SchemaRegistrar(new SchemaRegistry({host: REGISTRY}), catalog, prefix).registerAll();
  const serializer = new EventSerializer(catalog, ids);

  const connection = createKafkaConnection(
    {brokers: BROKERS, clientId: `bench-events-${runId}`},
    {logger: quiet}
  );
  const admin = connection.topicAdmin();
  const raw = new Kafka({
    brokers: BROKERS,
    clientId: `bench-events-raw-${runId}`,
    logLevel: logLevel.NOTHING,
  });
  const rawProducer = (createPartitioner: ICustomPartitioner) =>
    raw.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner,
    });
  const producers = {
    raw: rawProducer(Partitioners.DefaultPartitioner),
    'raw-murmur': rawProducer(JavaCompatiblePartitioner),
  };
  await producers.raw.connect();
  await producers['raw-murmur'].connect();
  const topics: string[] = [];
  const rows: Row[] = [];
  const newTopic = async (mode: string, round: number) => {
    const name = `${topicOf(prefix, pins)}.${mode}.${round}`;
    await admin.ensureTopics([
      {name, partitions: 3, replicationFactor: -1, cleanupPolicy: 'delete'},
      {name: `${name}.state`, partitions: 3, replicationFactor: -1, cleanupPolicy: 'compact'},
    ]);
    topics.push(name, `${name}.state`);
    return name;
  };
  // The bytes the real path writes: each event (and tombstone) plus its state record.
  const encode = (topic: string, batch: readonly DiffOutput[]): OutgoingMessage[] =>
    batch.flatMap((o) => [
      ...serializer.toMessages(o.event, o.afterNested).map((m) => ({topic, key: m.key, value: m.value})),
      {topic: `${topic}.state`, key: o.state.key, value: o.state.value},
    ]);
  const bytesOf = (messages: readonly OutgoingMessage[]) =>
    messages.reduce((n, m) => n + (m.key?.length ?? 0) + (m.value?.length ?? 0), 0);
  const batches = chunk(outputs, BATCH);

  try {
    // CPU only: what the encode costs on its own (no ratio; context for the two rows below).
    for (let round = 1; round <= ROUNDS; round++) {
      const stop = clocks();
      let bytes = 0;
      let messages = 0;
      for (const batch of batches) {
        const encoded = encode('x', batch);
        bytes += bytesOf(encoded);
        messages += encoded.length;
      }
      rows.push({
        scenario: 'Avro encode only (EventSerializer)',
        round,
        events: events.length,
        messages,
        bytes,
        ...stop(),
      });
    }

    for (let round = 1; round <= ROUNDS; round++) {
      const modes = MODES;
      for (const mode of round % 2 === 1 ? modes : [...modes].reverse()) {
        const topic = await newTopic(mode, round);
        if (mode === 'raw' || mode === 'raw-murmur') {
          // The same bytes, encoded before the clock starts.
          const producer = producers[mode];
          const prepared = batches.map((batch) => encode(topic, batch));
          const stop = clocks();
          for (const messages of prepared) {
            for (const request of planRequests(messages, MAX_REQUEST_BYTES)) {
              await producer.sendBatch({acks: -1, topicMessages: request.topicMessages});
            }
          }
          const measured = stop();
          rows.push({
            scenario:
              mode === 'raw'
                ? `raw kafkajs idempotent acks=-1, same bytes, ${BATCH}/sendBatch`
                : `  same, with this project's murmur2 partitioner`,
            round,
            events: events.length,
            messages: prepared.reduce((n, m) => n + m.length, 0),
            bytes: prepared.reduce((n, m) => n + bytesOf(m), 0),
            ...measured,
          });
        } else if (mode === 'pre-encoded') {
          // Decomposition: the writer on the same bytes encoded beforehand (what the transactions cost).
          const prepared = batches.map((batch) => encode(topic, batch));
          const writer = connection.transactionalWriter({
            transactionalId: `bench-events-${runId}-${mode}-${round}`,
          });
          await writer.init();
          let bytes = 0;
          let messages = 0;
          const stop = clocks();
          for (const batch of prepared) {
            const result = await writer.writeBatch(batch);
            bytes += result.bytes;
            messages += result.messages;
          }
          const measured = stop();
          await writer.close();
          rows.push({
            scenario: `TransactionalWriter alone (pre-encoded), ${BATCH}/transaction`,
            round,
            events: events.length,
            messages,
            bytes,
            ...measured,
          });
        } else {
          const encoder = new InlineBatchEncoder(serializer);
          const writer = connection.transactionalWriter({
            transactionalId: `bench-events-${runId}-${mode}-${round}`,
          });
          await writer.init();
          let bytes = 0;
          let messages = 0;
          const sink = {
            writeBatch: async (batch: readonly OutgoingMessage[]) => {
              const result = await writer.writeBatch(batch);
              bytes += result.bytes;
              messages += result.messages;
              return result;
            },
          };
          const topics: SyncTopics = {
            events: () => topic,
            state: `${topic}.state`,
            deadLetters: `${topic}.dlq`,
          };
          const pipeline = new TransactionPipeline({
            encoder,
            sink,
            topics,
            collection: 'pins',
            shard: 'user',
            syncId: runId,
            logger: quiet,
            now: Date.now,
            onCommitted: () => {},
            onDeadLetter: () => {},
          });
          const stop = clocks();
          for (const batch of batches) {
            for (const output of batch) pipeline.add(output);
            await pipeline.submit();
          }
          await pipeline.drain();
          const measured = stop();
          await writer.close();
          rows.push({
            scenario: `real path: pipeline (Avro + transactions), ${BATCH}/transaction`,
            round,
            events: events.length,
            messages,
            bytes,
            ...measured,
          });
        }
      }
    }
  } finally {
    await producers.raw.disconnect();
    await producers['raw-murmur'].disconnect();
    await admin.close();
    await connection.close();
    await deleteTopics(raw, topics);
  }
  print(rows);
}

async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({topics});
  } finally {
    await admin.disconnect();
  }
}

function print(rows: Row[]): void {
  const rate = (r: Row) => r.events / r.seconds;
  const header = [
    'scenario',
    'round',
    'events',
    'MB',
    'seconds',
    'events/s',
    'MB/s',
    'node CPU us/event',
    'broker CPU us/event',
    'ratio vs raw',
  ];
  const perEvent = (cpu: number | undefined, r: Row) =>
    cpu === undefined ? '-' : ((cpu / r.events) * 1e6).toFixed(1);
  const lines = rows.map((r) => {
    const raw = rows.find((b) => b.round === r.round && b.scenario.startsWith('raw'));
    const isReal = !r.scenario.startsWith('raw') && !r.scenario.startsWith('Avro');
    return [
      r.scenario,
      String(r.round),
      String(r.events),
      (r.bytes / 1e6).toFixed(1),
      r.seconds.toFixed(2),
      Math.round(rate(r)).toLocaleString('en-US'),
      (r.bytes / 1e6 / r.seconds).toFixed(1),
      perEvent(r.nodeCpu, r),
      perEvent(r.brokerCpu, r),
      isReal && raw ? (rate(r) / rate(raw)).toFixed(2) : '-',
    ];
  });
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => l[i]!.length)));
  console.log(
    all
      .map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
      .join('\n')
  );
  // Summed over rounds: the figure the target applies to.
  const sum = (pick: (r: Row) => boolean) => {
    const chosen = rows.filter(pick);
    return chosen.reduce((n, r) => n + r.events, 0) / chosen.reduce((n, r) => n + r.seconds, 0);
  };
  const real = sum((r) => r.scenario.startsWith('real path'));
  const raw = sum((r) => r.scenario.startsWith('raw'));
  const rawMurmur = sum((r) => r.scenario.startsWith('  same, with'));
  const ratio = real / raw;
  const format = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `\nall rounds: real path ${format(real)} events/s, raw producer ${format(raw)} events/s, ` +
      `ratio ${ratio.toFixed(2)} (target >= ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'})` +
      (Number.isFinite(rawMurmur)
        ? `; against the raw producer with the same partitioner (${format(rawMurmur)} events/s): ` +
          (real / rawMurmur).toFixed(2)
        : '')
  );
  reportTarget({
    id: 'events.ratio-vs-raw',
    label: 'events/s (Avro + transactions) / raw kafkajs producer of the same bytes',
    value: ratio,
    op: '>=',
    limit: TARGET,
    detail: `${format(real)} vs ${format(raw)} events/s, ${ROUNDS} rounds of ${EVENTS}`,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
