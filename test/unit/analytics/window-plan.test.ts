/** The window planner: pure, so every edge is a table of dates (UTC calendar days). */
import {
  backfillRangesRemaining,
  planWindows,
  progressAfterRange,
  progressWithin,
  viaFor,
  type PlannedRange,
  type WindowPlan,
} from '../../../src/analytics';
import {addDays, daysBetween} from '../../../src/pinterest/dates';
import {EMPTY_PROGRESS, type AnalyticsProgress} from '../../../src/state';

const TODAY = '2026-06-30';
const settings = (startDate: string, restatementDays = 30) => ({startDate, restatementDays});
const span = (r: {start: string; end: string}) => daysBetween(r.start, r.end) + 1;
const brief = (ranges: readonly PlannedRange[]) =>
  ranges.map((r) => `${r.start}..${r.end} ${r.via} ${r.newRowOp}${r.after ? ` after ${r.after}` : ''}`);

/** Runs every range of a plan to completion, as the runner would, and returns the progress. */
function complete(plan: WindowPlan, progress: AnalyticsProgress, startedAtMs = 1): AnalyticsProgress {
  let p = progress;
  for (const range of [...plan.forward, ...plan.backward])
    p = progressAfterRange(p, range, {today: plan.today, startedAtMs});
  return p;
}

describe('planWindows: the first run', () => {
  it('reads the sync reach in one range, then walks back through reports of at most 186 days', () => {
    const plan = planWindows(TODAY, settings('2025-01-01'), EMPTY_PROGRESS);
    expect(plan.windowStart).toBe('2026-06-01');
    expect(brief(plan.forward)).toEqual(['2026-04-02..2026-06-30 sync r']);
    expect(span(plan.forward[0]!)).toBe(90);
    expect(brief(plan.backward)).toEqual([
      '2025-09-28..2026-04-01 report r',
      '2025-03-26..2025-09-27 report r',
      '2025-01-01..2025-03-25 report r',
    ]);
    for (const r of plan.backward) expect(span(r)).toBeLessThanOrEqual(186);
    expect(backfillRangesRemaining(plan)).toBe(4);
  });

  it('stays inside the window when analytics.startDate is recent; no backward range', () => {
    const plan = planWindows(TODAY, settings('2026-06-20'), EMPTY_PROGRESS);
    expect(plan.windowStart).toBe('2026-06-20');
    expect(brief(plan.forward)).toEqual(['2026-06-20..2026-06-30 sync r']);
    expect(plan.backward).toEqual([]);
  });

  it('a start date exactly at the sync reach (today - 89) needs no report', () => {
    const plan = planWindows(TODAY, settings(addDays(TODAY, -89)), EMPTY_PROGRESS);
    expect(brief(plan.forward)).toEqual(['2026-04-02..2026-06-30 sync r']);
    expect(plan.backward).toEqual([]);
    const oneMore = planWindows(TODAY, settings(addDays(TODAY, -90)), EMPTY_PROGRESS);
    expect(brief(oneMore.backward)).toEqual(['2026-04-01..2026-04-01 report r']);
  });

  it('clamps a start older than reports serve (913 days back) and says so', () => {
    const plan = planWindows(TODAY, settings('2020-01-01'), EMPTY_PROGRESS);
    expect(plan.clampedStart).toBe(addDays(TODAY, -913));
    expect(plan.backward.at(-1)?.start).toBe(addDays(TODAY, -913));
    const days = plan.backward.reduce((n, r) => n + span(r), 0) + span(plan.forward[0]!);
    expect(days).toBe(914);
  });

  it('uses UTC calendar days across month and year ends, leap days included', () => {
    const plan = planWindows('2024-03-01', settings('2024-02-01', 30), EMPTY_PROGRESS);
    expect(plan.windowStart).toBe('2024-02-01');
    expect(brief(plan.forward)).toEqual(['2024-02-01..2024-03-01 sync r']);
    const newYear = planWindows('2027-01-01', settings('2026-12-01', 7), EMPTY_PROGRESS);
    expect(newYear.windowStart).toBe('2026-12-26');
  });
});

