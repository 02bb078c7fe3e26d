import {type CollectionDeclaration, CollectionRegistry} from '../collections';
import type {JsonRecord} from '../events';
import {CdcError, FencedError} from '../errors';
import {
  InvalidClientError,
  NotFoundError,
  PermissionError,
  QuotaExhaustedError,
  ReauthorizationRequiredError,
} from '../pinterest';
import type {StateStore} from '../state';
import {StateDivergedError} from './batch-committer';
import {Lanes} from './lanes';
import {
  emptyOpCounts,
  SyncAbortedError,
  type ListingResult,
  type ListingRunnerDeps,
  runListing,
} from './listing-runner';
import type {ListingRequest, RecordSource} from './ports';
import {DEFAULT_CONNECTION, shardFor, shardId, type Shard} from './shards';

/** What a cycle does: list entities, read analytics windows, or both (each kind has its own cadence). */
export type UnitKind = 'entities' | 'analytics';

export interface CycleOptions {
  /** Entity collections to capture, by name. */
  readonly collections: readonly string[];
  /** Ad accounts of the connection `default` when `deps.connections` is not given; empty = all it can see. */
  readonly adAccountIds: readonly string[];
  /** Collections whose state keeps before-images. */
  readonly keepImages: readonly string[];
  /** Topic prefix, written in every event's source.name. */
  readonly connectorName: string;
  readonly version: string;
  /** The kinds of work due this cycle; default entities only. */
  readonly kinds?: readonly UnitKind[];
  /**
   * The shards this cycle may write (default: all). A connection's ad-account list is read whenever any of its
   * shards runs (it says which ad accounts exist) but diffed only when its own shard runs.
   */
  readonly runs?: (shard: Shard) => boolean;
}

/** One Pinterest connection as the cycle sees it: its own client (and so its own rate budget) and ad accounts. */
export interface CycleConnection {
  readonly name: string;
  readonly source: RecordSource;
  /** Ad accounts to capture; empty = every ad account the connection's token can see. */
  readonly adAccountIds: readonly string[];
  /** Needed when `kinds` includes analytics. */
  readonly analytics?: AnalyticsShardRunner;
}

/** Reads the analytics windows of one ad account (the analytics stage); results per analytics collection. */
export type AnalyticsShardRunner = (input: {
  readonly adAccountId: string;
  readonly syncId: string;
  readonly signal: AbortSignal;
}) => Promise<ListingResult[]>;

export interface CycleDeps extends ListingRunnerDeps {
  /** The connections to sync; default: one, `default`, of `source`, `options.adAccountIds` and `analytics`. */
  readonly connections?: readonly CycleConnection[];
  readonly source?: RecordSource;
  readonly state: StateStore;
  readonly registry?: CollectionRegistry;
  readonly newSyncId?: () => string;
  /** Needed when `kinds` includes analytics. */
  readonly analytics?: AnalyticsShardRunner;
}

export interface SkippedListing {
  readonly collection: string;
  readonly shard: string;
  readonly reason: 'quota_exhausted' | 'permission' | 'not_found';
  readonly message: string;
}

/** A listing that failed for a reason the next cycle may not share (5xx after retries, a bad request...). */
export interface FailedListing {
  readonly collection: string;
  readonly shard: string;
  readonly message: string;
  readonly retriable: boolean;
}

export interface CycleSummary {
  readonly syncId: string;
  readonly kinds: readonly UnitKind[];
  readonly listings: ListingResult[];
  readonly skipped: SkippedListing[];
  readonly failed: FailedListing[];
  /**
   * Set when the cycle had to stop every lane: FencedError (another instance took over: stop the service) or
   * StateDivergedError (a batch's outcome is unknown: rebuild state from the changelog before writing again).
   */
  readonly fatal?: FencedError | StateDivergedError;
  readonly durationSeconds: number;
}

const AD_ACCOUNTS = 'ad_accounts';
const ANALYTICS_LANE = 'ads_analytics';

/**
 * One sync cycle: work units per shard (the ad-account list, each ad account, the token user), each run in the
 * lane of the rate budget it spends, one unit at a time per lane and lanes side by side; a listing mostly waits
 * for pages, so a cycle takes about its longest lane. Units of one shard keep their order: an ad account's
 * campaigns, ad groups and ads, then its analytics once they are listed.
 *
 * Failures stay with their unit: a listing the token may not read or that 404s is skipped, one whose category's
 * daily quota is spent is skipped with every later unit of that category, any other failure is recorded; the other
 * units go on. Only a fenced producer or a diverged state stops every lane (between pages, committing what was
 * diffed) and is returned as `fatal`: FencedError wins over StateDivergedError.
 */
