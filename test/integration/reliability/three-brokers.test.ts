/**
 * On a private three-node KRaft cluster (scripts/stack `brokers: 3`: replication 3, min.insync.replicas 2):
 * first kafkajs alone, a transactional producer with the service writer's settings writing keyed batches to
 * partitions on all three nodes, each message read once (unpatched kafkajs 2.2.4 doubled ~10% of them: docs/notes.md
 * "Three brokers"). Then the running service (`pinterest-cdc run`) loses, in the middle of its first snapshot, the
 * leader of a partition it is writing transactions to (SIGKILL; transactions of 50 events follow each other without
 * pause, so one is open), which is restarted on its data; then, during a cycle of creates, updates and deletes, the
 * whole cluster is stopped and started again on its data. The topics the service created must have 3 replicas and
 * take the cluster's min.insync.replicas 2, and a read_committed consumer must see exactly the sandbox's truth
 * (helpers/change-stream.ts) and exactly the changes made, each once; the service's reader, used for that, must
 * read what a plain consumer reads.
 */
import {randomBytes} from 'node:crypto';
import {join, resolve} from 'node:path';

import {SchemaRegistry} from '@kafkajs/confluent-schema-registry';
import {Kafka, logLevel} from 'kafkajs';

import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {checkAgainstTruth} from '../helpers/change-stream';
import {readCommitted} from '../helpers/committed-events';
import {cliChildEnv} from '../helpers/service-env';
import {
  ranEveryTask,
  settleAndStop,
  startServiceProcess,
  type ServiceProcess,
} from '../helpers/service-process';
import {readAll} from '../kafka/helpers';
import {reportTries} from './size';

const ROOT = resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackLib = require(join(ROOT, 'scripts', 'stack')) as typeof import('../../../scripts/stack/index');
const COLLECTIONS = ['boards', 'pins'];
const PINS = 4000;

jest.setTimeout(600_000);

