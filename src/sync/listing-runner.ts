import type {CollectionDeclaration} from '../collections';
import {CdcError, EncodeError} from '../errors';
import type {EventKey, JsonRecord, SyncContext} from '../events';
import type {BatchEncoder} from '../serde';
import {heldDeletesMessage, type ShardState} from '../state';
import type {CommitRetryPolicy} from './batch-committer';
import type {DeleteGuard} from './delete-guard';
import {SnapshotDiffer} from './differ';
import type {BatchSink, ListingOutcome, SyncHooks, SyncLogger, SyncTopics} from './ports';
import {TransactionPipeline} from './transaction-pipeline';

export type OpCounts = Record<'r' | 'c' | 'u' | 'd', number>;

export interface ListingResult {
  readonly collection: string;
  readonly shard: string;
  readonly outcome: ListingOutcome;
  readonly fetched: number;
  readonly events: OpCounts;
  readonly deadLetters: number;
  /** Deletes the delete guard held back (the records stay tracked until a listing confirms them). */
  readonly heldDeletes: number;
  readonly durationSeconds: number;
}

export interface ListingRunnerDeps {
  /** Avro encoding of change events. */
  readonly encoder: BatchEncoder;
  readonly sink: BatchSink;
  readonly topics: SyncTopics;
  readonly maxEventsPerTransaction: number;
  readonly logger: SyncLogger;
  readonly hooks?: SyncHooks;
  readonly now?: () => number;
  readonly commitRetry?: CommitRetryPolicy;
  /** Stops the listing between pages (shutdown): what was diffed is committed, nothing is deleted. */
  readonly signal?: AbortSignal;
  /** Holds deletes that look like a bad listing rather than real deletions; none = every delete goes through. */
  readonly deleteGuard?: DeleteGuard;
}

export interface Listing {
  readonly declaration: CollectionDeclaration;
  readonly shard: string;
  readonly state: ShardState;
  readonly context: SyncContext;
  readonly keepImages: boolean;
  readonly pages: AsyncIterable<JsonRecord[]>;
  /** Records the listing does not return but that must not be deleted (out of the configured scope). */
  readonly retain?: (key: EventKey) => boolean;
}

/** The sync was asked to stop (shutdown); safe to resume from state at any time. */
export class SyncAbortedError extends CdcError {
  constructor() {
    super('Sync stopped before the end of the listing (shutdown)', {retriable: true});
  }
}

export const emptyOpCounts = (): OpCounts => ({r: 0, c: 0, u: 0, d: 0});

/** What one run committed so far: events by op and dead letters. */
export interface CommitTally {
  readonly events: OpCounts;
  deadLetters: number;
}

/**
 * The TransactionPipeline of one (collection, shard) run, tallying what it commits and telling the hooks
 * (events by op, dead letters, encode errors), as the listing and the analytics runners both need.
 */
export function countingPipeline(
  deps: Pick<ListingRunnerDeps, 'encoder' | 'sink' | 'topics' | 'logger' | 'hooks' | 'commitRetry'>,
  run: {collection: string; shard: string; syncId: string; now: () => number}
): {pipeline: TransactionPipeline; tally: CommitTally} {
  const tally: CommitTally = {events: emptyOpCounts(), deadLetters: 0};
  const {collection} = run;
  const pipeline = new TransactionPipeline({
    encoder: deps.encoder,
    sink: deps.sink,
    topics: deps.topics,
    ...run,
    logger: deps.logger,
    retry: deps.commitRetry,
    onCommitted: (unit) => {
      tally.deadLetters += unit.deadLetters;
      for (const [op, count] of unit.events) {
        tally.events[op as keyof OpCounts] += count;
        deps.hooks?.onEventsCommitted?.(collection, op, count);
      }
    },
    onDeadLetter: (reason) => deps.hooks?.onDeadLetter?.(collection, reason),
    onEncodeError: () => deps.hooks?.onEncodeError?.(collection),
  });
  return {pipeline, tally};
}

