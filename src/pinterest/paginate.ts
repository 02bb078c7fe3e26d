/**
 * Bookmark pagination over any list endpoint (notes/pinterest-api.md §1): `{items, bookmark}`; stop when the
 * bookmark is null or absent. A failed page is retried by the transport with the same bookmark, never
 * skipped; a repeated bookmark throws instead of yielding records twice.
 */
import {PaginationError, TransientError} from './errors';

// notes/pinterest-api.md §1: page_size max 250 (default 25).
export const MAX_PAGE_SIZE = 250;

export type PageFetcher = (bookmark: string | undefined) => Promise<unknown>;

export async function* paginatePages<T>(fetchPage: PageFetcher, endpoint: string): AsyncGenerator<T[]> {
  const seen = new Set<string>();
  let bookmark: string | undefined;
  for (;;) {
    const body = await fetchPage(bookmark);
    const record = (body && typeof body === 'object' ? body : {}) as {items?: unknown; bookmark?: unknown};
    if (!Array.isArray(record.items)) {
      throw new TransientError(`Pinterest ${endpoint}: a list page without an items array`, {
        endpoint,
        status: 200,
        retriable: true,
        reason: 'malformed',
      });
    }
    // notes §10: /pins may give a bookmark on a short page, then an empty page with bookmark null.
    if (record.items.length > 0) yield record.items as T[];
    const next = typeof record.bookmark === 'string' && record.bookmark !== '' ? record.bookmark : undefined;
    if (next === undefined) return;
    if (seen.has(next)) {
      throw new PaginationError(
        `Pinterest ${endpoint}: a bookmark repeated; stopping so no record is read twice`,
        {
          endpoint,
          status: 200,
          retriable: false,
        }
      );
    }
    seen.add(next);
    bookmark = next;
  }
}