describe('three brokers: the partition leader killed mid-transaction, then a whole cluster restart (reliability)', () => {
  let stack: Awaited<ReturnType<typeof stackLib.startStack>>;
  let sandbox: RunningSandbox;
  let service: ServiceProcess | undefined;
  const dir = `.stack/three-${process.pid}`;
  const prefix = `r3b${randomBytes(4).toString('hex')}`;
  const log: string[] = [];

  beforeAll(async () => {
    stack = await stackLib.startStack({
      rootDir: ROOT,
      dir,
      brokers: 3,
      removeDirOnStop: true,
      ownerPid: process.pid,
      log: () => {},
    });
    sandbox = await startSandbox({seed: 8, scale: {adAccounts: 1, boards: 2, pins: PINS}});
  }, 240_000);
  afterAll(async () => {
    service?.kill('SIGKILL');
    await sandbox?.close();
    await stack?.stop();
    console.log(`three-broker test (prefix ${prefix}):\n${log.join('\n')}`);
  });

  const pinPages = () => sandbox.control.stats().requests.byEndpoint['GET /v5/pins'] ?? 0;
  async function waitPages(n: number): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (pinPages() < n) {
      if (Date.now() > deadline)
        throw new Error(`fewer than ${n} pin pages:\n${service?.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const kafka = () =>
    new Kafka({
      brokers: stack.env.KAFKA_BROKERS.split(','),
      clientId: 'r3b-admin',
      logLevel: logLevel.NOTHING,
    });
  const admin = () => kafka().admin();

  /** Every record of a topic as a plain kafkajs consumer reads it (not the service's changelog reader, which the
   * checks below would otherwise trust), from the private cluster. */
  const readPlain = (topic: string, readUncommitted = false) =>
    readAll(topic, {readUncommitted, kafka: kafka(), timeoutMs: 120_000});

  test('kafkajs alone: a transactional producer writes each message once on three brokers', async () => {
    const topic = `${prefix}.raw`;
    const a = admin();
    await a.connect();
    await a.createTopics({topics: [{topic, numPartitions: 6, replicationFactor: 3}], waitForLeaders: true});
    await a.disconnect();
    const producer = kafka().producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `${prefix}.raw`,
      allowAutoTopicCreation: false,
      retry: {retries: 12, initialRetryTime: 20},
    });
    await producer.connect();
    const TRANSACTIONS = 30;
    const BATCH = 100;
    try {
      for (let t = 0; t < TRANSACTIONS; t++) {
        const txn = await producer.transaction();
        await txn.sendBatch({
          acks: -1,
          topicMessages: [
            {topic, messages: Array.from({length: BATCH}, (_, i) => ({key: `k${i}`, value: `${t}-${i}`}))},
          ],
        });
        await txn.commit();
      }
    } finally {
      await producer.disconnect();
    }
    const values = (await readPlain(topic)).map((r) => String(r.value));
    const doubled = values.length - new Set(values).size;
    log.push(
      `kafkajs alone: ${values.length} messages read for ${TRANSACTIONS * BATCH} sent, ${doubled} doubled`
    );
    expect(doubled).toBe(0);
    expect(new Set(values).size).toBe(TRANSACTIONS * BATCH);
  });

  test('exactly the truth after the leader kill and the cluster restart; topics replicated 3, min ISR 2', async () => {
    expect(stack.state.brokers).toHaveLength(3);
    sandbox.control.setFaults({latencyMs: 150, pathPattern: '^/v5/pins$'});
    const env = cliChildEnv(sandbox, prefix, {
      ...stack.env,
      PINTEREST_CDC_SYNC__COLLECTIONS: COLLECTIONS.join(','),
      PINTEREST_CDC_SYNC__KEEP_IMAGES: COLLECTIONS.join(','),
      PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '2',
      PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
      PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '50',
    });
    service = startServiceProcess(env);
    await waitPages(4);

    // The leader of the pins topic's partition 0, killed while the snapshot writes transactions.
    const a = admin();
    await a.connect();
    const pinsTopic = `${prefix}.pins`;
    const meta = await a.fetchTopicMetadata({topics: [pinsTopic]});
    const partitions = meta.topics[0]!.partitions;
    expect(partitions.every((p) => p.replicas.length === 3)).toBe(true);
    const config = await a.describeConfigs({
      resources: [{type: 2, name: pinsTopic, configNames: ['min.insync.replicas']}],
      includeSynonyms: false,
    });
    expect(config.resources[0]!.configEntries[0]!.configValue).toBe('2');
    await a.disconnect();
    const leader = partitions.find((p) => p.partitionId === 0)!.leader;
    const killedAt = pinPages();
    await stackLib.stopBroker({rootDir: ROOT, dir, id: leader, kill: true, log: () => {}});
    log.push(`killed the leader of ${pinsTopic}[0], node ${leader}, at pin page ${killedAt}`);
    // Two brokers left (= min.insync.replicas): the snapshot goes on; then the node comes back on its data.
    await waitPages(killedAt + 3);
    await stackLib.startBroker({rootDir: ROOT, dir, id: leader, log: () => {}});
    await service.waitForLog(
      (l) => l.msg === 'Sync cycle finished' && Number(l.failed) === 0 && ranEveryTask(l),
      240_000
    );
    log.push(`node ${leader} restarted; the first snapshot finished`);

    // A cycle of changes, and the whole cluster stopped and started again while it runs.
    const {applied} = sandbox.control.applyChanges([
      {kind: 'create', collection: 'pins', count: 40},
      {kind: 'update', collection: 'pins', count: 60},
      {kind: 'delete', collection: 'pins', count: 20},
      {kind: 'update', collection: 'boards', count: 1},
    ]);
    sandbox.control.resetStats();
    await waitPages(2);
    const ids = stack.state.brokers!.map((b) => b.id);
    await stackLib.stopBroker({rootDir: ROOT, dir, id: ids, log: () => {}});
    log.push(`stopped every node at pin page ${pinPages()} of the changes cycle`);
    await new Promise((r) => setTimeout(r, 3000));
    await stackLib.startBroker({rootDir: ROOT, dir, id: ids, log: () => {}});
    log.push('started every node again');
    sandbox.control.clearFaults();
    // The cycle under way when the cluster went down may have listed pages before the changes were applied (they
    // land while a cycle lists); what it missed is for the next one. So the clean cycle awaited is one that
    // started after that one finished: after the changes and the restart.
    const underWay = await service.waitForLog(
      (l) => l.msg?.startsWith('Sync cycle finished') ?? false,
      240_000,
      service.logs().length
    );
    const from = service.logs().indexOf(underWay) + 1;
    await settleAndStop(service, {analytics: false, timeoutMs: 240_000, from});

    const events = await readCommitted({
      brokers: stack.env.KAFKA_BROKERS.split(','),
      registryUrl: stack.env.SCHEMA_REGISTRY_URL,
      topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
    });
    const truth = Object.fromEntries(
      COLLECTIONS.map((c) => [c, sandbox.control.truth(c).items.map((i) => String(i.id))])
    );
    const check = checkAgainstTruth(events, truth, (c) => `${prefix}.${c}`);
    // The service's reader (used above) against a plain consumer: the same records, or the checks could lie.
    for (const c of COLLECTIONS) {
      const topic = `${prefix}.${c}`;
      const plain = (await readPlain(topic)).map((r) => `${r.partition}@${r.offset}`).sort();
      const read = events.filter((m) => m.topic === topic).map((m) => `${m.partition}@${m.offset}`);
      log.push(
        `${topic}: ${read.length} records read by the service's reader, ${plain.length} by a plain consumer`
      );
      expect(read.sort()).toEqual(plain);
    }
    if (check.problems.length > 0) {
      // Where the missing deletes are: written and aborted (read_uncommitted sees them) or never written.
      const registry = new SchemaRegistry({host: stack.env.SCHEMA_REGISTRY_URL});
      const uncommitted = await readPlain(`${prefix}.pins`, true);
      const seen = new Map<string, string[]>();
      for (const {partition, offset, valueBytes} of uncommitted) {
        if (!valueBytes) continue;
        const value = (await registry.decode(valueBytes)) as {op: string; before?: {id: string} | null};
        if (value.op !== 'd') continue;
        const id = String(value.before?.id);
        seen.set(id, [...(seen.get(id) ?? []), `${partition}@${offset}`]);
      }
      const liveIds = [...check.live.keys()]
        .filter((k) => k.startsWith(`${prefix}.pins `))
        .map((k) => String((JSON.parse(k.slice(`${prefix}.pins `.length)) as {id: unknown}).id));
      const truthIds = new Set(truth.pins);
      for (const id of liveIds.filter((i) => !truthIds.has(i)))
        log.push(
          `pin ${id}: live for read_committed; its d read_uncommitted at ${JSON.stringify(seen.get(id) ?? [])}`
        );
    }
    // What the service did around the faults, and which of its syncs wrote what: for reading a failure.
    for (const line of service.logs()) {
      if (
        /State restored|State may be ahead|Sync cycle finished|Ownership|Kafka transaction failed/.test(
          line.msg ?? ''
        )
      )
        log.push(
          `service: ${line.msg} ${JSON.stringify({...line, msg: undefined, time: undefined, service: undefined, version: undefined})}`
        );
    }
    const bySync = new Map<string, number>();
    for (const m of events) {
      const sync = (m.value as {source?: {sync_id?: string}} | null)?.source?.sync_id ?? '(tombstone)';
      bySync.set(sync, (bySync.get(sync) ?? 0) + 1);
    }
    log.push(`events by sync id: ${JSON.stringify([...bySync])}`);
    log.push(`problems: ${check.problems.length}, first: ${JSON.stringify(check.problems.slice(0, 3))}`);
    expect(check.problems).toEqual([]);
    // Exactly the changes made, each once: creates, deletes, and one `u` per record updated that was neither
    // created by the same changes (the listing sees it new, with its update: one `c`) nor deleted.
    const changed = (op: string) =>
      new Set(applied.filter((a) => a.op === op).map((a) => `${a.collection} ${JSON.stringify(a.key)}`));
    const created = changed('c');
    const deleted = changed('d');
    expect(check.counts).toEqual({
      r: 4002,
      c: created.size,
      u: [...changed('u')].filter((k) => !deleted.has(k) && !created.has(k)).length,
      d: deleted.size,
      tombstones: deleted.size,
    });
    expect(deleted.size).toBe(20);
    log.push(`events: ${JSON.stringify(check.counts)}`);
    reportTries(
      'three brokers: leader SIGKILL + cluster restart',
      1,
      `events ${JSON.stringify(check.counts)}, lost 0, doubled 0`
    );
  });
});
