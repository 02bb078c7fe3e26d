/**
 * Keeps metric labels bounded: endpoints as route templates (never ids), status classes, enum-like reasons
 * and categories. Anything unexpected collapses to `other`.
 */
export const RATE_CATEGORIES = [
  'ads_read',
  'ads_analytics',
  'org_read',
  'safety_net',
  'analytics_get_report',
] as const;
export const RETRY_REASONS = ['rate_limited', 'server', 'network', 'timeout', 'malformed', 'auth'] as const;
/** At most this many endpoint label values; later ones count as `other`. */
export const MAX_ENDPOINTS = 100;

/**
 * `/ad_accounts/549755885175/campaigns?x=1` -> `/ad_accounts/{id}/campaigns`; templates stay as they are.
 * Numeric and long opaque path segments become `{id}`.
 */
export function endpointTemplate(endpoint: string): string {
  let path = endpoint.trim();
  try {
    if (/^https?:\/\//.test(path)) path = new URL(path).pathname;
  } catch {
    return 'other';
  }
  path = path.split(/[?#]/)[0] ?? '';
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      if (/^\{[A-Za-z0-9_]+\}$/.test(s)) return s;
      if (/^\d+$/.test(s) || /^[A-Za-z0-9_-]{20,}$/.test(s) || /[^A-Za-z0-9_.-]/.test(s)) return '{id}';
      return s;
    });
  return `/${segments.join('/')}`;
}

export function statusClass(status: number | undefined, given?: string): string {
  if (status === 429) return '429';
  if (status !== undefined && status >= 100 && status < 600) return `${Math.floor(status / 100)}xx`;
  if (given !== undefined && /^[1-5]xx$/.test(given)) return given;
  if (given === 'network' || given === 'timeout' || given === 'malformed') return given;
  return 'error';
}

export function oneOf<const T extends readonly string[]>(
  allowed: T,
  value: string | undefined
): T[number] | 'other' {
  return value !== undefined && (allowed as readonly string[]).includes(value)
    ? (value as T[number])
    : 'other';
}

/** Remembers the first `max` distinct values; the rest map to `other`. */
export class BoundedValues {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  bound(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}
