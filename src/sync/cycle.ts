import {type CollectionDeclaration, CollectionRegistry, shardOf} from '../collections';
import type {JsonRecord, SyncContext} from '../events';
import {FencedError} from '../errors';
import {NotFoundError, PermissionError, QuotaExhaustedError} from '../pinterest';
import type {StateStore} from '../state';
import {
  emptyOpCounts,
  SyncAbortedError,
  type ListingResult,
  type ListingRunnerDeps,
  runListing,
} from './listing-runner';
import {StateDivergedError} from './batch-committer';
import type {ListingRequest, RecordSource} from './ports';

export interface CycleOptions {
  /** Entity collections to capture, by name. */
  readonly collections: readonly string[];
  /** Ad accounts to capture; empty = every ad account the token can see. */
  readonly adAccountIds: readonly string[];
  /** Collections whose state keeps before-images. */
  readonly keepImages: readonly string[];
  /** Topic prefix, written in every event's source.name. */
  readonly connectorName: string;
  readonly version: string;
}

export interface CycleDeps extends ListingRunnerDeps {
  readonly source: RecordSource;
  readonly state: StateStore;
  readonly registry?: CollectionRegistry;
  readonly newSyncId?: () => string;
}

export interface SkippedListing {
  readonly collection: string;
  readonly shard: string;
  readonly reason: 'quota_exhausted' | 'permission' | 'not_found';
  readonly message: string;
}

export interface CycleSummary {
  readonly syncId: string;
  readonly listings: ListingResult[];
  readonly skipped: SkippedListing[];
  readonly durationSeconds: number;
}

/**
 * One sync cycle over every configured entity collection, in two lanes that run side by side because they spend
 * different rate budgets: the ads lane (ads_read) lists the ad accounts first (that also says which exist), then
 * each ad account's campaigns, ad groups and ads; the token-user lane (org_read) lists boards and pins. Against
 * the real API a listing mostly waits for pages, so a cycle takes about the longer lane instead of their sum.
 * Both lanes commit through the same writer, each transaction holding one listing's events with their state.
 *
 * An ad account the token may not read is skipped (no deletes for it); a category whose daily quota is spent is
 * skipped until the next cycle while the other categories go on. Any other failure ends the cycle once the other
 * lane has finished (never with a lane still writing). Which failure the cycle reports matters to the service:
 * FencedError (stop) wins over StateDivergedError (rebuild state), which wins over the rest (retry later).
 */
