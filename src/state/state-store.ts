import {AnalyticsShardState} from './analytics-shard-state';
import type {StoredRefreshToken} from './refresh-token';
import {ShardState} from './shard-state';

/**
 * All states of one process: one ShardState per (entity collection, shard), one AnalyticsShardState per
 * (analytics collection, ad account).
 */
export class StateStore {
  private readonly shards = new Map<string, ShardState>();
  private readonly analyticsShards = new Map<string, AnalyticsShardState>();
  /**
   * Refresh tokens found in the changelog under their record name (the instance id): where versions before the
   * token topic kept them, in clear. Moved to the token store and tombstoned at start (src/app/token-storage.ts).
   */
  readonly legacyRefreshTokens = new Map<string, StoredRefreshToken>();

  /** The analytics state of (collection, ad account), created empty on first use. */
  analytics(collection: string, shard: string): AnalyticsShardState {
    const id = shardId(collection, shard);
    let state = this.analyticsShards.get(id);
    if (!state) {
      state = new AnalyticsShardState(collection, shard);
      this.analyticsShards.set(id, state);
    }
    return state;
  }

  analyticsAll(): AnalyticsShardState[] {
    return [...this.analyticsShards.values()];
  }

  /** The state of (collection, shard), created empty on first use. */
  shard(collection: string, shard: string): ShardState {
    const id = shardId(collection, shard);
    let state = this.shards.get(id);
    if (!state) {
      state = new ShardState(collection, shard);
      this.shards.set(id, state);
    }
    return state;
  }

  has(collection: string, shard: string): boolean {
    return this.shards.has(shardId(collection, shard));
  }

  all(): ShardState[] {
    return [...this.shards.values()];
  }

  /** Forgets every entity and analytics shard whose id matches (a fleet task this process no longer holds). */
  dropShards(matches: (shard: string) => boolean): void {
    for (const [id, state] of this.shards) if (matches(state.shard)) this.shards.delete(id);
    for (const [id, state] of this.analyticsShards) if (matches(state.shard)) this.analyticsShards.delete(id);
  }
}

function shardId(collection: string, shard: string): string {
  return `${collection}\u0000${shard}`;
}
