/**
 * One analytics run of one ad account: for each configured analytics collection, settle the rows older than
 * the restatement window, then read the planned date ranges (window-plan.ts) in parts of one request each (ids
 * in batches of 250 for the sync endpoint, 500 or none for reports), diff every answer against the state
 * (row-differ.ts) and commit events, state and progress together, one transaction per batch, as the entity
 * listings do (docs/contracts.md "Analytics").
 *
 * The progress record (which ranges are read, and inside a range the last entity committed) goes into the same
 * transactions as the events it accounts for, so a run that stops anywhere (SIGKILL, a spent daily quota,
 * shutdown) resumes after the last committed entity: rows not kept in state (older than the window) are never
 * emitted twice, and rows kept in state are diffed against what was committed. A part whose answer did not
 * arrive emits nothing, in particular no vanished-row deletes.
 */
import type {CollectionDeclaration} from '../collections/types';
import {CdcError} from '../errors';
import type {JsonRecord, SyncContext} from '../events/change-event';
import {
  REPORT_IDS_PER_REQUEST,
  REPORT_MAX_RANGE_DAYS,
  SYNC_IDS_PER_REQUEST,
  type AnalyticsPart,
  type AnalyticsRow,
} from '../pinterest';
import {chunk, dateOfDay, daysBetween, dayNumber, todayUtc} from '../pinterest/dates';
import type {BatchEncoder} from '../serde';
import {
  analyticsProgressMessage,
  rowKey,
  analyticsRowMessage,
  type AnalyticsShardState,
  type StateStore,
} from '../state';
import type {CommitRetryPolicy} from '../sync/batch-committer';
import {countingPipeline, SyncAbortedError, type ListingResult} from '../sync/listing-runner';
import type {BatchSink, SyncHooks, SyncLogger, SyncTopics} from '../sync/ports';
import type {TransactionPipeline} from '../sync/transaction-pipeline';
import {attributionOptions, conversionLookbackDays, type Attribution} from './attribution';
import {compareIds, entityCanHaveRows} from './eligibility';
import {orderedPrefetch} from './ordered-prefetch';
import type {AnalyticsHooks, AnalyticsRowSource, EntityLifetime, EntityLifetimeSource} from './ports';
import {AnalyticsRowDiffer} from './row-differ';
import {
  backfillRangesRemaining,
  planWindows,
  progressAfterRange,
  progressWithin,
  type PlannedRange,
  type WindowSettings,
} from './window-plan';

export interface AnalyticsSettings extends WindowSettings {
  /** analytics.columns: the metric columns asked for. */
  readonly columns: readonly string[];
  readonly attribution: Attribution;
}

export interface AnalyticsShardInput {
  readonly adAccountId: string;
  /** The state shard id of the ad account (src/sync/shards.ts); default the ad account id (connection `default`). */
  readonly shard?: string;
  /** The Pinterest connection, written in every event's source.connection. */
  readonly connection?: string;
  /** Analytics declarations to run, in this order. */
  readonly collections: readonly CollectionDeclaration[];
  readonly state: StateStore;
  readonly settings: AnalyticsSettings;
  /** Written in every event's source.name. */
  readonly connectorName: string;
  readonly version: string;
  readonly syncId: string;
}

export interface AnalyticsShardDeps {
  readonly encoder: BatchEncoder;
  readonly sink: BatchSink;
  readonly topics: SyncTopics;
  readonly maxEventsPerTransaction: number;
  readonly logger: SyncLogger;
  readonly hooks?: SyncHooks & AnalyticsHooks;
  readonly now?: () => number;
  readonly commitRetry?: CommitRetryPolicy;
  /** Stops the run between answers (shutdown): what was diffed is committed with its cursor. */
  readonly signal?: AbortSignal;
  readonly rows: AnalyticsRowSource;
  readonly entities: EntityLifetimeSource;
  /** Requests in flight at once (default 4); answers are still processed in order. */
  readonly concurrency?: number;
  /** Seconds between progress log lines of a long run (observability.progressIntervalSeconds; default 60). */
  readonly progressIntervalSeconds?: number;
}

