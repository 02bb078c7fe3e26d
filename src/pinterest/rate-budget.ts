/**
 * Per-category token buckets, so requests wait for budget instead of drawing 429s.
 * Seeded from the documented limits (notes/pinterest-api.md §7), then corrected from the `x-ratelimit-*`
 * headers of every response. A wait longer than the configured maximum is never slept through: the
 * category is paused (a spent daily quota) and acquire() throws QuotaExhaustedError until it resumes,
 * while every other category goes on.
 */
import type {RateLimitOverride} from './config';
import {QuotaExhaustedError} from './errors';
import type {RateLimitInfo, RateLimitPolicy} from './rate-limit-headers';
import {RATE_CATEGORIES, type BudgetBucket, type Clock, type RateCategory, type Sleep} from './types';

// notes/pinterest-api.md §7, Standard access: ads_read 1000/min, ads_analytics 300/min, org_read 1000/min,
// report polls 800/min per app ([P]), and the 100 requests/second safety net every request draws from.
export const DOCUMENTED_LIMITS: Record<BudgetBucket, RateLimitOverride> = {
  ads_read: {limit: 1000, windowSeconds: 60},
  ads_analytics: {limit: 300, windowSeconds: 60},
  org_read: {limit: 1000, windowSeconds: 60},
  analytics_get_report: {limit: 800, windowSeconds: 60},
  safety_net: {limit: 100, windowSeconds: 1},
};

/**
 * The buckets a request of a category draws from. Report polls are `ads_analytics` in the spec
 * (`x-ratelimit-category`) and also count against the per-app `analytics_get_report` bucket (notes §7).
 */
export function bucketsFor(category: RateCategory): BudgetBucket[] {
  if (category === 'analytics_get_report') return ['analytics_get_report', 'ads_analytics', 'safety_net'];
  return [category, 'safety_net'];
}

interface Bucket {
  name: BudgetBucket;
  capacity: number;
  refillPerMs: number;
  windowSeconds: number;
  /** May go negative: each waiter holds a reservation, so waiters are served in order without polling. */
  tokens: number;
  updatedAt: number;
  /** Nothing is sent before this instant (a 429's reset, or remaining 0 with a reset). */
  blockedUntil: number;
  /** Acquired and not yet answered: the server's `remaining` does not count them yet. */
  inflight: number;
}

export interface BudgetSnapshotEntry {
  remaining: number;
  pausedUntil?: Date;
}

export interface RateBudgetOptions {
  clock: Clock;
  sleep: Sleep;
  /** Operator caps; headers can lower a bucket below them but never raise it above. */
  overrides?: Partial<Record<BudgetBucket, RateLimitOverride>>;
  /** Longer waits are pauses (QuotaExhaustedError), never sleeps. */
  maxWaitMs: number;
}

export class RateBudget {
  private readonly buckets = new Map<BudgetBucket, Bucket>();
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly overrides: Partial<Record<BudgetBucket, RateLimitOverride>>;
  private readonly maxWaitMs: number;
  /**
   * This process's share of the budget, in (0, 1]: the limits are per user per app (notes/pinterest-api.md §7),
   * so the instances of a fleet working for one connection split them (README "Scaling"). Scales the refill, the
   * burst and what the headers' shared `remaining` leaves to this process.
   */
  private share = 1;

  constructor(options: RateBudgetOptions) {
    this.clock = options.clock;
    this.sleep = options.sleep;
    this.overrides = options.overrides ?? {};
    this.maxWaitMs = options.maxWaitMs;
    const now = this.clock.now();
    for (const name of [...RATE_CATEGORIES, 'safety_net'] as BudgetBucket[]) {
      const seed = this.overrides[name] ?? DOCUMENTED_LIMITS[name];
      this.buckets.set(name, {
        name,
        capacity: seed.limit,
        refillPerMs: seed.limit / (seed.windowSeconds * 1000),
        windowSeconds: seed.windowSeconds,
        tokens: seed.limit,
        updatedAt: now,
        blockedUntil: 0,
        inflight: 0,
      });
    }
  }

