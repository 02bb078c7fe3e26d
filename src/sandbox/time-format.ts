/** Date helpers on the sandbox clock (UTC days, as the analytics parameters are: notes/pinterest-api.md §3). */

export const DAY_MS = 86_400_000;

export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function dayToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` -> day number, or undefined when not a real calendar date. */
export function parseDate(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || dayToDate(utcDay(ms)) !== text) return undefined;
  return utcDay(ms);
}

/**
 * Boards and pins carry ISO strings without a zone and with a varying fractional part
 * (`2026-07-09T10:22:11` and `2026-07-09T14:29:02.456000`): notes/pinterest-api.md §10.
 */
export function zonelessIso(ms: number, withFraction: boolean): string {
  const iso = new Date(ms).toISOString();
  const seconds = iso.slice(0, 19);
  return withFraction ? `${seconds}.${iso.slice(20, 23)}000` : seconds;
}
