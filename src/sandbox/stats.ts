/**
 * Request counters read by the client's benchmark (`GET /_sandbox/stats`): one counter per user, each also
 * counting into the sandbox-wide totals.
 */

export interface SandboxStats {
  requests: {
    total: number;
    byEndpoint: Record<string, number>;
    byCategory: Record<string, number>;
    byStatus: Record<string, number>;
  };
  rateLimited: number;
  tokenRefreshes: number;
  /** Sandbox-wide snapshot only: the same counters per user name. */
  byUser?: Record<string, SandboxStats>;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export class StatsCounter {
  private stats: SandboxStats = StatsCounter.empty();

  /** `totals`: the sandbox-wide counter this one also counts into. */
  constructor(private readonly totals?: StatsCounter) {}

  private static empty(): SandboxStats {
    return {
      requests: {total: 0, byEndpoint: {}, byCategory: {}, byStatus: {}},
      rateLimited: 0,
      tokenRefreshes: 0,
    };
  }

  /** status: an HTTP status, or 'reset' / 'timeout' for answers that never came. */
  record(endpoint: string, category: string | undefined, status: number | string): void {
    const r = this.stats.requests;
    r.total++;
    bump(r.byEndpoint, endpoint);
    if (category) bump(r.byCategory, category);
    bump(r.byStatus, String(status));
    if (status === 429) this.stats.rateLimited++;
    this.totals?.record(endpoint, category, status);
  }

  tokenRefreshed(): void {
    this.stats.tokenRefreshes++;
    this.totals?.tokenRefreshed();
  }

  snapshot(): SandboxStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.stats = StatsCounter.empty();
  }
}
