/** UTC calendar-date helpers (`YYYY-MM-DD`): analytics dates are UTC days (notes/pinterest-api.md §3). */

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function toDateMs(date: string): number {
  if (!DATE_RE.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new RangeError(`not a calendar date: ${date}`);
  return ms;
}

export function fromDateMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function todayUtc(nowMs: number): string {
  return fromDateMs(nowMs);
}

export function addDays(date: string, days: number): string {
  return fromDateMs(toDateMs(date) + days * DAY_MS);
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return Math.round((toDateMs(b) - toDateMs(a)) / DAY_MS);
}

export interface DateRange {
  start: string;
  end: string;
}

/** Consecutive inclusive ranges of at most `maxDays` days covering [start, end]; empty when end < start. */
export function splitDateRange(start: string, end: string, maxDays: number): DateRange[] {
  const out: DateRange[] = [];
  for (let from = start; daysBetween(from, end) >= 0; from = addDays(from, maxDays)) {
    const to = addDays(from, maxDays - 1);
    out.push({start: from, end: daysBetween(to, end) < 0 ? end : to});
  }
  return out;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Days since 1970-01-01 of a UTC date (the Avro `date` value): how state keys a day compactly. */
export function dayNumber(date: string): number {
  return Math.round(toDateMs(date) / DAY_MS);
}

export function dateOfDay(day: number): string {
  return fromDateMs(day * DAY_MS);
}

/** The UTC date of a Unix-seconds timestamp (entities' created_time / updated_time). */
export function dateOfUnixSeconds(seconds: number): string {
  return fromDateMs(seconds * 1000);
}
