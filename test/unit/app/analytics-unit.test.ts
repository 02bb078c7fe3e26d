/**
 * The analytics unit's wiring: entity lifetimes from the entity state (or a listing when the state cannot say),
 * and the analytics gauges from the state. The stubbed seam is the Pinterest client's `paginate` (a fake that
 * records what it was asked).
 */
import {Registry} from 'prom-client';

import {entityLifetimes, setAnalyticsGauges} from '../../../src/app/analytics-unit';
import {ads} from '../../../src/collections';
import {loadConfig} from '../../../src/config';
import {Metrics} from '../../../src/observability';
import {EMPTY_PROGRESS, StateStore} from '../../../src/state';
import {SnapshotDiffer} from '../../../src/sync';

const NOW = new Date('2026-06-30T12:00:00Z');
const config = loadConfig({
  env: {
    KAFKA_BROKERS: '127.0.0.1:9092',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7',
    PINTEREST_ACCESS_TOKEN: 'pina.x',
    PINTEREST_CDC_ANALYTICS__START_DATE: '2026-01-01',
  },
  now: NOW,
});

const ad = (id: string, status: string) => ({
  id,
  ad_account_id: '1',
  status,
  created_time: 10,
  updated_time: 20,
  campaign_id: '7',
});

function fakeClient(records: Record<string, unknown>[]) {
  const asked: string[] = [];
  return {
    asked,
    client: {
      async *paginate<T>(req: {path: string}): AsyncIterable<T[]> {
        asked.push(req.path);
        yield records as T[];
      },
    },
  };
}

describe('entity lifetimes for the analytics unit', () => {
  it('come from the entity state when its snapshot completed with images', async () => {
    const state = new StateStore();
    const differ = new SnapshotDiffer({
      declaration: ads,
      state: state.shard('ads', '1'),
      context: {name: 'p', version: '1', collection: 'ads', adAccountId: '1', syncId: 's'},
    });
    differ.pushAll([ad('100', 'ACTIVE'), ad('101', 'DRAFT')]);
    differ.finish({complete: true});
    const {client, asked} = fakeClient([]);
    const lifetimes = await entityLifetimes(state, client).entities('ads', '1');
    expect(asked).toEqual([]);
    expect(lifetimes.map((l) => [l.id, l.status, l.parents])).toEqual([
      ['100', 'ACTIVE', ['7']],
      ['101', 'DRAFT', ['7']],
    ]);
  });

  it('come from a listing of every status when the state cannot say', async () => {
    const {client, asked} = fakeClient([ad('100', 'PAUSED')]);
    const lifetimes = await entityLifetimes(new StateStore(), client).entities('ads', '1');
    expect(asked).toEqual(['/ad_accounts/{ad_account_id}/ads']);
    expect(lifetimes).toEqual([
      {id: '100', status: 'PAUSED', createdTime: 10, updatedTime: 20, parents: ['7']},
    ]);
  });
});

describe('analytics gauges', () => {
  it('watermark = the stalest ad account per collection, backfill ranges summed, rows held', async () => {
    const state = new StateStore();
    state.analytics('ad_analytics', '1').progress = {
      ...EMPTY_PROGRESS,
      readThrough: '2026-06-30',
      backfilledFrom: '2026-01-01',
      watermarkMs: 2_000_000,
    };
    state.analytics('ad_analytics', '2').progress = {
      ...EMPTY_PROGRESS,
      readThrough: '2026-06-30',
      backfilledFrom: '2026-04-02',
      watermarkMs: 1_000_000,
    };
    const registry = new Registry();
    const metrics = new Metrics({registry, version: 't', defaultMetrics: false});
    setAnalyticsGauges(metrics, state, config, NOW.getTime());
    const value = async (name: string) =>
      (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.collection === 'ad_analytics')
        ?.value;
    expect(await value('pinterest_cdc_analytics_watermark_timestamp_seconds')).toBe(1000);
    // Account 1 is done; account 2 still has 2026-01-01..2026-04-01 to read (one report range).
    expect(await value('pinterest_cdc_backfill_windows_remaining')).toBe(1);
    expect(await value('pinterest_cdc_tracked_entities')).toBe(0);
  });
});
