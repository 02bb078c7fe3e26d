/** Faults on command, drawn from a seeded generator so a run is repeatable for a given request order. */
import {hash32, Rand} from './rng';

export interface FaultConfig {
  errorRate?: number;
  /** Default 503. */
  errorStatus?: number;
  latencyMs?: number;
  /** Hold the socket without answering. */
  timeoutRate?: number;
  /** Destroy the socket (ECONNRESET at the client). */
  resetRate?: number;
  /** 200 with a body that is not JSON. */
  malformedRate?: number;
  /** 200 whose body stops short of its Content-Length. */
  truncatedRate?: number;
  /** Analytics only: 429 code 2726 "Reporting query cost limit exceeded. Retry after 1 seconds". */
  costLimitRate?: number;
  /** List endpoints only: a 200 `{"items": []}` without a bookmark, as if the listing were complete and empty. */
  emptyListingRate?: number;
  /** A regular expression the request path must match; default every /v5 path. */
  pathPattern?: string;
  /** Only requests of this sandbox user (by name); default every request. */
  user?: string;
  /** Revoke every access token issued so far (401 until the client refreshes). */
  revokeTokens?: boolean;
}

export type FaultKind =
  'reset' | 'timeout' | 'error' | 'malformed' | 'truncated' | 'cost_limit' | 'empty_listing';

export interface FaultDecision {
  kind?: FaultKind;
  latencyMs: number;
}

const ORDER: [FaultKind, keyof FaultConfig][] = [
  ['reset', 'resetRate'],
  ['timeout', 'timeoutRate'],
  ['error', 'errorRate'],
  ['malformed', 'malformedRate'],
  ['truncated', 'truncatedRate'],
  ['cost_limit', 'costLimitRate'],
  ['empty_listing', 'emptyListingRate'],
];

export class Faults {
  private config: FaultConfig = {};
  private pattern: RegExp | undefined;
  private readonly rand: Rand;

  constructor(seed: number) {
    this.rand = new Rand(hash32(seed, 0xfa17));
  }

  set(config: FaultConfig): FaultConfig {
    this.pattern = config.pathPattern ? new RegExp(config.pathPattern) : undefined;
    const {revokeTokens: _ignored, ...rest} = config;
    this.config = rest;
    return this.config;
  }

  clear(): void {
    this.config = {};
    this.pattern = undefined;
  }

  get errorStatus(): number {
    return this.config.errorStatus ?? 503;
  }

  /** `user`: the name of the request's user, when known. */
  decide(path: string, user?: string): FaultDecision {
    if (this.pattern && !this.pattern.test(path)) return {latencyMs: 0};
    if (this.config.user !== undefined && this.config.user !== user) return {latencyMs: 0};
    const latencyMs = this.config.latencyMs ?? 0;
    if (!ORDER.some(([, key]) => ((this.config[key] as number | undefined) ?? 0) > 0)) return {latencyMs};
    let u = this.rand.next();
    for (const [kind, key] of ORDER) {
      const rate = (this.config[key] as number | undefined) ?? 0;
      if (u < rate) return {kind, latencyMs};
      u -= rate;
    }
    return {latencyMs};
  }
}
