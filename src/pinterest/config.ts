/** The typed configuration of the Pinterest client and its documented defaults. */
import type {RateCategory} from './types';

export interface RateLimitOverride {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RetryBounds {
  /** Attempts after the first for 5xx, network errors, timeouts and malformed bodies. */
  maxRetries: number;
  /** First backoff step; doubles per attempt, with up to 20% jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry is started once a request has been trying for this long. */
  maxElapsedMs: number;
  /** Attempts after a 429 or a transient 400 ("Retry after N seconds", code 12). */
  maxRateLimitRetries: number;
  /** A rate-limit reset further away than this is a daily cap: the category pauses instead of waiting. */
  maxRateLimitWaitSeconds: number;
}

export interface AttributionOptions {
  clickWindowDays?: 0 | 1 | 7 | 14 | 30 | 60;
  engagementWindowDays?: 0 | 1 | 7 | 14 | 30 | 60;
  viewWindowDays?: 0 | 1 | 7 | 14 | 30 | 60;
  conversionReportTime?: 'TIME_OF_AD_ACTION' | 'TIME_OF_CONVERSION';
}

export interface ReportOptions {
  /** First poll delay; grows by `pollBackoffFactor` up to `pollMaxDelayMs`. */
  pollInitialDelayMs: number;
  pollBackoffFactor: number;
  pollMaxDelayMs: number;
  /** A report not FINISHED after this long fails with ReportFailedError. */
  pollTimeoutMs: number;
}

export interface PinterestClientConfig {
  clientId?: string;
  clientSecret?: string;
  /** Initial refresh token; a newer one in the TokenStore wins. */
  refreshToken?: string;
  /** For a quick try without OAuth: used as is, never refreshed. */
  accessToken?: string;
  /** Default https://api.pinterest.com/v5; the token endpoint is `${apiBaseUrl}/oauth/token`. */
  apiBaseUrl: string;
  maxConcurrency: number;
  requestTimeoutMs: number;
  /**
   * Refresh the access token between 1x and 2x this long before `expires_in` runs out (a random point per process,
   * so the processes of one connection do not all refresh at once: the first stores it, the others adopt it).
   */
  refreshAheadSeconds: number;
  /** After a refused refresh token, how long a shared token store is watched for a newer one another process wrote. */
  tokenStoreSettleMs: number;
  /** While re-authorisation is required (or the client rejected), how often the token store is read again. */
  reauthorizationRecheckMs: number;
  retry: RetryBounds;
  rateLimits: Partial<Record<RateCategory | 'safety_net', RateLimitOverride>>;
  analyticsColumns: string[];
  reportColumns: string[];
  attribution: AttributionOptions;
  reports: ReportOptions;
  /** Send `continuous_refresh=true` on refresh (apps created before 2025-09-25; notes/pinterest-api.md §6). */
  continuousRefresh: boolean;
}

/** Environment names the product uses; the config module maps them onto PinterestClientConfig. */
export const PINTEREST_ENV = {
  clientId: 'PINTEREST_CLIENT_ID',
  clientSecret: 'PINTEREST_CLIENT_SECRET',
  refreshToken: 'PINTEREST_REFRESH_TOKEN',
  accessToken: 'PINTEREST_ACCESS_TOKEN',
  apiBaseUrl: 'PINTEREST_API_BASE_URL',
} as const;

// notes/pinterest-api.md §0: production base URL.
export const DEFAULT_API_BASE_URL = 'https://api.pinterest.com/v5';

/**
 * Columns valid for both the sync analytics endpoints (spec `query_columns`) and async reports
 * (spec `ReportingColumnAsync`), so a window reads the same metrics whichever path serves it.
 */
export const DEFAULT_ANALYTICS_COLUMNS: readonly string[] = [
  'SPEND_IN_MICRO_DOLLAR',
  'IMPRESSION_1',
  'CLICKTHROUGH_1',
  'OUTBOUND_CLICK_1',
  'TOTAL_ENGAGEMENT',
  'TOTAL_IMPRESSION',
  'TOTAL_CLICKTHROUGH',
  'TOTAL_CONVERSIONS',
  'TOTAL_CHECKOUT',
  'TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_PAGE_VISIT',
];

export const DEFAULT_CLIENT_CONFIG: PinterestClientConfig = {
  apiBaseUrl: DEFAULT_API_BASE_URL,
  maxConcurrency: 8,
  requestTimeoutMs: 30_000,
  refreshAheadSeconds: 300,
  // A rotating process writes the new token within milliseconds normally; 10 s also covers a few kafkajs retries.
  tokenStoreSettleMs: 10_000,
  reauthorizationRecheckMs: 30_000,
  retry: {
    maxRetries: 5,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    maxElapsedMs: 5 * 60_000,
    maxRateLimitRetries: 10,
    // notes/pinterest-api.md §7: a spent daily quota resets ~18 h later (code 8); 15 min separates the two cases.
    maxRateLimitWaitSeconds: 900,
  },
  rateLimits: {},
  analyticsColumns: [...DEFAULT_ANALYTICS_COLUMNS],
  reportColumns: [...DEFAULT_ANALYTICS_COLUMNS],
  attribution: {},
  reports: {
    pollInitialDelayMs: 1_000,
    pollBackoffFactor: 1.5,
    pollMaxDelayMs: 30_000,
    pollTimeoutMs: 30 * 60_000,
  },
  continuousRefresh: false,
};

/** Fills defaults (deeply for the nested blocks) so callers can pass only what they change. */
export function resolveClientConfig(
  partial: Partial<Omit<PinterestClientConfig, 'retry' | 'reports'>> & {
    retry?: Partial<RetryBounds>;
    reports?: Partial<ReportOptions>;
  }
): PinterestClientConfig {
  return {
    ...DEFAULT_CLIENT_CONFIG,
    ...partial,
    apiBaseUrl: (partial.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, ''),
    retry: {...DEFAULT_CLIENT_CONFIG.retry, ...partial.retry},
    reports: {...DEFAULT_CLIENT_CONFIG.reports, ...partial.reports},
  };
}
