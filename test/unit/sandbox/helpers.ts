import {RunningSandbox, SandboxOptions, SandboxScale, startSandbox} from '../../../src/sandbox';

export const START = new Date('2026-03-10T05:20:50Z');

export interface Harness {
  sb: RunningSandbox;
  token: string;
  refreshToken: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(path: string): Promise<{status: number; body: T; headers: Headers}>;
}

export function basic(sb: RunningSandbox): string {
  return (
    'Basic ' + Buffer.from(`${sb.credentials.clientId}:${sb.credentials.clientSecret}`).toString('base64')
  );
}

export async function refresh(
  sb: RunningSandbox,
  refreshToken: string,
  authorization = basic(sb)
): Promise<Response> {
  return fetch(`${sb.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {authorization, 'content-type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: refreshToken}).toString(),
  });
}

export async function harness(options: SandboxOptions = {}): Promise<Harness> {
  const sb = await startSandbox({startTime: START, ...options});
  const res = await refresh(sb, sb.credentials.refreshToken);
  const tokens = (await res.json()) as {access_token: string; refresh_token: string};
  const h: Harness = {
    sb,
    token: tokens.access_token,
    refreshToken: tokens.refresh_token,
    get: (path, init) =>
      fetch(`${sb.baseUrl}${path}`, {
        ...init,
        headers: {authorization: `Bearer ${h.token}`, ...(init?.headers ?? {})},
      }),
    json: async <T>(path: string) => {
      const r = await h.get(path);
      return {status: r.status, body: (await r.json()) as T, headers: r.headers};
    },
  };
  return h;
}

/** A sandbox with one ad account and an access token that outlives any clock advance; the account's id. */
export async function oneAccount(scale: Partial<SandboxScale>): Promise<{h: Harness; account: string}> {
  const h = await harness({accessTokenTtlSeconds: 10 * 365 * 86400, scale: {adAccounts: 1, ...scale}});
  return {h, account: h.sb.control.truth('ad_accounts').items[0]?.id as string};
}

/** Follows bookmarks to the end; returns every item and the pages. */
export async function walk(
  h: Harness,
  path: string
): Promise<{items: Record<string, unknown>[]; pages: {items: unknown[]; bookmark?: string | null}[]}> {
  const items: Record<string, unknown>[] = [];
  const pages: {items: unknown[]; bookmark?: string | null}[] = [];
  let bookmark: string | null | undefined;
  for (let i = 0; i < 10_000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = bookmark ? `${path}${sep}bookmark=${encodeURIComponent(bookmark)}` : path;
    const {status, body} = await h.json<{items: Record<string, unknown>[]; bookmark?: string | null}>(url);
    if (status !== 200) throw new Error(`${url}: ${status} ${JSON.stringify(body)}`);
    pages.push(body);
    items.push(...body.items);
    bookmark = body.bookmark;
    if (!bookmark) return {items, pages};
  }
  throw new Error('too many pages');
}

export const ALL_STATUSES =
  'entity_statuses=ACTIVE&entity_statuses=PAUSED&entity_statuses=ARCHIVED&entity_statuses=DRAFT&entity_statuses=DELETED_DRAFT';
