/**
 * Deletes need proof. A listing that completed but would delete more than `maxShare` of a shard's tracked records
 * (an empty 200, a page Pinterest dropped, a filter it ignored) is more likely a bad answer than a mass deletion,
 * and a delete reaches compacted topics as a tombstone that consumers cannot take back. Such deletes are held:
 * the records stay in state, nothing is emitted, and the next complete listing decides. When it would delete the
 * very same records they go through; otherwise the new set is held in turn. What is held is part of the shard's
 * state (a digest of the keys, in the changelog), so `sync --once` runs and restarts confirm across processes.
 */
import {createHash} from 'node:crypto';

export interface DeleteReview {
  /** Record keys the listing did not return, sorted. */
  readonly candidates: readonly string[];
  /** Records the shard tracks (before deleting any). */
  readonly tracked: number;
  /** Digest of the deletes held by the previous listing, if any. */
  readonly held: string | undefined;
}

export interface DeleteVerdict {
  readonly allow: boolean;
  /** Allowed because the previous listing would have deleted the very same records. */
  readonly confirmed: boolean;
  /** What the shard holds from now on (undefined = nothing). */
  readonly held: string | undefined;
  /** Why the deletes are held. */
  readonly reason?: string;
}

export interface DeleteGuardOptions {
  /** Share of tracked records (0..1] above which deletes wait for confirmation; 1 = never hold. */
  readonly maxShare: number;
}

export class DeleteGuard {
  constructor(private readonly options: DeleteGuardOptions) {}

  review({candidates, tracked, held}: DeleteReview): DeleteVerdict {
    const share = tracked === 0 ? 0 : candidates.length / tracked;
    if (candidates.length === 0 || share <= this.options.maxShare)
      return {allow: true, confirmed: false, held: undefined};
    const digest = digestOf(candidates);
    if (held === digest) return {allow: true, confirmed: true, held: undefined};
    const percent = Math.round(share * 1000) / 10;
    return {
      allow: false,
      confirmed: false,
      held: digest,
      reason:
        `the listing would delete ${candidates.length} of ${tracked} tracked records ` +
        `(${percent}% > ${this.options.maxShare * 100}%): held until the next complete listing agrees`,
    };
  }
}

function digestOf(keys: readonly string[]): string {
  const hash = createHash('sha256');
  for (const key of keys) hash.update(key).update('\u0000');
  return hash.digest('hex');
}
