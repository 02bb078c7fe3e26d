/**
 * The analytics work unit of an ad account (the scheduler's `analytics` kind): wires runAnalyticsShard to the
 * configuration, the Pinterest client, the state and the metrics.
 */
import {
  lifetimeOf,
  planWindows,
  backfillRangesRemaining,
  runAnalyticsShard,
  type AnalyticsSettings,
  type AnalyticsShardDeps,
  type EntityLifetime,
  type EntityLifetimeSource,
} from '../analytics';
import {CollectionRegistry} from '../collections';
import type {AppConfig} from '../config';
import type {Metrics} from '../observability';
import {todayUtc, type PinterestClient} from '../pinterest';
import type {StateStore} from '../state';
import {
  adAccountShard,
  DEFAULT_CONNECTION,
  shardId,
  type AnalyticsShardRunner,
  type SyncHooks,
} from '../sync';

export function analyticsSettings(config: AppConfig): AnalyticsSettings {
  const a = config.analytics;
  return {
    startDate: a.startDate,
    restatementDays: a.restatementDays,
    columns: a.columns,
    attribution: {
      clickWindowDays: a.clickWindowDays as AnalyticsSettings['attribution']['clickWindowDays'],
      engagementWindowDays:
        a.engagementWindowDays as AnalyticsSettings['attribution']['engagementWindowDays'],
      viewWindowDays: a.viewWindowDays as AnalyticsSettings['attribution']['viewWindowDays'],
      conversionReportTime: a.conversionReportTime,
    },
  };
}

/**
 * Entity lifetimes of an ad account: from the entity state when its listing keeps images and completed a
 * snapshot (the scheduler runs an account's analytics after its listings), else from a listing of its own
 * (ads_read; every status, as the entity collections list).
 */
export function entityLifetimes(
  state: StateStore,
  client: Pick<PinterestClient, 'paginate'>,
  registry = new CollectionRegistry(),
  connection = DEFAULT_CONNECTION
): EntityLifetimeSource {
  return {
    async entities(collection, adAccountId) {
      const out: EntityLifetime[] = [];
      const id = shardId(adAccountShard(connection, adAccountId));
      if (state.has(collection, id)) {
        const shard = state.shard(collection, id);
        const entries = [...shard.entries()];
        if (shard.firstSnapshotComplete && entries.every((e) => e.image !== undefined)) {
          for (const entry of entries) {
            const lifetime = lifetimeOf(JSON.parse(entry.image as string) as Record<string, unknown>);
            if (lifetime) out.push(lifetime);
          }
          return out;
        }
      }
      const declaration = registry.get(collection);
      for await (const page of client.paginate<Record<string, unknown>>({
        path: declaration.endpoint.path,
        pathParams: {ad_account_id: adAccountId},
        query: declaration.endpoint.query,
        category: declaration.rateCategory,
      })) {
        for (const record of page) {
          const lifetime = lifetimeOf(record);
          if (lifetime) out.push(lifetime);
        }
      }
      return out;
    },
  };
}

export interface AnalyticsUnitDeps extends Omit<
  AnalyticsShardDeps,
  'rows' | 'entities' | 'signal' | 'hooks' | 'concurrency'
> {
  readonly config: AppConfig;
  readonly version: string;
  /** The connection whose ad accounts this unit reads (its client, its shards). */
  readonly connection: string;
  readonly client: PinterestClient;
  readonly state: StateStore;
  readonly metrics?: Metrics;
  readonly hooks?: SyncHooks;
}

/** The scheduler's analytics unit of one connection: one ad account's configured analytics collections. */
export function analyticsUnit(deps: AnalyticsUnitDeps): AnalyticsShardRunner {
  const registry = new CollectionRegistry();
  const collections = deps.config.analytics.collections.map((name) => registry.get(name));
  const settings = analyticsSettings(deps.config);
  const {connection} = deps;
  const entities = entityLifetimes(deps.state, deps.client, registry, connection);
  const connectorName = deps.config.sync.connectorName ?? deps.config.kafka.topicPrefix;
  const metrics = deps.metrics;
  return async ({adAccountId, syncId, signal}) => {
    try {
      return await runAnalyticsShard(
        {
          adAccountId,
          shard: shardId(adAccountShard(connection, adAccountId)),
          connection,
          collections,
          state: deps.state,
          settings,
          connectorName,
          version: deps.version,
          syncId,
        },
        {
          ...deps,
          signal,
          rows: {read: (part) => deps.client.analyticsPart(part)},
          entities,
          concurrency: deps.config.pinterest.maxConcurrency,
          progressIntervalSeconds: deps.config.observability.progressIntervalSeconds,
          hooks: {
            ...deps.hooks,
            onAnalyticsWindow: (collection, outcome) => metrics?.analyticsWindows.inc({collection, outcome}),
          },
        }
      );
    } finally {
      if (metrics) setAnalyticsGauges(metrics, deps.state, deps.config, deps.now?.() ?? Date.now());
    }
  };
}

/**
 * The analytics gauges, from the state (so they are right after a restart too): per collection the oldest
 * watermark of its ad accounts (the alert must see the account that is stuck, not the freshest one), the
 * backfill ranges left over all accounts, and the rows held.
 */
export function setAnalyticsGauges(
  metrics: Metrics,
  state: StateStore,
  config: AppConfig,
  nowMs: number
): void {
  const settings = analyticsSettings(config);
  const today = todayUtc(nowMs);
  for (const collection of config.analytics.collections) {
    let oldest: number | undefined;
    let remaining = 0;
    let rows = 0;
    for (const shard of state.analyticsAll()) {
      if (shard.collection !== collection) continue;
      const watermark = shard.progress.watermarkMs;
      if (watermark !== null) oldest = oldest === undefined ? watermark : Math.min(oldest, watermark);
      remaining += backfillRangesRemaining(planWindows(today, settings, shard.progress));
      rows += shard.size;
    }
    if (oldest !== undefined) metrics.analyticsWatermark.set({collection}, oldest / 1000);
    metrics.backfillWindowsRemaining.set({collection}, remaining);
    metrics.trackedEntities.set({collection}, rows);
  }
}