export async function runCycle(options: CycleOptions, deps: CycleDeps): Promise<CycleSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const registry = deps.registry ?? new CollectionRegistry();
  const syncId = deps.newSyncId?.() ?? `${new Date(started).toISOString()}`;
  const kinds = options.kinds ?? ['entities'];
  const record = new CycleRecord(registry);
  const stop = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, stop.signal]) : stop.signal;
  const listingDeps: ListingRunnerDeps = {...deps, signal};
  const pausedCategories = new Map<string, string>();
  const lanes = new Lanes((error) => record.fail('(cycle)', '-', error));

  const runs = options.runs ?? (() => true);
  const connections: readonly CycleConnection[] = deps.connections ?? [
    {
      name: DEFAULT_CONNECTION,
      source: deps.source ?? missingSource(),
      adAccountIds: options.adAccountIds,
      analytics: deps.analytics,
    },
  ];

  /**
   * Runs `work` for (collection, shard), recording its outcome; a fatal outcome stops every lane. `budget` names
   * the rate budget spent, per connection (Pinterest limits are per user per app: notes/pinterest-api.md §7).
   */
  const attempt = async (collection: string, shard: string, budget: string, work: () => Promise<void>) => {
    if (signal.aborted) return;
    const paused = pausedCategories.get(budget);
    if (paused !== undefined)
      return record.skip({collection, shard, reason: 'quota_exhausted', message: paused});
    try {
      await work();
    } catch (error) {
      if (error instanceof QuotaExhaustedError) pausedCategories.set(budget, error.message);
      const outcome = record.fail(collection, shard, error);
      if (outcome === 'fatal') stop.abort();
      // Refused credentials fail every listing alike, cycle after cycle: the token manager said it once.
      const credentials =
        error instanceof ReauthorizationRequiredError || error instanceof InvalidClientError;
      if (outcome === 'skipped' || outcome === 'failed')
        deps.logger[credentials ? 'debug' : 'warn'](
          {collection, shard, err: messageOf(error)},
          `Listing ${outcome}`
        );
    }
  };

  const wanted = new Set(options.collections);
  const entities = kinds.includes('entities');
  const perAccount = entities
    ? registry.entities().filter((c) => c.scope === 'ad_account' && wanted.has(c.name))
    : [];
  const tokenUser = entities
    ? registry.entities().filter((c) => c.scope === 'token_user' && wanted.has(c.name))
    : [];
  const listsAccounts = entities && wanted.has(AD_ACCOUNTS);
  const accountsDeclaration = registry.get(AD_ACCOUNTS);

  for (const connection of connections) planConnection(connection);

  /** Every unit of one connection's shards, in lanes of its own rate budgets. */
  function planConnection(connection: CycleConnection): void {
    const lane = (category: string) => `${connection.name}\u0000${category}`;
    const analytics = kinds.includes('analytics') ? connection.analytics : undefined;

    const listing = (declaration: CollectionDeclaration, shard: Shard, pages: Pages, extra = {}) => {
      const id = shardId(shard);
      return attempt(declaration.name, id, lane(declaration.rateCategory), async () => {
        const adAccountId = shard.adAccountId ?? null;
        record.listed(
          await runListing(
            {
              declaration,
              shard: id,
              state: deps.state.shard(declaration.name, id),
              context: {
                name: options.connectorName,
                version: options.version,
                collection: declaration.name,
                adAccountId,
                syncId,
                connection: connection.name,
              },
              keepImages: options.keepImages.includes(declaration.name),
              pages,
              ...extra,
            },
            listingDeps
          )
        );
      });
    };

    for (const declaration of tokenUser) {
      const shard = shardFor(connection.name, declaration);
      if (!runs(shard)) continue;
      void lanes.enqueue(lane(declaration.rateCategory), () =>
        listing(declaration, shard, connection.source.pages(request(declaration)))
      );
    }

    const accountsShard = shardFor(connection.name, accountsDeclaration);
    const diffsAccounts = listsAccounts && runs(accountsShard);
    const accountUnits = perAccount.length > 0 || analytics !== undefined;
    if (!diffsAccounts && !accountUnits) return;
    const accountsLane = lane(accountsDeclaration.rateCategory);
    void lanes.enqueue(accountsLane, () =>
      attempt(AD_ACCOUNTS, shardId(accountsShard), accountsLane, async () => {
        // One listing both says which ad accounts exist and, when captured, diffs the ad_accounts collection.
        const pages = await collectPages(connection.source.pages(request(accountsDeclaration)));
        const only = new Set(connection.adAccountIds);
        const inScope = (id: string) => only.size === 0 || only.has(id);
        const visible = pages.flat().map((account) => String(account.id));
        if (diffsAccounts) {
          await listing(
            accountsDeclaration,
            accountsShard,
            replay(pages.map((p) => p.filter((a) => inScope(String(a.id))))),
            {
              // An account outside the allow-list is out of scope, not deleted: its record stays as it was.
              retain: (key: Record<string, string>) => !inScope(key.id ?? ''),
            }
          );
        }
        for (const missing of [...only].filter((id) => !visible.includes(id))) {
          deps.logger.warn(
            {connection: connection.name, adAccountId: missing},
            'Configured ad account is not visible to the token; trying it anyway'
          );
        }
        const accountIds = only.size > 0 ? [...only] : visible;
        for (const adAccountId of [...new Set(accountIds)].sort()) {
          const shard: Shard = {connection: connection.name, scope: 'ad_account', adAccountId};
          if (runs(shard)) planAccount(shard, adAccountId);
        }
      })
    );

    function planAccount(shard: Shard, adAccountId: string): void {
      const listed = perAccount.map((declaration) =>
        lanes.enqueue(lane(declaration.rateCategory), () =>
          listing(declaration, shard, connection.source.pages(request(declaration, adAccountId)))
        )
      );
      if (!analytics) return;
      const runAnalytics = analytics;
      // An account's analytics read its entities (which ids can have data): after its listings of this cycle.
      const entitiesListed = Promise.all(listed);
      const analyticsLane = lane(ANALYTICS_LANE);
      void lanes.enqueue(analyticsLane, async () => {
        await entitiesListed;
        await attempt('analytics', shardId(shard), analyticsLane, async () => {
          for (const result of await runAnalytics({adAccountId, syncId, signal})) record.listed(result);
        });
      });
    }
  }

  await lanes.idle();
  return {
    syncId,
    kinds,
    ...record.sorted(),
    fatal: record.fatal,
    durationSeconds: (now() - started) / 1000,
  };
}