/**
 * Runs one snapshot listing of one (collection, shard): pages -> differ -> Avro -> transactions of bounded size,
 * each carrying the change events, the state updates that record them and any dead letters. Deletes are only
 * emitted after the listing's last page; a listing that fails half-way commits what it diffed so far (events
 * and their state together) and emits no deletes.
 */
export async function runListing(listing: Listing, deps: ListingRunnerDeps): Promise<ListingResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const {declaration, shard, context} = listing;
  const collection = declaration.name;
  let fetched = 0;
  let heldDeletes = 0;
  const {pipeline, tally} = countingPipeline(deps, {collection, shard, syncId: context.syncId, now});
  const differ = new SnapshotDiffer({
    declaration,
    state: listing.state,
    context,
    keepImages: listing.keepImages,
    now,
  });

  let outcome: ListingOutcome = 'interrupted';
  deps.hooks?.onListingStarted?.(
    collection,
    shard,
    listing.state.firstSnapshotComplete ? listing.state.size : undefined
  );
  try {
    for await (const page of listing.pages) {
      if (deps.signal?.aborted) throw new SyncAbortedError();
      fetched += page.length;
      deps.hooks?.onRecordsFetched?.(collection, page.length);
      for (const record of page) {
        let output;
        try {
          output = differ.push(record);
        } catch (error) {
          if (!(error instanceof EncodeError)) throw error;
          // No usable key: nothing enters the state, the record is kept as a dead letter.
          pipeline.addDeadLetter({reason: 'key', error, record});
          tally.deadLetters += 1;
          deps.hooks?.onDeadLetter?.(collection, 'key');
          deps.logger.warn({collection, shard, err: error.message}, 'Record dead-lettered');
          continue;
        }
        if (!output) continue;
        pipeline.add(output);
        if (pipeline.size >= deps.maxEventsPerTransaction) await pipeline.submit();
      }
    }
    const heldBefore = listing.state.heldDeletes;
    const finish = differ.finish({
      complete: true,
      retain: listing.retain,
      review: (candidates, tracked) => {
        if (!deps.deleteGuard) return true;
        const verdict = deps.deleteGuard.review({candidates, tracked, held: heldBefore});
        listing.state.heldDeletes = verdict.held;
        if (verdict.confirmed)
          deps.logger.warn({collection, shard, deletes: candidates.length}, 'Held deletes confirmed');
        if (verdict.allow) return true;
        deps.hooks?.onDeletesHeld?.(collection, candidates.length);
        deps.logger.warn({collection, shard, reason: verdict.reason}, 'Deletes held');
        return false;
      },
    });
    // Nothing to delete at all also ends a hold (the records came back).
    if (finish.deletes.length === 0 && finish.held === 0) listing.state.heldDeletes = undefined;
    if (listing.state.heldDeletes !== heldBefore) {
      const message = heldDeletesMessage(collection, shard, listing.state.heldDeletes ?? null);
      pipeline.addMessage({topic: deps.topics.state, key: message.key, value: message.value});
    }
    heldDeletes = finish.held;
    for (const output of finish.deletes) {
      pipeline.add(output);
      if (pipeline.size >= deps.maxEventsPerTransaction) await pipeline.submit();
    }
    if (finish.marker)
      pipeline.addMessage({topic: deps.topics.state, key: finish.marker.key, value: finish.marker.value});
    await pipeline.drain();
    outcome = 'complete';
  } catch (error) {
    // What was diffed is already in the in-memory state: commit it (no deletes) so state and Kafka agree.
    await pipeline.drain();
    throw error;
  } finally {
    const durationSeconds = (now() - started) / 1000;
    deps.hooks?.onListingDone?.(collection, durationSeconds, outcome);
    deps.hooks?.onTrackedEntities?.(collection, shard, listing.state.size);
  }
  return {
    collection,
    shard,
    outcome,
    fetched,
    events: tally.events,
    deadLetters: tally.deadLetters,
    heldDeletes,
    durationSeconds: (now() - started) / 1000,
  };
}
