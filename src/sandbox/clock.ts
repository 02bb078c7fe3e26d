/** The sandbox clock: startTime + real time elapsed since start + every advance made on command. */

export class SandboxClock {
  private readonly realStart: number;
  private advancedMs = 0;

  constructor(
    private readonly startTime: Date,
    private readonly realNow: () => number
  ) {
    this.realStart = realNow();
  }

  nowMs(): number {
    return this.startTime.getTime() + (this.realNow() - this.realStart) + this.advancedMs;
  }

  advance(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new RangeError('advanceSeconds must be a non-negative number');
    this.advancedMs += seconds * 1000;
    return this.nowMs();
  }
}
