/**
 * Which date ranges one analytics cycle of one (collection, ad account) reads, from today, the settings and
 * the committed progress. Pure: no I/O, no clock.
 *
 * - Dates are UTC calendar days (notes/pinterest-api.md §3: start_date/end_date are UTC).
 * - The restatement window is [today - restatementDays + 1, today] (today included, never before startDate).
 *   Rows dated before it are settled: they leave the state and are never read again.
 * - Forward reads (oldest range first) cover what changed since the last read: the whole window, plus any days
 *   between the last read and the window (a service stopped for longer than the window). The very first read
 *   of a shard takes the longest range the sync endpoint allows, [today - 89, today], which is also the first
 *   step of the backfill: its rows are `r`; rows a later forward read finds new are `c`.
 * - Backward reads (newest range first) walk the backfill back to analytics.startDate: through the sync
 *   endpoint while it reaches (89 days back), through async reports (ranges of up to 186 days) beyond. Their
 *   rows are `r` and are not kept in state (they are older than the window).
 * - A range under way when the last run stopped (a crash, a spent daily quota) is finished first, from the
 *   entity after the last committed one, so nothing committed is read or emitted twice.
 */
import {
  REPORT_MAX_DAYS_BACK,
  REPORT_MAX_RANGE_DAYS,
  SYNC_MAX_DAYS_BACK,
  SYNC_MAX_RANGE_DAYS,
} from '../pinterest/analytics';
import {addDays, daysBetween} from '../pinterest/dates';
import type {AnalyticsProgress, PartialRange} from '../state';

export interface WindowSettings {
  /** analytics.startDate: the oldest day to read. */
  readonly startDate: string;
  /** analytics.restatementDays: trailing days (today included) re-read every cycle. */
  readonly restatementDays: number;
}

export type ReadDirection = 'forward' | 'backward';

export interface PlannedRange {
  readonly start: string;
  readonly end: string;
  readonly direction: ReadDirection;
  readonly via: 'sync' | 'report';
  /** The op of a row the state does not hold: `r` on the first read of these days, `c` afterwards. */
  readonly newRowOp: 'r' | 'c';
  /** Entities up to this id (in id order) are done: a range resumed after an interruption. */
  readonly after: string | null;
}

export interface WindowPlan {
  readonly today: string;
  /** First day of the restatement window: rows dated before it are settled. */
  readonly windowStart: string;
  readonly forward: readonly PlannedRange[];
  readonly backward: readonly PlannedRange[];
  /** Set when analytics.startDate is older than any endpoint serves (914 days): reading starts here. */
  readonly clampedStart?: string;
}

const later = (a: string, b: string) => (daysBetween(a, b) > 0 ? b : a);
const earlier = (a: string, b: string) => (daysBetween(a, b) < 0 ? b : a);
const isAfter = (a: string, b: string) => daysBetween(b, a) > 0;

/** The endpoint that can serve a range today: sync when it reaches the range's start, else a report. */
export function viaFor(range: {start: string; end: string}, today: string): 'sync' | 'report' {
  const syncFloor = addDays(today, -SYNC_MAX_DAYS_BACK);
  const days = daysBetween(range.start, range.end) + 1;
  return !isAfter(syncFloor, range.start) && days <= SYNC_MAX_RANGE_DAYS ? 'sync' : 'report';
}

export function windowStartOf(today: string, settings: WindowSettings): string {
  return later(settings.startDate, addDays(today, -(settings.restatementDays - 1)));
}