export interface AnalyticsResult extends ListingResult {
  /** Requests made: sync calls and async reports (each report is a create, polls and a download). */
  readonly requests: {readonly sync: number; readonly report: number};
  /** Rows that left the state because they are older than the window. */
  readonly settled: number;
  readonly rangesRead: number;
  readonly backfillRangesRemaining: number;
}

// An unfiltered report is used when it is no bigger than a full filtered one (500 ids x 186 days), so asking for
// the whole level never trades a few requests for an unbounded file.
const MAX_UNFILTERED_ENTITY_DAYS = REPORT_IDS_PER_REQUEST * REPORT_MAX_RANGE_DAYS;
const DEFAULT_CONCURRENCY = 4;

/**
 * Runs every configured analytics collection of one ad account, in order. Whatever stops a collection is thrown
 * once what was diffed is committed with its cursor: a spent daily quota (QuotaExhaustedError: the ads_analytics
 * category pauses, the scheduler skips its later units), a missing permission, a vanished account, a shutdown
 * (SyncAbortedError), a batch not committed (StateDivergedError / FencedError).
 */
export async function runAnalyticsShard(
  input: AnalyticsShardInput,
  deps: AnalyticsShardDeps
): Promise<AnalyticsResult[]> {
  const results: AnalyticsResult[] = [];
  for (const declaration of input.collections) {
    if (deps.signal?.aborted) throw new SyncAbortedError();
    results.push(await runCollection(declaration, input, deps));
  }
  return results;
}

interface Part {
  readonly request: AnalyticsPart;
  /** The entities the answer speaks for (absent = none), or null: every entity of the level. */
  readonly asked: ReadonlySet<string> | null;
}

