/**
 * Which entities can have rows in a date range, so that no request asks for ids that cannot answer. From what a
 * listing says (status, created_time, updated_time, parents), the days an entity can have delivered are at most:
 * - none for DRAFT and DELETED_DRAFT (never ran), and none for a PAUSED or ARCHIVED entity never changed since
 *   its creation (created that way: becoming ACTIVE would have moved updated_time);
 * - from its creation day on, and for a PAUSED or ARCHIVED entity up to its last change (`updated_time`: it
 *   stopped then at the latest);
 * - only while its parents can deliver too (an ad in a paused ad group or campaign serves nothing): the days are
 *   intersected with each listed parent's.
 * An entity can have rows in a range when those days meet it. With conversion_report_time TIME_OF_CONVERSION,
 * conversions land on days after delivery stopped for as long as the attribution window (`lookbackDays`).
 * Anything unknown (no status, no timestamps, a parent that was not listed) widens the days; docs/contracts.md
 * ("Sandbox") states the same lifetimes for the sandbox's data.
 */
import {dateOfUnixSeconds, dayNumber} from '../pinterest/dates';
import type {EntityLifetime} from './ports';

const NEVER_DELIVERED = new Set(['DRAFT', 'DELETED_DRAFT']);
const STOPPED = new Set(['PAUSED', 'ARCHIVED']);
// notes/pinterest-api.md §2: an ad names its ad group and campaign, an ad group its campaign.
const PARENT_FIELDS = ['ad_group_id', 'campaign_id'];

/** First and last UTC day (day numbers, inclusive) an entity can have delivered, or null: never. */
export interface DeliveryDays {
  readonly first: number;
  readonly last: number;
}

const dayOf = (seconds: number) => dayNumber(dateOfUnixSeconds(seconds));

export function deliveryDays(entity: EntityLifetime): DeliveryDays | null {
  if (entity.status !== undefined && NEVER_DELIVERED.has(entity.status)) return null;
  const first = entity.createdTime === undefined ? -Infinity : dayOf(entity.createdTime);
  if (entity.status === undefined || !STOPPED.has(entity.status) || entity.updatedTime === undefined) {
    return {first, last: Infinity};
  }
  if (entity.createdTime !== undefined && entity.updatedTime <= entity.createdTime) return null;
  return {first, last: dayOf(entity.updatedTime)};
}

/** The entity alone (parents unknown) can have rows in the range. */
export function canHaveRows(
  entity: EntityLifetime,
  range: {start: string; end: string},
  lookbackDays: number
): boolean {
  return meets(deliveryDays(entity), range, lookbackDays);
}

/** The entity, within the days every parent that `parents` knows can deliver, can have rows in the range. */
export function entityCanHaveRows(
  entity: EntityLifetime,
  parents: ReadonlyMap<string, EntityLifetime>,
  range: {start: string; end: string},
  lookbackDays: number
): boolean {
  let days = deliveryDays(entity);
  for (const id of entity.parents ?? []) {
    const parent = parents.get(id);
    if (parent === undefined || days === null) continue;
    const theirs = deliveryDays(parent);
    days =
      theirs === null
        ? null
        : {first: Math.max(days.first, theirs.first), last: Math.min(days.last, theirs.last)};
  }
  return meets(days, range, lookbackDays);
}

function meets(
  days: DeliveryDays | null,
  range: {start: string; end: string},
  lookbackDays: number
): boolean {
  return (
    days !== null &&
    days.first <= days.last &&
    days.first <= dayNumber(range.end) &&
    days.last + lookbackDays >= dayNumber(range.start)
  );
}

/** An entity's lifetime fields from its API record (or state image); undefined without a usable id. */
export function lifetimeOf(record: Record<string, unknown>): EntityLifetime | undefined {
  const id = record.id;
  if (typeof id !== 'string' || !/^\d+$/.test(id)) return undefined;
  const seconds = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  const status = typeof record.status === 'string' ? record.status : undefined;
  const createdTime = seconds(record.created_time);
  const updatedTime = seconds(record.updated_time);
  const parents = PARENT_FIELDS.map((field) => record[field]).filter(
    (value): value is string => typeof value === 'string' && value !== id
  );
  return {
    id,
    ...(status === undefined ? {} : {status}),
    ...(createdTime === undefined ? {} : {createdTime}),
    ...(updatedTime === undefined ? {} : {updatedTime}),
    ...(parents.length === 0 ? {} : {parents}),
  };
}

/** Ids in numeric order (Pinterest ids are decimal strings longer than 2^53: compare by length, then text). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
