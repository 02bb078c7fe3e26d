/**
 * Sandbox -> pipeline -> real Kafka + registry -> a read_committed consumer decoding through the registry.
 * After the sandbox applies creates, updates, archives and deletes, the consumed events must equal the sandbox's
 * ground truth exactly, per key: the right op, before and after, and a tombstone after every delete.
 */
import {randomBytes} from 'node:crypto';

import {openPipeline, type Pipeline} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {startSandbox, type RunningSandbox, type AppliedChange} from '../../../src/sandbox';
import {readCommitted, type ConsumedMessage} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

const COLLECTIONS = ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'];
type Image = Record<string, unknown>;
interface DecodedEvent {
  op: string;
  before: Image;
  after: Image;
  changed_fields: string[];
}

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

describe('entity change events end to end', () => {
  let sandbox: RunningSandbox;
  const prefix = `e2e_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 2,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 2,
        boards: 3,
        pins: 30,
      },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const config = () =>
    loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '7',
        // This test checks one cycle's change semantics: 2 of the few ads deleted would be held for a second
        // listing by the delete guard (10% by default), which test/integration/e2e/delete-guard.test.ts covers.
        PINTEREST_CDC_SYNC__DELETE_GUARD_PERCENT: '100',
      }),
    });

  /** One cycle in a fresh pipeline, as a restarted process would run it (state restored from Kafka). */
  async function cycle() {
    const pipeline: Pipeline = await openPipeline(config(), {logger: silent, version: 'test'});
    try {
      return await pipeline.runCycle();
    } finally {
      await pipeline.close();
    }
  }

  const consume = () =>
    readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
    });

  const keyOf = (m: ConsumedMessage) => `${m.topic}|${JSON.stringify(m.key)}`;
  const truthKey = (c: AppliedChange) => `${prefix}.${c.collection}|${JSON.stringify(c.key)}`;

  it('emits r for the first snapshot, then exactly the ground truth of creates, updates, archives and deletes', async () => {
    const first = await cycle();
    expect(first.skipped).toEqual([]);
    const snapshot = await consume();
    for (const collection of COLLECTIONS) {
      const events = snapshot.filter((m) => m.topic === `${prefix}.${collection}`);
      const truth =
        collection === 'ad_accounts' || collection === 'boards' || collection === 'pins'
          ? sandbox.control.truth(collection).items
          : ['', ''].flatMap(
              (_, i) =>
                sandbox.control.truth(collection, String(sandbox.control.truth('ad_accounts').items[i]!.id))
                  .items
            );
      expect(events.map((m) => (m.value as {op: string}).op)).toEqual(truth.map(() => 'r'));
      expect(new Set(events.map((m) => String((m.value as {after: {id: string}}).after.id)))).toEqual(
        new Set(truth.map((r) => String(r.id)))
      );
    }

    const {applied} = sandbox.control.applyChanges([
      {kind: 'create', collection: 'campaigns', count: 2},
      {kind: 'update', collection: 'campaigns', count: 2},
      {kind: 'archive', collection: 'ad_groups', count: 2},
      {kind: 'delete', collection: 'ads', count: 2},
      {kind: 'update', collection: 'ads', count: 1, set: {status: 'PAUSED'}},
      {kind: 'create', collection: 'boards', count: 1},
      {kind: 'delete', collection: 'boards', count: 1},
      {kind: 'create', collection: 'pins', count: 3},
      {kind: 'update', collection: 'pins', count: 2},
      {kind: 'delete', collection: 'pins', count: 2},
    ]);
    expect(applied.length).toBeGreaterThanOrEqual(15);

    const second = await cycle();
    const all = await consume();
    const changes = all
      .slice(0)
      .filter(
        (m) =>
          !snapshot.some((s) => s.topic === m.topic && s.partition === m.partition && s.offset === m.offset)
      );
    const events = changes.filter((m) => m.value !== null);
    const tombstones = changes.filter((m) => m.value === null);
    for (const event of events)
      expect((event.value as {source: {sync_id: string}}).source.sync_id).toBe(second.syncId);

    // Net effect per key (a record updated then deleted in one interval shows as one delete).
    const expected = new Map<string, AppliedChange>();
    for (const change of applied) {
      const id = truthKey(change);
      const earlier = expected.get(id);
      if (earlier?.op === 'c' && change.op === 'd') expected.delete(id);
      else if (earlier)
        expected.set(id, {...change, op: earlier.op === 'c' ? 'c' : change.op, before: earlier.before});
      else expected.set(id, change);
    }
    const got = new Map(events.map((m) => [keyOf(m), m.value as unknown as DecodedEvent]));
    expect(events).toHaveLength(got.size); // one event per key: nothing doubled
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, truth] of expected) {
      const event = got.get(id)!;
      expect({id, op: event.op}).toEqual({id, op: truth.op});
      if (truth.after) {
        expect(event.after.id).toBe(String(truth.after.id));
        expect(event.after.name ?? null).toEqual(truth.after.name ?? null);
        if ('status' in truth.after) expect(event.after.status).toBe(truth.after.status);
      } else {
        expect(event.after).toBeNull();
      }
      if (truth.op === 'u' && !id.startsWith(`${prefix}.pins|`)) {
        // Images are kept for all but pins: the previous image and the fields that changed.
        expect(event.before.id).toBe(String(truth.before!.id));
        if ('status' in truth.before!) expect(event.before.status).toBe(truth.before!.status);
        expect(event.changed_fields.length).toBeGreaterThan(0);
      }
    }
    // Archives are updates, never deletes.
    for (const change of applied.filter((c) => c.collection === 'ad_groups')) {
      expect(got.get(truthKey(change))?.op).toBe('u');
      expect(got.get(truthKey(change))?.after.status).toBe('ARCHIVED');
    }
    // Every delete is followed by a tombstone for the same key, and names its row in before (pins too).
    const deletes = events.filter((m) => (m.value as {op: string}).op === 'd');
    expect(deletes.length).toBeGreaterThan(0);
    for (const del of deletes) {
      const before = (del.value as {before: Record<string, unknown> | null}).before;
      expect(before).not.toBeNull();
      for (const [field, value] of Object.entries(del.key as Record<string, string>))
        expect(before![field]).toBe(value);
    }
    expect(tombstones.map(keyOf).sort()).toEqual(deletes.map(keyOf).sort());
    for (const tombstone of tombstones) {
      const del = deletes.find((d) => keyOf(d) === keyOf(tombstone))!;
      expect(BigInt(tombstone.offset)).toBeGreaterThan(BigInt(del.offset));
    }

    // A third cycle with nothing changed emits nothing.
    const third = await cycle();
    expect(third.listings.reduce((n, l) => n + l.events.r + l.events.c + l.events.u + l.events.d, 0)).toBe(0);
  }, 180_000);
});