async function runCollection(
  declaration: CollectionDeclaration,
  input: AnalyticsShardInput,
  deps: AnalyticsShardDeps
): Promise<AnalyticsResult> {
  const analytics = declaration.analytics;
  if (analytics === undefined)
    throw new CdcError(`${declaration.name} is not an analytics collection`, {retriable: false});
  const now = deps.now ?? Date.now;
  const started = now();
  const today = todayUtc(started);
  const collection = declaration.name;
  const adAccountId = input.adAccountId;
  const shard = input.shard ?? adAccountId;
  const shardState = input.state.analytics(collection, shard);
  const {settings} = input;
  const plan = planWindows(today, settings, shardState.progress);
  if (plan.clampedStart) {
    deps.logger.warn(
      {collection, shard, startDate: settings.startDate, from: plan.clampedStart},
      'analytics.startDate is older than Pinterest serves (913 days); reading from the oldest served day'
    );
  }
  const context: SyncContext = {
    name: input.connectorName,
    version: input.version,
    collection,
    adAccountId,
    syncId: input.syncId,
    ...(input.connection === undefined ? {} : {connection: input.connection}),
  };
  let fetched = 0;
  let settled = 0;
  let rangesRead = 0;
  const requests = {sync: 0, report: 0};
  const {pipeline, tally} = countingPipeline(deps, {collection, shard, syncId: input.syncId, now});
  const differ = new AnalyticsRowDiffer({
    declaration,
    state: shardState,
    context,
    attribution: settings.attribution,
    windowStart: plan.windowStart,
    now,
  });
  const saveProgress = () =>
    pipeline.addMessage({
      topic: deps.topics.state,
      ...analyticsProgressMessage(collection, shard, shardState.progress),
    });

  let current: {range: PlannedRange; after: string | null} | undefined;
  let outcome: ListingResult['outcome'] = 'interrupted';
  let lastLog = started;
  const progressMs = (deps.progressIntervalSeconds ?? 60) * 1000;
  const ranges = [...plan.forward, ...plan.backward];
  try {
    settled = await settle(shardState, plan.windowStart, pipeline, deps);
    const lifetimes =
      analytics.entities === null ? null : await entitiesOf(deps.entities, analytics.entities, adAccountId);
    const parents = new Map<string, EntityLifetime>();
    for (const collection of lifetimes === null ? [] : analytics.parents) {
      for (const parent of await deps.entities.entities(collection, adAccountId))
        parents.set(parent.id, parent);
    }
    for (const [n, range] of ranges.entries()) {
      current = {range, after: range.after};
      const parts = partsOf(range, lifetimes, {adAccountId, declaration, settings, parents});
      for (const part of parts) requests[part.request.via] += 1;
      let partsDone = 0;
      for await (const answer of orderedPrefetch(
        parts.map((part) => () => deps.rows.read(part.request).then((rows) => ({part, rows}))),
        deps.concurrency ?? DEFAULT_CONCURRENCY
      )) {
        if (deps.signal?.aborted) throw new SyncAbortedError();
        differ.beginPart();
        fetched += answer.rows.rows.length;
        deps.hooks?.onRecordsFetched?.(collection, answer.rows.rows.length);
        for (const raw of answer.rows.rejected) {
          tally.deadLetters += 1;
          deps.hooks?.onDeadLetter?.(collection, 'key');
          pipeline.addDeadLetter({
            reason: 'key',
            error: new Error('An analytics row without a usable entity id or DATE'),
            record:
              raw !== null && typeof raw === 'object' && !Array.isArray(raw)
                ? (raw as JsonRecord)
                : {row: raw},
          });
          deps.logger.warn({collection, shard}, 'Analytics row dead-lettered');
        }
        for (const [entityId, rows] of entitiesOfAnswer(answer.part, answer.rows.rows, shardState, range)) {
          if (current.after !== null && compareIds(entityId, current.after) <= 0) continue;
          const asked = answer.part.asked === null || answer.part.asked.has(entityId);
          for (const output of differ.diffEntity(entityId, rows, range.newRowOp, asked ? range : null)) {
            pipeline.add(output);
          }
          current.after = entityId;
          if (pipeline.size >= deps.maxEventsPerTransaction) {
            shardState.progress = progressWithin(shardState.progress, range, current.after);
            saveProgress();
            await pipeline.submit();
          }
        }
        partsDone += 1;
        if (now() - lastLog >= progressMs) {
          lastLog = now();
          deps.logger.info(
            {
              collection,
              shard,
              direction: range.direction,
              range: `${range.start}..${range.end}`,
              via: range.via,
              parts: `${partsDone}/${parts.length}`,
              rangesLeft: ranges.length - n,
              rows: fetched,
            },
            'Analytics progress'
          );
        }
      }
      shardState.progress = progressAfterRange(shardState.progress, range, {today, startedAtMs: started});
      current = undefined;
      saveProgress();
      await pipeline.submit();
      rangesRead += 1;
      deps.hooks?.onAnalyticsWindow?.(collection, 'complete');
    }
    await pipeline.drain();
    outcome = 'complete';
  } catch (error) {
    if (current !== undefined) {
      // What was diffed is in the state: commit it with the cursor that says so (no vanish-deletes for what
      // did not arrive), then stop.
      shardState.progress = progressWithin(shardState.progress, current.range, current.after);
      saveProgress();
      deps.hooks?.onAnalyticsWindow?.(collection, 'interrupted');
    }
    await pipeline.drain();
    throw error;
  } finally {
    deps.hooks?.onListingDone?.(collection, (now() - started) / 1000, outcome);
    deps.hooks?.onTrackedEntities?.(collection, shard, shardState.size);
  }
  return {
    collection,
    shard,
    outcome,
    fetched,
    events: tally.events,
    deadLetters: tally.deadLetters,
    heldDeletes: 0,
    durationSeconds: (now() - started) / 1000,
    requests,
    settled,
    rangesRead,
    backfillRangesRemaining: backfillRangesRemaining(planWindows(today, settings, shardState.progress)),
  };
}