describe('planWindows: later runs', () => {
  const afterFirst = complete(planWindows(TODAY, settings('2025-01-01'), EMPTY_PROGRESS), EMPTY_PROGRESS);

  it('after the backfill, re-reads exactly the restatement window, once, as c/u/d', () => {
    expect(afterFirst).toMatchObject({readThrough: TODAY, backfilledFrom: '2025-01-01'});
    const same = planWindows(TODAY, settings('2025-01-01'), afterFirst);
    expect(brief(same.forward)).toEqual(['2026-06-01..2026-06-30 sync c']);
    expect(same.backward).toEqual([]);
    const tomorrow = planWindows('2026-07-01', settings('2025-01-01'), afterFirst);
    expect(brief(tomorrow.forward)).toEqual(['2026-06-02..2026-07-01 sync c']);
    expect(tomorrow.windowStart).toBe('2026-06-02');
    expect(backfillRangesRemaining(tomorrow)).toBe(0);
  });

  it('never re-reads a settled day: after a long stop it reads only the days it never read', () => {
    const later = planWindows('2026-09-15', settings('2025-01-01'), afterFirst);
    // 2026-07-01 .. 2026-09-15: 77 days, all within the sync reach; the window is inside them.
    expect(brief(later.forward)).toEqual(['2026-07-01..2026-09-15 sync c']);
    const muchLater = planWindows('2027-03-01', settings('2025-01-01'), afterFirst);
    expect(brief(muchLater.forward)).toEqual([
      '2026-07-01..2026-12-01 report c',
      '2026-12-02..2027-03-01 sync c',
    ]);
  });

  it('honours the longest range per endpoint: a 60-day window is one sync range', () => {
    const plan = planWindows(TODAY, settings('2025-01-01', 60), afterFirst);
    expect(brief(plan.forward)).toEqual(['2026-05-02..2026-06-30 sync c']);
    expect(span(plan.forward[0]!)).toBe(60);
  });

  it('an earlier analytics.startDate later on extends the backfill backwards', () => {
    const plan = planWindows(TODAY, settings('2024-12-01'), afterFirst);
    expect(brief(plan.backward)).toEqual(['2024-12-01..2024-12-31 report r']);
  });
});

describe('planWindows: resuming an interrupted range', () => {
  it('finishes the first read from the last committed entity, then the backfill', () => {
    const first = planWindows(TODAY, settings('2026-01-01'), EMPTY_PROGRESS);
    const stopped = progressWithin(EMPTY_PROGRESS, first.forward[0]!, '1234');
    const resumed = planWindows(TODAY, settings('2026-01-01'), stopped);
    expect(brief(resumed.forward)).toEqual(['2026-04-02..2026-06-30 sync r after 1234']);
    expect(brief(resumed.backward)).toEqual(['2026-01-01..2026-04-01 report r']);
  });

  it('on a later day: the resumed range goes by report when the sync endpoint no longer reaches it', () => {
    const first = planWindows(TODAY, settings('2026-01-01'), EMPTY_PROGRESS);
    const stopped = progressWithin(EMPTY_PROGRESS, first.forward[0]!, '1234');
    const resumed = planWindows('2026-07-02', settings('2026-01-01'), stopped);
    expect(brief(resumed.forward)).toEqual([
      '2026-04-02..2026-06-30 report r after 1234',
      // the days after it, read for the first time: new rows there are `c`
      '2026-07-01..2026-07-02 sync c',
    ]);
  });

  it('a resumed backfill range keeps its cursor; the ranges after it continue below it', () => {
    const done = complete(planWindows(TODAY, settings('2025-01-01'), EMPTY_PROGRESS), EMPTY_PROGRESS);
    const partial = {
      ...done,
      backfilledFrom: '2025-09-28',
      backward: {start: '2025-03-26', end: '2025-09-27', after: '77'},
    };
    const plan = planWindows(TODAY, settings('2025-01-01'), partial);
    expect(brief(plan.backward)).toEqual([
      '2025-03-26..2025-09-27 report r after 77',
      '2025-01-01..2025-03-25 report r',
    ]);
  });
});

describe('progress', () => {
  it('moves the watermark only when a range ending today completes', () => {
    const plan = planWindows(TODAY, settings('2025-01-01'), EMPTY_PROGRESS);
    const afterForward = progressAfterRange(EMPTY_PROGRESS, plan.forward[0]!, {
      today: TODAY,
      startedAtMs: 42,
    });
    expect(afterForward.watermarkMs).toBe(42);
    const afterBackward = progressAfterRange(afterForward, plan.backward[0]!, {
      today: TODAY,
      startedAtMs: 99,
    });
    expect(afterBackward.watermarkMs).toBe(42);
    expect(afterBackward.backfilledFrom).toBe(plan.backward[0]!.start);
  });

  it('viaFor: sync only within 89 days back and 90 days long', () => {
    expect(viaFor({start: addDays(TODAY, -89), end: TODAY}, TODAY)).toBe('sync');
    expect(viaFor({start: addDays(TODAY, -90), end: TODAY}, TODAY)).toBe('report');
    expect(viaFor({start: addDays(TODAY, -30), end: addDays(TODAY, -20)}, TODAY)).toBe('sync');
  });
});
