/**
 * Per-category rate limits with the real header format (notes/pinterest-api.md §7):
 *   x-ratelimit-limit: 100, 100;w=1;name="safety_net_app_id_user_id", 1000;w=60;name="ads_read_app_id_user_id"
 * FIXED windows on the sandbox clock (second, minute, UTC day), not sliding: a burst at the end of one window
 * and the start of the next is allowed, as with any fixed-window limiter. A spent daily cap answers 429 code 8
 * with a reset of the seconds to the next UTC midnight (the live one was ~67,150 s, airbytehq/airbyte #16161).
 */
import {ApiError, RATE_LIMITED_MESSAGE} from './api-error';
import {mergeLimits, RateCategory, SandboxLimits, SandboxOptions} from './options';

interface Policy {
  name: string;
  limit: number;
  windowSec: number;
}

interface Usage {
  window: number;
  used: number;
}

export interface RateDecision {
  headers: Record<string, string>;
}

// Bucket names as recorded in live responses (notes/pinterest-api.md §7); the daily name is [I].
function bucketName(category: RateCategory, daily: boolean): string {
  const base =
    category === 'analytics_get_report' ? 'analytics_get_report_app_id' : `${category}_app_id_user_id`;
  return daily ? `${base}_daily` : base;
}

// notes/pinterest-api.md §7: Trial access is 1,000 requests/day; used when a cap is exhausted while none is set.
const DEFAULT_DAILY_CAP = 1000;

export class RateLimiter {
  private readonly usage = new Map<string, Usage>();

  constructor(
    private limits: SandboxLimits,
    private readonly nowMs: () => number
  ) {}

  current(): SandboxLimits {
    return this.limits;
  }

  setLimits(patch: SandboxOptions['limits']): SandboxLimits {
    this.limits = mergeLimits(this.limits, patch);
    return this.limits;
  }

  private policies(categories: readonly RateCategory[]): Policy[] {
    const out: Policy[] = [
      {name: 'safety_net_app_id_user_id', limit: this.limits.safetyNetPerSecond, windowSec: 1},
    ];
    for (const c of categories) {
      const l = this.limits.categories[c];
      out.push({name: bucketName(c, false), limit: l.perMinute, windowSec: 60});
      if (l.perDay > 0) out.push({name: bucketName(c, true), limit: l.perDay, windowSec: 86_400});
    }
    return out;
  }

  private state(p: Policy, now: number): {usage: Usage; resetSec: number} {
    const windowMs = p.windowSec * 1000;
    const window = Math.floor(now / windowMs);
    let usage = this.usage.get(p.name);
    if (!usage || usage.window !== window) {
      usage = {window, used: 0};
      this.usage.set(p.name, usage);
    }
    return {usage, resetSec: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000))};
  }

  /** Spends one request of every policy of these categories, or throws the 429 the API gives. */
  take(categories: readonly RateCategory[]): RateDecision {
    const now = this.nowMs();
    const policies = this.policies(categories);
    const states = policies.map((p) => ({p, ...this.state(p, now)}));
    const blocked = states.find((s) => s.usage.used >= s.p.limit);
    if (!blocked) for (const s of states) s.usage.used++;
    let chosen = blocked ?? (states[0] as (typeof states)[number]);
    if (!blocked) {
      for (const s of states) if (s.p.limit - s.usage.used < chosen.p.limit - chosen.usage.used) chosen = s;
    }
    const headers = {
      'x-ratelimit-limit': [
        String(chosen.p.limit),
        ...policies.map((p) => `${p.limit};w=${p.windowSec};name="${p.name}"`),
      ].join(', '),
      'x-ratelimit-remaining': String(Math.max(0, chosen.p.limit - chosen.usage.used)),
      'x-ratelimit-reset': String(chosen.resetSec),
    };
    // notes/pinterest-api.md §7: code 8 for per-minute, per-second and daily limits alike.
    if (blocked) throw new ApiError(429, 8, RATE_LIMITED_MESSAGE, headers);
    return {headers};
  }

  /** Spends the daily cap of a category (enabling the Trial cap of 1,000/day when none is set). */
  exhaust(category: RateCategory): void {
    const current = this.limits.categories[category];
    if (current.perDay <= 0) this.setLimits({categories: {[category]: {perDay: DEFAULT_DAILY_CAP}}});
    const p: Policy = {
      name: bucketName(category, true),
      limit: this.limits.categories[category].perDay,
      windowSec: 86_400,
    };
    this.state(p, this.nowMs()).usage.used = p.limit;
  }
}
