/**
 * What the sync stage needs from its neighbours, as narrow ports: the runner never sees axios or kafkajs, so
 * tests can drive it with in-memory fakes and either side can be swapped.
 */
import type {JsonRecord} from '../events';
import type {OutgoingMessage} from '../kafka';

/** One listing of a collection: all of an ad account's campaigns, the token user's pins, ... */
export interface ListingRequest {
  readonly path: string;
  readonly pathParams?: Record<string, string>;
  readonly query?: Record<string, string | number | boolean | readonly string[]>;
  readonly category: 'ads_read' | 'ads_analytics' | 'org_read' | 'analytics_get_report';
}

/** Pages of raw API records (the Pinterest client's paginate). */
export interface RecordSource {
  pages(request: ListingRequest): AsyncIterable<JsonRecord[]>;
}

/** Commits a batch atomically (the Kafka transactional writer). */
export interface BatchSink {
  /** Throws RecordsRefusedError (nothing committed) when Kafka refuses some messages for what they are. */
  writeBatch(messages: readonly OutgoingMessage[]): Promise<unknown>;
  /** The largest record batch the topic accepts, when known (dead letters are cut to fit it). */
  batchLimit?(topic: string): Promise<number | undefined>;
}

/** Metrics seam: called as work happens; every argument is a bounded label value. */
export interface SyncHooks {
  /**
   * A listing of one (collection, shard) starts; `expectedRecords` is what the shard tracked after its previous
   * complete sync (undefined for a first sync, or an analytics shard, which plans requests instead).
   */
  onListingStarted?(collection: string, shard: string, expectedRecords: number | undefined): void;
  /** Report requests an analytics shard planned for all its ranges (called once, before the first). */
  onPagesPlanned?(collection: string, pages: number): void;
  /** One page (one report answer for analytics) of `count` records arrived. */
  onRecordsFetched?(collection: string, count: number): void;
  onEventsCommitted?(collection: string, op: string, count: number): void;
  onDeadLetter?(collection: string, reason: string): void;
  /** A record that could not be Avro-encoded (it was dead-lettered). */
  onEncodeError?(collection: string): void;
  onListingDone?(collection: string, durationSeconds: number, outcome: ListingOutcome): void;
  onTrackedEntities?(collection: string, shard: string, count: number): void;
  /** A complete listing's deletes were held back by the delete guard. */
  onDeletesHeld?(collection: string, count: number): void;
}

export type ListingOutcome = 'complete' | 'interrupted' | 'skipped';

export interface SyncLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface SyncTopics {
  events(collection: string): string;
  readonly state: string;
  readonly deadLetters: string;
}

/** Hooks that call each of `parts` in turn (metrics and progress both listen to the sync). */
export function combineHooks(...parts: readonly (SyncHooks | undefined)[]): SyncHooks | undefined {
  const present = parts.filter((p): p is SyncHooks => p !== undefined);
  if (present.length <= 1) return present[0];
  const names = new Set(present.flatMap((p) => Object.keys(p) as (keyof SyncHooks)[]));
  const combined: Record<string, (...args: never[]) => void> = {};
  for (const name of names) {
    combined[name] = (...args: never[]) => {
      for (const p of present) (p[name] as ((...a: never[]) => void) | undefined)?.(...args);
    };
  }
  return combined as SyncHooks;
}
