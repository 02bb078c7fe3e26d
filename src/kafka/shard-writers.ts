import {transactionalIdFor} from './transactional-id';
import type {TransactionalIdOwnership, TransactionalWriter, TransactionalWriterOptions} from './types';

export interface ShardWritersOptions {
  /** Topic prefix (part of every transactional id). */
  prefix: string;
  configFingerprint?: string;
  /** Applied to every shard's writer (transactionalId is derived per shard). */
  writer?: Omit<TransactionalWriterOptions, 'transactionalId' | 'ownership'>;
  /** Who may use each shard's transactional id (TransactionalWriterOptions.ownership). */
  ownershipFor?(transactionalId: string): TransactionalIdOwnership;
}

/**
 * One TransactionalWriter per shard (ad account), created on first use, so each shard's batches are fenced
 * independently and shards can later move between processes. Each writer is one kafkajs producer with its own
 * connections: fine for tens to a few hundred accounts per process; beyond that, group accounts into fewer
 * shards (the shard string is the caller's choice).
 */
export class ShardWriters {
  private readonly writers = new Map<string, TransactionalWriter>();

  constructor(
    private readonly createWriter: (options: TransactionalWriterOptions) => TransactionalWriter,
    private readonly options: ShardWritersOptions
  ) {}

  /** The shard's writer (created, not yet initialised, on first call). */
  forShard(shard: string): TransactionalWriter {
    let writer = this.writers.get(shard);
    if (!writer) {
      const transactionalId = transactionalIdFor({
        prefix: this.options.prefix,
        shard,
        configFingerprint: this.options.configFingerprint,
      });
      writer = this.createWriter({
        ...this.options.writer,
        transactionalId,
        ownership: this.options.ownershipFor?.(transactionalId),
      });
      this.writers.set(shard, writer);
    }
    return writer;
  }

  shards(): string[] {
    return [...this.writers.keys()];
  }

  /** Closes and forgets one shard's writer (e.g. the account moved to another process). */
  async release(shard: string): Promise<void> {
    const writer = this.writers.get(shard);
    this.writers.delete(shard);
    await writer?.close();
  }

  async closeAll(): Promise<void> {
    const writers = [...this.writers.values()];
    this.writers.clear();
    await Promise.allSettled(writers.map((w) => w.close()));
  }
}
