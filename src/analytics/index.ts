export {runAnalyticsShard} from './shard-runner';
export type {
  AnalyticsResult,
  AnalyticsSettings,
  AnalyticsShardDeps,
  AnalyticsShardInput,
} from './shard-runner';
export {AnalyticsRowDiffer} from './row-differ';
export type {RowDifferOptions} from './row-differ';
export {
  backfillRangesRemaining,
  planWindows,
  progressAfterRange,
  progressWithin,
  viaFor,
  windowStartOf,
} from './window-plan';
export type {PlannedRange, ReadDirection, WindowPlan, WindowSettings} from './window-plan';
export {canHaveRows, compareIds, deliveryDays, entityCanHaveRows, lifetimeOf} from './eligibility';
export type {DeliveryDays} from './eligibility';
export {attributionCode, attributionFields, attributionOfCode, conversionLookbackDays} from './attribution';
export type {Attribution} from './attribution';
export {orderedPrefetch} from './ordered-prefetch';
export type {AnalyticsHooks, AnalyticsRowSource, EntityLifetime, EntityLifetimeSource} from './ports';
