/**
 * A bounded hand-over from a push-style producer (kafkajs' eachBatch) to a pull-style async iterator. push()
 * waits while `capacity` items are queued, so a slow reader slows the fetching instead of filling memory.
 */
export class BatchChannel<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private ended = false;
  private cancelled = false;
  private failure: {error: unknown} | undefined;
  private wakeReader: (() => void) | undefined;
  private readonly waitingWriters: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    if (this.cancelled || this.ended || this.failure) return;
    this.queue.push(item);
    this.notifyReader();
    while (this.queue.length >= this.capacity && !this.cancelled) {
      await new Promise<void>((resolve) => this.waitingWriters.push(resolve));
    }
  }

  /** No more items: the reader finishes after draining the queue. */
  end(): void {
    this.ended = true;
    this.notifyReader();
  }

  /** The reader throws this error once the queue is drained. First failure wins. */
  fail(error: unknown): void {
    this.failure ??= {error};
    this.notifyReader();
  }

  /** The reader went away: release blocked writers, drop everything. */
  cancel(): void {
    this.cancelled = true;
    this.queue.length = 0;
    this.notifyWriters();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.queue.shift();
      if (item !== undefined) {
        this.notifyWriters();
        yield item;
        continue;
      }
      if (this.failure) throw this.failure.error;
      if (this.ended || this.cancelled) return;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  private notifyReader(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  private notifyWriters(): void {
    for (const wake of this.waitingWriters.splice(0)) wake();
  }
}