  private bucket(name: BudgetBucket): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new Error(`unknown rate bucket ${name}`);
    return bucket;
  }

  private refill(bucket: Bucket, now: number): void {
    if (now > bucket.updatedAt) {
      bucket.tokens = Math.min(
        bucket.capacity * this.share,
        bucket.tokens + (now - bucket.updatedAt) * bucket.refillPerMs * this.share
      );
      bucket.updatedAt = now;
    }
  }

  /**
   * Plans for `share` of every limit from now on (e.g. the fleet tasks this process holds / all tasks): with each
   * instance at its share, together they stay inside the connection's budget.
   */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1)) throw new RangeError(`budget share must be in (0, 1], got ${share}`);
    const now = this.clock.now();
    for (const bucket of this.buckets.values()) this.refill(bucket, now);
    this.share = share;
    for (const bucket of this.buckets.values())
      bucket.tokens = Math.min(bucket.tokens, bucket.capacity * share);
  }

  private pausedError(category: RateCategory, bucket: Bucket, endpoint: string): QuotaExhaustedError {
    const resumeAt = new Date(bucket.blockedUntil);
    return new QuotaExhaustedError(
      `Pinterest ${endpoint}: the ${category} budget is paused until ${resumeAt.toISOString()} (${bucket.name} quota spent)`,
      {endpoint, category, resumeAt}
    );
  }

  /** Takes one request from the category and from the safety net, waiting as long as the budget needs. */
  async acquire(category: RateCategory, endpoint = '*'): Promise<void> {
    const names = bucketsFor(category);
    const now = this.clock.now();
    for (const name of names) {
      const bucket = this.bucket(name);
      if (bucket.blockedUntil - now > this.maxWaitMs) throw this.pausedError(category, bucket, endpoint);
    }
    let waitMs = 0;
    for (const name of names) {
      const bucket = this.bucket(name);
      this.refill(bucket, now);
      bucket.tokens -= 1;
      bucket.inflight += 1;
      if (bucket.tokens < 0) waitMs = Math.max(waitMs, -bucket.tokens / (bucket.refillPerMs * this.share));
      waitMs = Math.max(waitMs, bucket.blockedUntil - now);
    }
    try {
      while (waitMs > 0) {
        await this.sleep(waitMs);
        const later = this.clock.now();
        waitMs = 0;
        for (const name of names) {
          const bucket = this.bucket(name);
          if (bucket.blockedUntil - later > this.maxWaitMs)
            throw this.pausedError(category, bucket, endpoint);
          waitMs = Math.max(waitMs, bucket.blockedUntil - later);
        }
      }
    } catch (error) {
      for (const name of names) {
        const bucket = this.bucket(name);
        bucket.tokens += 1;
        bucket.inflight -= 1;
      }
      throw error;
    }
  }

  /** Ends a request: corrects the buckets from its rate-limit headers. */
  release(category: RateCategory, info: RateLimitInfo | undefined): void {
    const now = this.clock.now();
    for (const name of bucketsFor(category)) {
      const bucket = this.bucket(name);
      bucket.inflight = Math.max(0, bucket.inflight - 1);
    }
    if (info) this.observe(category, info, now);
  }

  /** Learns the server's limits from the policies, then spends what `remaining` says is gone. */
  private observe(category: RateCategory, info: RateLimitInfo, now: number): void {
    for (const policy of shortestWindowPerBucket(info.policies)) this.adopt(policy, now);
    if (info.remaining !== undefined) {
      this.applyRemaining(
        this.bucket(remainingBucket(category, info)),
        info.remaining,
        info.resetSeconds,
        now
      );
    }
  }

  /** The server's limit for a bucket, never above the operator's cap. */
  private adopt(policy: WindowedPolicy, now: number): void {
    const bucket = this.bucket(policy.bucket);
    const cap = this.overrides[policy.bucket];
    this.refill(bucket, now);
    bucket.refillPerMs = Math.min(ratePerMs(policy), cap ? ratePerMs(cap) : Infinity);
    bucket.capacity = Math.min(policy.limit, cap?.limit ?? Infinity);
    bucket.windowSeconds = policy.windowSeconds;
    bucket.tokens = Math.min(bucket.tokens, bucket.capacity * this.share);
  }

  /**
   * Requests of ours still in flight are not in the server's `remaining` yet; none left = wait for the reset. The
   * remainder is shared by the fleet: this process counts on its share of it only.
   */
  private applyRemaining(
    bucket: Bucket,
    remaining: number,
    resetSeconds: number | undefined,
    now: number
  ): void {
    this.refill(bucket, now);
    const available = remaining * this.share - bucket.inflight;
    bucket.tokens = Math.min(bucket.tokens, available);
    if (available <= 0 && resetSeconds !== undefined) {
      bucket.blockedUntil = Math.max(bucket.blockedUntil, now + resetSeconds * 1000);
    }
  }

  /** After a 429: nothing more goes to this category before `untilMs`. */
  block(category: RateCategory, untilMs: number): void {
    const bucket = this.bucket(category);
    bucket.blockedUntil = Math.max(bucket.blockedUntil, untilMs);
    bucket.tokens = Math.min(bucket.tokens, 0);
  }

  /** A spent daily quota: acquire() throws for this category until `resumeAt`. */
  pause(category: RateCategory, resumeAt: Date): void {
    this.block(category, resumeAt.getTime());
  }

  remaining(category: RateCategory): number {
    const bucket = this.bucket(category);
    this.refill(bucket, this.clock.now());
    return Math.max(0, Math.floor(bucket.tokens));
  }

  snapshot(): Record<RateCategory, BudgetSnapshotEntry> {
    const now = this.clock.now();
    const out = {} as Record<RateCategory, BudgetSnapshotEntry>;
    for (const category of RATE_CATEGORIES) {
      const bucket = this.bucket(category);
      const entry: BudgetSnapshotEntry = {remaining: this.remaining(category)};
      if (bucket.blockedUntil - now > this.maxWaitMs) {
        entry.pausedUntil = new Date(bucket.blockedUntil);
        entry.remaining = 0;
      }
      out[category] = entry;
    }
    return out;
  }
}

