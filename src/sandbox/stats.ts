/** Request counters read by the client's benchmark (`GET /_sandbox/stats`). */

export interface SandboxStats {
  requests: {
    total: number;
    byEndpoint: Record<string, number>;
    byCategory: Record<string, number>;
    byStatus: Record<string, number>;
  };
  rateLimited: number;
  tokenRefreshes: number;
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export class StatsCounter {
  private stats: SandboxStats = StatsCounter.empty();

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
  }

  tokenRefreshed(): void {
    this.stats.tokenRefreshes++;
  }

  snapshot(): SandboxStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.stats = StatsCounter.empty();
  }
}
