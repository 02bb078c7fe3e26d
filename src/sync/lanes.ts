/**
 * Work units in lanes: one unit at a time per lane, lanes side by side. A lane is what units queue behind —
 * a rate budget (`ads_read`, `org_read`, `ads_analytics`), so requests of one budget never race each other while
 * different budgets are spent at once. Units may enqueue more units (discovery: the ad-account list plans the
 * per-account work) and may wait on each other through the promises `enqueue` returns.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  /** `onUnitError` receives what a unit threw; the lane goes on with its next unit. */
  constructor(private readonly onUnitError: (error: unknown) => void) {}

  /** Queues `unit` behind the lane's last unit; resolves when it has run, whatever its outcome. */
  enqueue(lane: string, unit: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(lane) ?? Promise.resolve();
    const done = previous.then(unit).catch(this.onUnitError);
    this.tails.set(lane, done);
    this.running.add(done);
    void done.then(() => this.running.delete(done));
    return done;
  }

  /** Resolves once every unit has run, including units enqueued while waiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