export function planWindows(
  today: string,
  settings: WindowSettings,
  progress: AnalyticsProgress
): WindowPlan {
  const oldest = addDays(today, -REPORT_MAX_DAYS_BACK);
  const start = later(settings.startDate, oldest);
  const syncFloor = addDays(today, -SYNC_MAX_DAYS_BACK);
  const windowStart = windowStartOf(today, {...settings, startDate: start});
  const first = progress.readThrough === null;
  let readThrough = progress.readThrough;
  let backfilledFrom = progress.backfilledFrom;

  const resumed = (partial: PartialRange, direction: ReadDirection, newRowOp: 'r' | 'c'): PlannedRange => {
    // A range older than anything served now (a very long stop) is read from the oldest served day.
    const from = later(partial.start, oldest);
    const range = {start: from, end: partial.end};
    const after = from === partial.start ? partial.after : null;
    return {...range, direction, via: viaFor(range, today), newRowOp, after};
  };

  const forward: PlannedRange[] = [];
  if (progress.forward !== null && !isAfter(oldest, progress.forward.end)) {
    forward.push(resumed(progress.forward, 'forward', first ? 'r' : 'c'));
    readThrough = readThrough === null ? progress.forward.end : later(readThrough, progress.forward.end);
    backfilledFrom =
      backfilledFrom === null ? progress.forward.start : earlier(backfilledFrom, progress.forward.start);
  }
  if (readThrough === null) {
    // The first read: the sync endpoint's longest range, ending today.
    const range = {start: later(start, syncFloor), end: today};
    if (!isAfter(range.start, range.end)) {
      forward.push({...range, direction: 'forward', via: 'sync', newRowOp: 'r', after: null});
      backfilledFrom = range.start;
    }
  } else {
    // After a resumed range the window counts as read (its entities before `after` were read by the run that
    // stopped): only days after it are left. Otherwise the whole window again, and any days since the last read.
    const from =
      forward.length > 0
        ? later(start, addDays(readThrough, 1))
        : later(start, earlier(windowStart, addDays(readThrough, 1)));
    // Days before the sync endpoint's reach (only after a long stop): reports, oldest first.
    const reportEnd = earlier(today, addDays(syncFloor, -1));
    for (let a = from; !isAfter(a, reportEnd); a = addDays(a, REPORT_MAX_RANGE_DAYS)) {
      const end = earlier(reportEnd, addDays(a, REPORT_MAX_RANGE_DAYS - 1));
      forward.push({start: a, end, direction: 'forward', via: 'report', newRowOp: 'c', after: null});
    }
    const syncStart = later(from, syncFloor);
    if (!isAfter(syncStart, today)) {
      forward.push({
        start: syncStart,
        end: today,
        direction: 'forward',
        via: 'sync',
        newRowOp: 'c',
        after: null,
      });
    }
  }

  const backward: PlannedRange[] = [];
  let next = backfilledFrom === null ? null : addDays(backfilledFrom, -1);
  if (progress.backward !== null && !isAfter(oldest, progress.backward.end)) {
    backward.push(resumed(progress.backward, 'backward', 'r'));
    next = addDays(later(progress.backward.start, oldest), -1);
  }
  while (next !== null && !isAfter(start, next)) {
    const b = next;
    const range = isAfter(syncFloor, b)
      ? {start: later(start, addDays(b, -(REPORT_MAX_RANGE_DAYS - 1))), end: b}
      : {start: later(later(start, syncFloor), addDays(b, -(SYNC_MAX_RANGE_DAYS - 1))), end: b};
    backward.push({...range, direction: 'backward', via: viaFor(range, today), newRowOp: 'r', after: null});
    next = addDays(range.start, -1);
  }

  return {
    today,
    windowStart,
    forward,
    backward,
    ...(start !== settings.startDate && isAfter(oldest, settings.startDate) ? {clampedStart: start} : {}),
  };
}

/** The progress once `range` is completely read (committed with the range's last events). */
export function progressAfterRange(
  progress: AnalyticsProgress,
  range: PlannedRange,
  options: {today: string; startedAtMs: number}
): AnalyticsProgress {
  if (range.direction === 'backward') {
    return {
      ...progress,
      backward: null,
      backfilledFrom:
        progress.backfilledFrom === null ? range.start : earlier(progress.backfilledFrom, range.start),
    };
  }
  const readThrough = progress.readThrough === null ? range.end : later(progress.readThrough, range.end);
  return {
    ...progress,
    forward: null,
    readThrough,
    backfilledFrom:
      progress.backfilledFrom === null ? range.start : earlier(progress.backfilledFrom, range.start),
    // The window is current as of this run once its last range (ending today) is read.
    watermarkMs: range.end === options.today ? options.startedAtMs : progress.watermarkMs,
  };
}

/** The progress while `range` is read: entities up to `after` (in id order) are committed. */
export function progressWithin(
  progress: AnalyticsProgress,
  range: PlannedRange,
  after: string | null
): AnalyticsProgress {
  const partial: PartialRange = {start: range.start, end: range.end, after};
  return range.direction === 'forward' ? {...progress, forward: partial} : {...progress, backward: partial};
}

/** Backfill ranges still to read (the first read counts as one): the `backfill_windows_remaining` gauge. */
export function backfillRangesRemaining(plan: WindowPlan): number {
  return plan.backward.length + plan.forward.filter((r) => r.newRowOp === 'r').length;
}
