/**
 * A record Kafka refuses does not stop its lane: a pin whose event is larger than the pins topic accepts
 * (max.message.bytes set low for the test) goes to `<prefix>.dlq` with its raw JSON and the broker's reason, is
 * counted, and every other pin is emitted exactly once. Its state update is committed with the dead letter, so
 * neither the next cycle nor a restart emits it again, and its next change is an update.
 */
import {randomBytes} from 'node:crypto';
import {Registry} from 'prom-client';

import {openPipeline} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {createKafkaConnection} from '../../../src/kafka';
import {Metrics} from '../../../src/observability';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {expectSnapshotExactlyOnce, readCommitted} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';
import {readAll, setMaxMessageBytes} from '../kafka/helpers';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const PINS = 40;
const PINS_TOPIC_LIMIT = 8192;

describe('a record Kafka refuses', () => {
  // A sandbox per test: each prefix starts from the configured refresh token, which the sandbox rotates.
  let sandbox: RunningSandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({scale: {adAccounts: 1, boards: 1, pins: PINS}});
  });
  afterEach(() => sandbox?.close());

  it('is dead-lettered with its raw JSON while the rest of the lane is emitted exactly once', async () => {
    const prefix = `refused_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_SYNC__COLLECTIONS: 'pins',
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '10',
      }),
    });
    // The pins topic exists already, with a low max.message.bytes (as a platform might set it).
    const kafka = createKafkaConnection({brokers: kafkaBrokers(), clientId: 'it-refused'}, {logger: silent});
    await kafka.topicAdmin().ensureTopics([
      {
        name: `${prefix}.pins`,
        partitions: config.kafka.partitions,
        replicationFactor: config.kafka.replicationFactor,
        cleanupPolicy: 'compact',
        config: {'max.message.bytes': String(PINS_TOPIC_LIMIT)},
      },
    ]);
    await kafka.close();
    const [big] = sandbox.control.applyChanges([
      {kind: 'update', collection: 'pins', count: 1, set: {description: 'd'.repeat(3 * PINS_TOPIC_LIMIT)}},
    ]).applied;
    const bigId = String(big!.key.id);

    const metrics = new Metrics({registry: new Registry(), version: 'test', defaultMetrics: false});
    let pipeline = await openPipeline(config, {logger: silent, metrics, version: 'test'});
    const first = await pipeline.runCycle();
    expect(first.listings[0]).toMatchObject({
      collection: 'pins',
      outcome: 'complete',
      fetched: PINS,
      deadLetters: 1,
      events: {r: PINS - 1},
    });
    expect(await metrics.registry.getSingleMetricAsString('pinterest_cdc_dead_letters_total')).toContain(
      'collection="pins",reason="kafka_refused"} 1'
    );

    const letters = (await readAll(`${prefix}.dlq`, {readUncommitted: false})).map(
      (r) => JSON.parse(r.value!) as Record<string, unknown>
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      collection: 'pins',
      reason: 'kafka_refused',
      key: {id: bigId},
      error: {type: 'MESSAGE_TOO_LARGE', message: expect.stringContaining(`max.message.bytes`)},
    });
    expect(JSON.parse(letters[0]!.raw_json as string)).toEqual(big!.after);
    expect(letters[0]!.raw_json_truncated).toBeUndefined();

    const pinIds = sandbox.control.truth('pins').items.map((p) => String(p.id));
    const topics = [`${prefix}.pins`];
    expectSnapshotExactlyOnce(
      await readCommitted({brokers: kafkaBrokers(), registryUrl: schemaRegistryUrl(), topics}),
      pinIds.filter((id) => id !== bigId)
    );

    // The next cycle, then a restart (state restored from the changelog): nothing new, no second dead letter.
    expect((await pipeline.runCycle()).listings[0]).toMatchObject({
      deadLetters: 0,
      events: {r: 0, c: 0, u: 0, d: 0},
    });
    await pipeline.close();
    pipeline = await openPipeline(config, {logger: silent, version: 'test'});
    try {
      expect((await pipeline.runCycle()).listings[0]).toMatchObject({
        outcome: 'complete',
        deadLetters: 0,
        events: {r: 0, c: 0, u: 0, d: 0},
      });
      // Once it fits, its next change is an update (the state knew it all along).
      sandbox.control.applyChanges([
        {kind: 'update', collection: 'pins', ids: [bigId], set: {description: 'short'}},
      ]);
      expect((await pipeline.runCycle()).listings[0]).toMatchObject({events: {r: 0, c: 0, u: 1, d: 0}});
    } finally {
      await pipeline.close();
    }
    expect(await readAll(`${prefix}.dlq`, {readUncommitted: false})).toHaveLength(1);
    const events = await readCommitted({brokers: kafkaBrokers(), registryUrl: schemaRegistryUrl(), topics});
    expect(events).toHaveLength(PINS);
    const updates = events.filter((m) => (m.value as {op: string}).op === 'u');
    expect(updates.map((m) => (m.value as {after: {id: string}}).after.id)).toEqual([bigId]);
  }, 180_000);

  it('is found after the broker refused it when the limit was lowered under a running service', async () => {
    const prefix = `refused_late_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_SYNC__COLLECTIONS: 'pins',
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '10',
      }),
    });
    const warnings: string[] = [];
    const logger = {...silent, warn: (_fields: object, message: string) => void warnings.push(message)};
    const pipeline = await openPipeline(config, {logger, version: 'test'});
    try {
      expect((await pipeline.runCycle()).listings[0]).toMatchObject({outcome: 'complete', deadLetters: 0});
      await setMaxMessageBytes(`${prefix}.pins`, PINS_TOPIC_LIMIT);
      const applied = sandbox.control.applyChanges([
        {kind: 'update', collection: 'pins', count: 3, set: {note: 'changed'}},
      ]).applied;
      const bigId = String(applied[1]!.key.id);
      const [big] = sandbox.control.applyChanges([
        {
          kind: 'update',
          collection: 'pins',
          ids: [bigId],
          set: {description: 'e'.repeat(3 * PINS_TOPIC_LIMIT)},
        },
      ]).applied;

      const second = await pipeline.runCycle();
      expect(second.listings[0]).toMatchObject({outcome: 'complete', deadLetters: 1, events: {u: 2}});
      // Sent, refused by the broker, found against the topic's limit read again.
      expect(warnings).toContain('Kafka refuses messages of the batch; the batch is aborted');
      const letters = (await readAll(`${prefix}.dlq`, {readUncommitted: false})).map(
        (r) => JSON.parse(r.value!) as {reason: string; key: unknown; error: {type: string}; raw_json: string}
      );
      expect(letters).toMatchObject([
        {reason: 'kafka_refused', key: {id: bigId}, error: {type: 'MESSAGE_TOO_LARGE'}},
      ]);
      expect(JSON.parse(letters[0]!.raw_json)).toEqual(big!.after);
      const updates = (
        await readCommitted({
          brokers: kafkaBrokers(),
          registryUrl: schemaRegistryUrl(),
          topics: [`${prefix}.pins`],
        })
      ).filter((m) => (m.value as {op: string}).op === 'u');
      expect(updates.map((m) => String((m.key as {id: string}).id)).sort()).toEqual(
        applied
          .map((c) => String(c.key.id))
          .filter((id) => id !== bigId)
          .sort()
      );
    } finally {
      await pipeline.close();
    }
  }, 180_000);
});