type Pages = AsyncIterable<JsonRecord[]>;

function missingSource(): never {
  throw new Error('runCycle: give deps.connections or deps.source');
}

function request(declaration: CollectionDeclaration, adAccountId?: string): ListingRequest {
  return {
    path: declaration.endpoint.path,
    pathParams: adAccountId === undefined ? undefined : {ad_account_id: adAccountId},
    query: declaration.endpoint.query,
    category: declaration.rateCategory as ListingRequest['category'],
  };
}

/** What happened to each unit of a cycle, in the order the summary shows it. */
class CycleRecord {
  private readonly listings: ListingResult[] = [];
  private readonly skipped: SkippedListing[] = [];
  private readonly failed: FailedListing[] = [];
  fatal: FencedError | StateDivergedError | undefined;

  constructor(private readonly registry: CollectionRegistry) {}

  listed(result: ListingResult): void {
    this.listings.push(result);
  }

  skip(skipped: SkippedListing): void {
    this.skipped.push(skipped);
  }

  /** Files a unit's error where it belongs; says where. */
  fail(collection: string, shard: string, error: unknown): 'fatal' | 'skipped' | 'failed' | 'stopped' {
    if (error instanceof FencedError) {
      this.fatal = error;
      return 'fatal';
    }
    if (error instanceof StateDivergedError) {
      if (!(this.fatal instanceof FencedError)) this.fatal = error;
      return 'fatal';
    }
    // Stopped between pages (shutdown, or another lane's fatal error): what was diffed is committed.
    if (error instanceof SyncAbortedError) return 'stopped';
    const reason = skipReason(error);
    if (reason) {
      this.skipped.push({collection, shard, reason, message: messageOf(error)});
      return 'skipped';
    }
    this.failed.push({
      collection,
      shard,
      message: messageOf(error),
      retriable: error instanceof CdcError ? error.retriable : false,
    });
    return 'failed';
  }

  /** Lanes finish in any order: collections in registry order, then by shard. */
  sorted(): Pick<CycleSummary, 'listings' | 'skipped' | 'failed'> {
    const rank = new Map(this.registry.all.map((c, i) => [c.name, i]));
    const order = (a: {collection: string; shard: string}, b: {collection: string; shard: string}) =>
      (rank.get(a.collection) ?? rank.size) - (rank.get(b.collection) ?? rank.size) ||
      a.shard.localeCompare(b.shard);
    return {
      listings: [...this.listings].sort(order),
      skipped: [...this.skipped].sort(order),
      failed: [...this.failed].sort(order),
    };
  }
}

function skipReason(error: unknown): SkippedListing['reason'] | undefined {
  if (error instanceof QuotaExhaustedError) return 'quota_exhausted';
  if (error instanceof PermissionError) return 'permission';
  if (error instanceof NotFoundError) return 'not_found';
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function collectPages(pages: Pages): Promise<JsonRecord[][]> {
  const out: JsonRecord[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function* replay(pages: JsonRecord[][]): Pages {
  for (const page of pages) yield page;
}

export type CollectionTotals = ReturnType<typeof emptyOpCounts> & {
  fetched: number;
  deadLetters: number;
  heldDeletes: number;
};

/** Events per collection and op over a cycle, for the summary table. */
export function totalsByCollection(summary: CycleSummary): Map<string, CollectionTotals> {
  const totals = new Map<string, CollectionTotals>();
  for (const listing of summary.listings) {
    const t = totals.get(listing.collection) ?? {
      ...emptyOpCounts(),
      fetched: 0,
      deadLetters: 0,
      heldDeletes: 0,
    };
    for (const op of ['r', 'c', 'u', 'd'] as const) t[op] += listing.events[op];
    t.fetched += listing.fetched;
    t.deadLetters += listing.deadLetters;
    t.heldDeletes += listing.heldDeletes;
    totals.set(listing.collection, t);
  }
  return totals;
}
