/**
 * Readiness as a set of named conditions: the service is ready when none is pending. Notes (a rate category
 * paused by a daily cap) are reported without making the service unready.
 */
export interface ReadinessReport {
  ready: boolean;
  /** Why not ready, e.g. `state: not restored`. */
  reasons: string[];
  /** Reported while ready, e.g. `ads_analytics paused until ...`. */
  notes: string[];
}

export class Readiness {
  private readonly pending = new Map<string, string>();
  private readonly noteSources: (() => string[])[] = [];

  /** Starts not ready on each of these conditions: `{state: 'not restored', producer: 'not connected'}`. */
  constructor(initial: Record<string, string> = {}) {
    for (const [name, reason] of Object.entries(initial)) this.pending.set(name, reason);
  }

  /** The condition holds no longer (or not yet). */
  block(name: string, reason: string): void {
    this.pending.set(name, reason);
  }

  /** The condition is met. */
  satisfy(name: string): void {
    this.pending.delete(name);
  }

  /** Adds a source of notes read at every check. */
  addNotes(source: () => string[]): void {
    this.noteSources.push(source);
  }

  check(): ReadinessReport {
    const reasons = [...this.pending].map(([name, reason]) => `${name}: ${reason}`);
    return {ready: reasons.length === 0, reasons, notes: this.noteSources.flatMap((source) => source())};
  }
}