type WindowedPolicy = RateLimitPolicy & {bucket: BudgetBucket; windowSeconds: number};

const ratePerMs = (limit: {limit: number; windowSeconds: number}) =>
  limit.limit / (limit.windowSeconds * 1000);

/** A bucket may be named with several windows (per minute, per day): the shortest one paces requests. */
function shortestWindowPerBucket(policies: readonly RateLimitPolicy[]): WindowedPolicy[] {
  const shortest = new Map<BudgetBucket, WindowedPolicy>();
  for (const policy of policies) {
    if (!policy.bucket || !policy.windowSeconds) continue;
    const seen = shortest.get(policy.bucket);
    if (!seen || seen.windowSeconds > policy.windowSeconds)
      shortest.set(policy.bucket, policy as WindowedPolicy);
  }
  return [...shortest.values()];
}

/**
 * The bucket `remaining` describes: a policy whose limit the bare leading number names (the request's own
 * category first), else the only policy there is, else the request's category (notes/pinterest-api.md §7).
 */
function remainingBucket(category: RateCategory, info: RateLimitInfo): BudgetBucket {
  const named = info.policies.filter((p) => p.bucket && p.limit === info.currentLimit);
  const lone = info.policies.length === 1 ? info.policies[0]?.bucket : undefined;
  return named.find((p) => p.bucket === category)?.bucket ?? named[0]?.bucket ?? lone ?? category;
}