/** Rows dated before the window leave the state (changelog tombstones; no events: they are settled). */
async function settle(
  shardState: AnalyticsShardState,
  windowStart: string,
  pipeline: TransactionPipeline,
  deps: AnalyticsShardDeps
): Promise<number> {
  const first = dayNumber(windowStart);
  const rows = shardState.rows;
  let settled = 0;
  for (const slot of rows.slots()) {
    const ref = rows.refOf(slot);
    if (ref.day >= first) continue;
    const key = rowKey(rows.entityId(ref.entity), dateOfDay(ref.day));
    rows.delete(slot);
    pipeline.addMessage({
      topic: deps.topics.state,
      ...analyticsRowMessage(shardState.collection, shardState.shard, key, null),
    });
    settled += 1;
    if (settled % deps.maxEventsPerTransaction === 0) await pipeline.submit();
  }
  return settled;
}

async function entitiesOf(
  source: EntityLifetimeSource,
  collection: string,
  adAccountId: string
): Promise<EntityLifetime[]> {
  const list = [...(await source.entities(collection, adAccountId))];
  return list.sort((a, b) => compareIds(a.id, b.id));
}

/** The requests of one range: as few as the limits allow, and none for entities that cannot have rows in it. */
function partsOf(
  range: PlannedRange,
  lifetimes: readonly EntityLifetime[] | null,
  ctx: {
    adAccountId: string;
    declaration: CollectionDeclaration;
    settings: AnalyticsSettings;
    parents: ReadonlyMap<string, EntityLifetime>;
  }
): Part[] {
  const level = ctx.declaration.analytics?.level;
  if (level === undefined) return [];
  const base = {
    level,
    adAccountId: ctx.adAccountId,
    start: range.start,
    end: range.end,
    columns: ctx.settings.columns,
    attribution: attributionOptions(ctx.settings.attribution),
    via: range.via,
  };
  if (lifetimes === null) return [{request: {...base, ids: null}, asked: null}];
  const lookback = conversionLookbackDays(ctx.settings.attribution);
  const after = range.after;
  const eligible = lifetimes
    .filter(
      (e) =>
        (after === null || compareIds(e.id, after) > 0) && entityCanHaveRows(e, ctx.parents, range, lookback)
    )
    .map((e) => e.id);
  if (eligible.length === 0) return [];
  const days = daysBetween(range.start, range.end) + 1;
  if (range.via === 'report' && lifetimes.length * days <= MAX_UNFILTERED_ENTITY_DAYS) {
    return [{request: {...base, ids: null}, asked: null}];
  }
  const size = range.via === 'sync' ? SYNC_IDS_PER_REQUEST : REPORT_IDS_PER_REQUEST;
  return chunk(eligible, size).map((ids) => ({request: {...base, ids}, asked: new Set(ids)}));
}

/**
 * The entities one answer speaks for, in id order, each with its rows: the ids asked for (with or without rows),
 * ids the answer named anyway, and for an answer about the whole level every entity the state holds rows of in
 * the range (a row that vanished has no other trace).
 */
function entitiesOfAnswer(
  part: Part,
  rows: readonly AnalyticsRow[],
  shardState: AnalyticsShardState,
  range: PlannedRange
): [string, AnalyticsRow[]][] {
  const byEntity = new Map<string, AnalyticsRow[]>();
  for (const id of part.asked ?? []) byEntity.set(id, []);
  if (part.asked === null) {
    const table = shardState.rows;
    const first = dayNumber(range.start);
    const last = dayNumber(range.end);
    for (const slot of table.slots()) {
      const ref = table.refOf(slot);
      if (ref.day >= first && ref.day <= last) byEntity.set(table.entityId(ref.entity), []);
    }
  }
  for (const row of rows) {
    const list = byEntity.get(row.entityId);
    if (list) list.push(row);
    else byEntity.set(row.entityId, [row]);
  }
  return [...byEntity].sort(([a], [b]) => compareIds(a, b));
}
