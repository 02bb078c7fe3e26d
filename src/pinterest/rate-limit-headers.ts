/**
 * Parsing of Pinterest's rate-limit headers and "Retry after N seconds" messages.
 * notes/pinterest-api.md §7: `x-ratelimit-limit` holds items like `1000;w=60;name="ads_read_app_id_user_id"`,
 * preceded by a bare number (the limit of the policy nearest exhaustion, as in the IETF RateLimit draft);
 * `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds) describe that policy.
 */
import {RATE_CATEGORIES, type BudgetBucket} from './types';

export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number | undefined;
  name: string | undefined;
  bucket: BudgetBucket | undefined;
}

export interface RateLimitInfo {
  policies: RateLimitPolicy[];
  /** The bare leading limit, naming the policy that `remaining` and `reset` describe. */
  currentLimit: number | undefined;
  remaining: number | undefined;
  resetSeconds: number | undefined;
}

type HeaderBag = Record<string, unknown>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** `ads_read_app_id_user_id` -> `ads_read`; `analytics_get_report_app_id` -> `analytics_get_report`. */
export function bucketFromPolicyName(name: string): BudgetBucket | undefined {
  if (name.startsWith('safety_net')) return 'safety_net';
  const sorted = [...RATE_CATEGORIES].sort((a, b) => b.length - a.length);
  return sorted.find((category) => name === category || name.startsWith(`${category}_`));
}

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

export function parseRateLimitHeaders(headers: HeaderBag): RateLimitInfo | undefined {
  const limitHeader = header(headers, 'x-ratelimit-limit');
  const remaining = parseNumber(header(headers, 'x-ratelimit-remaining')?.split(',')[0]);
  const resetSeconds = parseNumber(header(headers, 'x-ratelimit-reset')?.split(',')[0]);
  if (limitHeader === undefined && remaining === undefined && resetSeconds === undefined) return undefined;
  const policies: RateLimitPolicy[] = [];
  let currentLimit: number | undefined;
  for (const item of (limitHeader ?? '').split(',')) {
    const [head, ...params] = item.split(';').map((part) => part.trim());
    const limit = parseNumber(head);
    if (limit === undefined) continue;
    if (params.length === 0) {
      currentLimit ??= limit;
      continue;
    }
    let windowSeconds: number | undefined;
    let name: string | undefined;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim();
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (key === 'w') windowSeconds = parseNumber(value);
      else if (key === 'name') name = value;
    }
    policies.push({limit, windowSeconds, name, bucket: name ? bucketFromPolicyName(name) : undefined});
  }
  return {policies, currentLimit, remaining, resetSeconds};
}

/** notes/pinterest-api.md §8: messages may embed "Retry after N seconds" (codes 1, 2726). */
export function retryAfterFromMessage(message: unknown): number | undefined {
  if (typeof message !== 'string') return undefined;
  const match = /retry after (\d+(?:\.\d+)?) ?s(?:ec(?:ond)?s?)?\b/i.exec(message);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1000;
}
