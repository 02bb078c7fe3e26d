/**
 * Where a read-to-end stands, per partition (pure). The end of each partition is fixed when the read starts:
 * the last stable offset (LSO) from ListOffsets, raised once to the high watermark (log end) carried by the first
 * fetched batch of the partition. The LSO alone is not enough: an open transaction of another writer pins it, and
 * committed records after that transaction (ours, say) would be missed; with the high watermark the read waits
 * until such a transaction ends. The position is the next offset to look at; it moves past every offset the
 * client has seen, data or not, because commit/abort markers and aborted records occupy offsets too: the last
 * data record can sit below end - 1, and waiting for it would never finish.
 */
export interface PartitionRange {
  partition: number;
  /** Log start offset. */
  start: string;
  /** Exclusive end: the last stable offset when the read began (raised by observeHighWatermark). */
  end: string;
}

export class ReadProgress {
  private readonly ends = new Map<number, bigint>();
  private readonly positions = new Map<number, bigint>();
  private readonly raised = new Set<number>();
  private pendingCount = 0;

  constructor(ranges: readonly PartitionRange[]) {
    for (const {partition, start, end} of ranges) {
      const endOffset = BigInt(end);
      const startOffset = BigInt(start);
      this.ends.set(partition, endOffset);
      this.positions.set(partition, startOffset);
      if (startOffset < endOffset) this.pendingCount += 1;
    }
  }

  isDone(): boolean {
    return this.pendingCount === 0;
  }

  isPartitionDone(partition: number): boolean {
    const end = this.ends.get(partition);
    const position = this.positions.get(partition);
    return end === undefined || position === undefined || position >= end;
  }

  /** Partitions still being read. */
  pending(): number[] {
    return [...this.ends.keys()].filter((p) => !this.isPartitionDone(p)).sort((a, b) => a - b);
  }

  /**
   * Whether a record at this offset belongs to the read: below the end and not yet passed (a client that
   * restarts from the beginning after a rebalance must not yield records twice).
   */
  accepts(partition: number, offset: string): boolean {
    const end = this.ends.get(partition);
    const position = this.positions.get(partition);
    if (end === undefined || position === undefined) return false;
    const o = BigInt(offset);
    return o >= position && o < end;
  }

  /**
   * The high watermark seen with a partition's first fetched batch raises its end (once; later ones are ignored,
   * so a busy topic cannot keep the read going). A partition already complete stays complete.
   */
  observeHighWatermark(partition: number, highWatermark: string): void {
    if (this.raised.has(partition) || this.isPartitionDone(partition)) return;
    this.raised.add(partition);
    const hw = BigInt(highWatermark);
    if (hw > (this.ends.get(partition) ?? 0n)) this.ends.set(partition, hw);
  }

  /** Everything up to and including lastOffset was seen. Returns true when this completes the partition. */
  advance(partition: number, lastOffset: string): boolean {
    const end = this.ends.get(partition);
    const position = this.positions.get(partition);
    if (end === undefined || position === undefined || position >= end) return false;
    const next = BigInt(lastOffset) + 1n;
    if (next <= position) return false;
    this.positions.set(partition, next);
    if (next >= end) {
      this.pendingCount -= 1;
      return true;
    }
    return false;
  }
}
