import type {StoredRefreshToken} from './refresh-token';
import {ShardState} from './shard-state';

/** All states of one process: one ShardState per (collection, shard). */
export class StateStore {
  private readonly shards = new Map<string, ShardState>();
  /**
   * Refresh tokens found in the changelog under their record name (the instance id): where versions before the
   * token topic kept them, in clear. Moved to the token store and tombstoned at start (src/app/token-storage.ts).
   */
  readonly legacyRefreshTokens = new Map<string, StoredRefreshToken>();

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
}

function shardId(collection: string, shard: string): string {
  return `${collection}\u0000${shard}`;
}
