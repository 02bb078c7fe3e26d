/**
 * When campaigns, ad groups and ads were ACTIVE, as UTC day ranges (docs/contracts.md, Sandbox, "Analytics and
 * entity lifetimes"). A generated record's history follows from the record itself: ACTIVE since created_time;
 * PAUSED or ARCHIVED since updated_time (ACTIVE before); DRAFT and DELETED_DRAFT never ran. Status changes and
 * deletes made through the control API are appended at the sandbox time they happen, so days already past keep
 * their history.
 */
import type {EntityStore} from './entity-store';
import type {ApiRecord} from './generate-ads';
import type {EntityKind} from './ids';
import {utcDay} from './time-format';

interface Transition {
  sec: number;
  status: string;
}

/** First and last UTC day (inclusive); the last is Infinity while still ACTIVE. */
export type DayRange = readonly [number, number];

const RUNS = 'ACTIVE';
const DELETED = 'DELETED';

function seconds(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** The history a record implies when nothing was recorded for it. */
function impliedHistory(record: ApiRecord): Transition[] {
  const created = seconds(record.created_time, 0);
  const updated = seconds(record.updated_time, created);
  const status = String(record.status);
  if ((status === 'PAUSED' || status === 'ARCHIVED') && updated > created) {
    return [
      {sec: created, status: RUNS},
      {sec: updated, status},
    ];
  }
  return [{sec: created, status}];
}

function activeRanges(history: readonly Transition[]): DayRange[] {
  const out: [number, number][] = [];
  history.forEach((t, i) => {
    if (t.status !== RUNS) return;
    const end = history[i + 1]?.sec;
    if (end !== undefined && end <= t.sec) return;
    const range: [number, number] = [
      utcDay(t.sec * 1000),
      end === undefined ? Infinity : utcDay(end * 1000 - 1),
    ];
    const last = out[out.length - 1];
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else out.push(range);
  });
  return out;
}

/** The days in both lists of ranges. */
export function intersectRanges(a: readonly DayRange[], b: readonly DayRange[]): DayRange[] {
  const out: DayRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as DayRange;
    const y = b[j] as DayRange;
    const start = Math.max(x[0], y[0]);
    const end = Math.min(x[1], y[1]);
    if (start <= end) out.push([start, end]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

export function inRanges(ranges: readonly DayRange[], day: number): boolean {
  return ranges.some(([start, end]) => day >= start && day <= end);
}

export class Lifetimes {
  private readonly recorded = new Map<string, Transition[]>();

  constructor(private readonly store: EntityStore) {}

  private key(kind: EntityKind, scope: number, index: number): string {
    return `${kind}:${scope}:${index}`;
  }

  /** Days the entity was ACTIVE (deleted entities keep theirs); none for an index that never existed. */
  activeDays(kind: EntityKind, scope: number, index: number): DayRange[] {
    const recorded = this.recorded.get(this.key(kind, scope, index));
    if (recorded) return activeRanges(recorded);
    const record = this.store.peek(kind, scope, index);
    return record ? activeRanges(impliedHistory(record)) : [];
  }

  /** A control-API change at `atSec`: a status change or a delete ends or starts a run from then on. */
  noteChange(
    kind: EntityKind,
    scope: number,
    index: number,
    before: ApiRecord | null,
    after: ApiRecord | null,
    atSec: number
  ): void {
    if (!before) return; // a created record's own fields say when it started
    const status = after ? String(after.status) : DELETED;
    if (after && status === String(before.status)) return;
    const key = this.key(kind, scope, index);
    const history = this.recorded.get(key) ?? impliedHistory(before);
    history.push({sec: Math.max(atSec, history[history.length - 1]?.sec ?? atSec), status});
    this.recorded.set(key, history);
  }
}