export async function runCycle(options: CycleOptions, deps: CycleDeps): Promise<CycleSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const registry = deps.registry ?? new CollectionRegistry();
  const syncId = deps.newSyncId?.() ?? `${new Date(started).toISOString()}`;
  const wanted = new Set(options.collections);
  const listings: ListingResult[] = [];
  const skipped: SkippedListing[] = [];
  const pausedCategories = new Map<string, string>();

  const context = (collection: string, adAccountId: string | null): SyncContext => ({
    name: options.connectorName,
    version: options.version,
    collection,
    adAccountId,
    syncId,
  });

  const run = async (
    declaration: CollectionDeclaration,
    adAccountId: string | null,
    pages: AsyncIterable<JsonRecord[]>
  ) => {
    const shard = shardOf(declaration, adAccountId ?? undefined);
    if (deps.signal?.aborted) throw new SyncAbortedError();
    const paused = pausedCategories.get(declaration.rateCategory);
    if (paused !== undefined) {
      skipped.push({collection: declaration.name, shard, reason: 'quota_exhausted', message: paused});
      return;
    }
    try {
      listings.push(
        await runListing(
          {
            declaration,
            shard,
            state: deps.state.shard(declaration.name, shard),
            context: context(declaration.name, adAccountId),
            keepImages: options.keepImages.includes(declaration.name),
            pages,
          },
          deps
        )
      );
    } catch (error) {
      const reason = skipReason(error);
      if (reason === undefined) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (reason === 'quota_exhausted') pausedCategories.set(declaration.rateCategory, message);
      skipped.push({collection: declaration.name, shard, reason, message});
      deps.logger.warn({collection: declaration.name, shard, reason, err: message}, 'Listing skipped');
    }
  };

  const entity = (name: string) => registry.get(name);
  const request = (declaration: CollectionDeclaration, adAccountId?: string): ListingRequest => ({
    path: declaration.endpoint.path,
    pathParams: adAccountId === undefined ? undefined : {ad_account_id: adAccountId},
    query: declaration.endpoint.query,
    category: declaration.rateCategory as ListingRequest['category'],
  });

  const perAccount = registry.entities().filter((c) => c.scope === 'ad_account' && wanted.has(c.name));
  const adsLane = async () => {
    if (!wanted.has('ad_accounts') && perAccount.length === 0) return;
    const adAccountsDeclaration = entity('ad_accounts');
    const accountPages = await collectPages(deps.source.pages(request(adAccountsDeclaration)));
    const only = new Set(options.adAccountIds);
    const inScope = (record: JsonRecord) => only.size === 0 || only.has(String(record.id));
    const accounts = accountPages.map((page) => page.filter(inScope));
    if (wanted.has('ad_accounts')) await run(adAccountsDeclaration, null, replay(accounts));

    const visible = new Set(accounts.flat().map((record) => String(record.id)));
    const accountIds = only.size > 0 ? [...only] : [...visible];
    for (const missing of [...only].filter((id) => !visible.has(id))) {
      deps.logger.warn(
        {adAccountId: missing},
        'Configured ad account is not visible to the token; trying it anyway'
      );
    }
    for (const adAccountId of accountIds.sort()) {
      for (const declaration of perAccount) {
        await run(declaration, adAccountId, deps.source.pages(request(declaration, adAccountId)));
        if (skipped.some((s) => s.shard === adAccountId && s.reason !== 'quota_exhausted')) break;
      }
    }
  };
  const tokenUserLane = async () => {
    for (const declaration of registry
      .entities()
      .filter((c) => c.scope === 'token_user' && wanted.has(c.name))) {
      await run(declaration, null, deps.source.pages(request(declaration)));
    }
  };

  const failures = (await Promise.allSettled([adsLane(), tokenUserLane()]))
    .filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
    .map((outcome) => outcome.reason as unknown);
  if (failures.length > 0) {
    throw (
      failures.find((e) => e instanceof FencedError) ??
      failures.find((e) => e instanceof StateDivergedError) ??
      failures[0]
    );
  }
  // Lanes finish in any order: the summary lists collections in registry order, then by shard.
  const rank = new Map(registry.entities().map((c, i) => [c.name, i]));
  const byRegistryOrder = (a: {collection: string; shard: string}, b: {collection: string; shard: string}) =>
    (rank.get(a.collection) ?? 0) - (rank.get(b.collection) ?? 0) || a.shard.localeCompare(b.shard);
  return {
    syncId,
    listings: listings.sort(byRegistryOrder),
    skipped: skipped.sort(byRegistryOrder),
    durationSeconds: (now() - started) / 1000,
  };
}

function skipReason(error: unknown): SkippedListing['reason'] | undefined {
  if (error instanceof QuotaExhaustedError) return 'quota_exhausted';
  if (error instanceof PermissionError) return 'permission';
  if (error instanceof NotFoundError) return 'not_found';
  return undefined;
}

async function collectPages(pages: AsyncIterable<JsonRecord[]>): Promise<JsonRecord[][]> {
  const out: JsonRecord[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function* replay(pages: JsonRecord[][]): AsyncIterable<JsonRecord[]> {
  for (const page of pages) yield page;
}

/** Events per collection and op over a cycle, for the summary table. */
export function totalsByCollection(
  summary: CycleSummary
): Map<string, ReturnType<typeof emptyOpCounts> & {fetched: number; deadLetters: number}> {
  const totals = new Map<string, ReturnType<typeof emptyOpCounts> & {fetched: number; deadLetters: number}>();
  for (const listing of summary.listings) {
    const t = totals.get(listing.collection) ?? {...emptyOpCounts(), fetched: 0, deadLetters: 0};
    for (const op of ['r', 'c', 'u', 'd'] as const) t[op] += listing.events[op];
    t.fetched += listing.fetched;
    t.deadLetters += listing.deadLetters;
    totals.set(listing.collection, t);
  }
  return totals;
}
