/**
 * Deletes need proof, end to end (sandbox -> pipeline -> real Kafka -> a read_committed consumer): narrowing
 * sync.adAccountIds deletes nothing; an empty /pins listing (a 200 with no items and no bookmark) holds its
 * deletes and emits none; real deletes of more than sync.deleteGuardPercent are held once and emitted, with
 * their tombstones, when the next listing — in a new process, as `sync --once` runs are — agrees.
 */
import {randomBytes} from 'node:crypto';

import {Registry} from 'prom-client';

import {openPipeline} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {Metrics} from '../../../src/observability';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import type {CycleSummary} from '../../../src/sync';
import {readCommitted} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

const COLLECTIONS = ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'];
const PINS = 40;
const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

describe('delete guard and scope end to end', () => {
  let sandbox: RunningSandbox;
  const prefix = `guard_${randomBytes(4).toString('hex')}`;
  const metrics = new Metrics({registry: new Registry(), version: 'test', defaultMetrics: false});

  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 3,
        campaignsPerAccount: 2,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 2,
        boards: 2,
        pins: PINS,
      },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  /** One cycle in a fresh pipeline, as a new `sync --once` process would run it (state restored from Kafka). */
  async function cycle(extra: Record<string, string> = {}): Promise<CycleSummary> {
    const config = loadConfig({env: serviceEnv(sandbox, prefix, extra)});
    const pipeline = await openPipeline(config, {logger: silent, metrics, version: 'test'});
    try {
      const summary = await pipeline.runCycle();
      expect(summary.failed).toEqual([]);
      expect(summary.fatal).toBeUndefined();
      return summary;
    } finally {
      await pipeline.close();
    }
  }

  const deletesInKafka = async () => {
    const all = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
    });
    return {
      deletes: all.filter((m) => (m.value as {op?: string} | null)?.op === 'd'),
      tombstones: all.filter((m) => m.value === null),
    };
  };
  const held = (summary: CycleSummary, collection: string) =>
    summary.listings.filter((l) => l.collection === collection).reduce((n, l) => n + l.heldDeletes, 0);
  const deleted = (summary: CycleSummary) => summary.listings.reduce((n, l) => n + l.events.d, 0);

  it('narrowing the account list, an empty /pins listing and real deletes: only proven deletes reach Kafka', async () => {
    const first = await cycle();
    expect(first.listings.filter((l) => l.collection === 'campaigns')).toHaveLength(3);

    // 1. Narrowed to one ad account: the other two are out of scope, not deleted.
    const [kept] = sandbox.control
      .truth('ad_accounts')
      .items.map((a) => String(a.id))
      .sort();
    const narrowed = await cycle({PINTEREST_CDC_SYNC__AD_ACCOUNT_IDS: `["${kept}"]`});
    expect(deleted(narrowed)).toBe(0);
    expect(narrowed.listings.filter((l) => l.collection === 'campaigns').map((l) => l.shard)).toEqual([kept]);
    expect(await deletesInKafka()).toEqual({deletes: [], tombstones: []});

    // 2. /pins answers 200 with no items and no bookmark: every pin would be deleted; all are held.
    sandbox.control.setFaults({emptyListingRate: 1, pathPattern: '^/v5/pins$'});
    const empty = await cycle();
    expect(held(empty, 'pins')).toBe(PINS);
    expect(deleted(empty)).toBe(0);
    sandbox.control.clearFaults();
    // The real listing disagrees with the empty one: nothing to delete, nothing held any more.
    const recovered = await cycle();
    expect(held(recovered, 'pins') + deleted(recovered)).toBe(0);
    expect(await deletesInKafka()).toEqual({deletes: [], tombstones: []});

    // 3. Real deletes of 8 of 40 pins (20% > 10%): held once, then emitted when the next listing agrees.
    sandbox.control.applyChanges([{kind: 'delete', collection: 'pins', count: 8}]);
    const suspicious = await cycle();
    expect(held(suspicious, 'pins')).toBe(8);
    expect(deleted(suspicious)).toBe(0);
    const confirmed = await cycle();
    expect(confirmed.listings.find((l) => l.collection === 'pins')).toMatchObject({
      heldDeletes: 0,
      events: {d: 8},
    });
    const {deletes, tombstones} = await deletesInKafka();
    expect(deletes).toHaveLength(8);
    expect(tombstones.map((m) => JSON.stringify(m.key)).sort()).toEqual(
      deletes.map((m) => JSON.stringify(m.key)).sort()
    );
    // Every entity collection has a series from the start (zero-initialised); only pins held deletes.
    const heldMetric = (
      await metrics.registry.getSingleMetric('pinterest_cdc_deletes_held_total')?.get()
    )?.values.filter((v) => v.value !== 0);
    expect(heldMetric).toEqual([expect.objectContaining({labels: {collection: 'pins'}, value: PINS + 8})]);
  }, 180_000);
});
