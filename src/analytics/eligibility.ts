/**
 * Which entities can have rows in a date range, so that no request asks for ids that cannot answer
 * (docs/contracts.md "Sandbox" states the same lifetimes the sandbox's data follows):
 * - DRAFT and DELETED_DRAFT entities never delivered;
 * - an entity created after the range ended has no row in it;
 * - a PAUSED or ARCHIVED entity whose last change (`updated_time`) came before the range began stopped
 *   delivering before it: no row in it. With conversion_report_time TIME_OF_CONVERSION, conversions still land
 *   on later days for as long as the attribution window, so `lookbackDays` extends the range back by it.
 * Anything unknown (no status, no timestamps) can have rows.
 */
import {dayNumber, dateOfUnixSeconds} from '../pinterest/dates';
import type {EntityLifetime} from './ports';

const NEVER_DELIVERED = new Set(['DRAFT', 'DELETED_DRAFT']);
const STOPPED = new Set(['PAUSED', 'ARCHIVED']);

export function canHaveRows(
  entity: EntityLifetime,
  range: {start: string; end: string},
  lookbackDays: number
): boolean {
  if (entity.status !== undefined && NEVER_DELIVERED.has(entity.status)) return false;
  if (
    entity.createdTime !== undefined &&
    dayNumber(dateOfUnixSeconds(entity.createdTime)) > dayNumber(range.end)
  )
    return false;
  if (
    entity.status !== undefined &&
    STOPPED.has(entity.status) &&
    entity.updatedTime !== undefined &&
    dayNumber(dateOfUnixSeconds(entity.updatedTime)) + lookbackDays < dayNumber(range.start)
  )
    return false;
  return true;
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
  return {
    id,
    ...(status === undefined ? {} : {status}),
    ...(createdTime === undefined ? {} : {createdTime}),
    ...(updatedTime === undefined ? {} : {updatedTime}),
  };
}

/** Ids in numeric order (Pinterest ids are decimal strings longer than 2^53: compare by length, then text). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
