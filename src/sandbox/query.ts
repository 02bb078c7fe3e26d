/** Query-parameter rules of the list endpoints (notes/pinterest-api.md §1; spec `query_*` parameters). */
import {ApiError, invalidParameter, patternMismatch} from './api-error';

export const ENTITY_STATUSES = ['ACTIVE', 'PAUSED', 'ARCHIVED', 'DRAFT', 'DELETED_DRAFT'] as const;
// Spec `query_entity_statuses` default.
export const DEFAULT_ENTITY_STATUSES: readonly string[] = ['ACTIVE', 'PAUSED'];
// Spec `query_page_size`: default 25, minimum 1, maximum 250.
export const PAGE_SIZE_DEFAULT = 25;
export const PAGE_SIZE_MAX = 250;
// Spec `query_campaign_ids` / `query_ad_group_ids` / `query_ad_ids`: maxItems 250.
export const ID_FILTER_MAX = 250;

export function pageSize(params: URLSearchParams): number {
  const raw = params.get('page_size');
  if (raw === null) return PAGE_SIZE_DEFAULT;
  // The spec's own example message for a non-numeric value.
  if (!/^-?\d+$/.test(raw)) throw invalidParameter(`Parameter 'page_size' was not numeric (was ${raw})`);
  const n = Number(raw);
  // [I] The exact live text for an out-of-range page_size is not recorded; code 1 as for other bad parameters.
  if (n < 1 || n > PAGE_SIZE_MAX) {
    throw invalidParameter(`Parameter 'page_size' must be between 1 and ${PAGE_SIZE_MAX} (was ${raw})`);
  }
  return n;
}

/**
 * The values of an array query parameter in both forms live traffic uses: repeated keys (`a=1&a=2`, what
 * Pinterest's generated SDK sends) and comma-joined (`a=1,2`, what live analytics and list calls were recorded
 * and tested with). Evidence and choice: docs/notes.md, Sandbox. Undefined when the parameter is absent.
 */
export function arrayParam(params: URLSearchParams, name: string): string[] | undefined {
  const raw = params.getAll(name);
  return raw.length === 0 ? undefined : raw.flatMap((v) => v.split(','));
}

/** `entity_statuses` in either array form; absent = the spec's default ACTIVE+PAUSED. */
export function entityStatuses(params: URLSearchParams): ReadonlySet<string> {
  const values = arrayParam(params, 'entity_statuses');
  if (!values) return new Set(DEFAULT_ENTITY_STATUSES);
  for (const v of values) {
    if (!(ENTITY_STATUSES as readonly string[]).includes(v)) {
      throw invalidParameter(
        `Invalid value for parameter 'entity_statuses': '${v}'. Allowed: ${ENTITY_STATUSES.join(', ')}`
      );
    }
  }
  return new Set(values);
}

export function order(params: URLSearchParams): boolean {
  const raw = params.get('order');
  if (raw === null || raw === 'ASCENDING') return false;
  if (raw === 'DESCENDING') return true;
  throw invalidParameter(`Invalid value for parameter 'order': '${raw}'. Allowed: ASCENDING, DESCENDING`);
}

/** A numeric-id array parameter in either form, counted and checked after splitting; undefined when absent. */
export function idList(
  params: URLSearchParams,
  name: string,
  max: number,
  error?: () => ApiError
): string[] | undefined {
  const values = arrayParam(params, name);
  if (!values) return undefined;
  for (const v of values) if (!/^\d+$/.test(v)) throw patternMismatch(name, v);
  if (values.length > max) {
    throw error
      ? error()
      : invalidParameter(`Parameter '${name}' has ${values.length} items, the maximum is ${max}`);
  }
  return values;
}

export function numericId(name: string, value: string): string {
  if (!/^\d+$/.test(value)) throw patternMismatch(name, value);
  return value;
}
