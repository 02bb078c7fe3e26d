/**
 * Every EntityStatus. The API's default (ACTIVE, PAUSED) hides archived and draft entities, which a
 * snapshot diff would read as deletes (notes/pinterest-api.md §1).
 */
export const ALL_ENTITY_STATUSES: readonly string[] = [
  'ACTIVE',
  'PAUSED',
  'ARCHIVED',
  'DRAFT',
  'DELETED_DRAFT',
];

/** The documented maximum page size (`query_page_size`, max 250). */
export const MAX_PAGE_SIZE = 250;
