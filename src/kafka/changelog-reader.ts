import {randomUUID} from 'node:crypto';

import type {Consumer, IHeaders, Kafka} from 'kafkajs';

import {ChangelogReadError} from '../errors';
import {BatchChannel} from './batch-channel';
import {restartsWhile} from './consumer-retry';
import {describeError, kafkajsRetriable} from './kafka-errors';
import {partitionForKey} from './partitioner';
import {ReadProgress, type PartitionRange} from './read-progress';
import type {ChangelogReader, ChangelogRecord, KafkaLogger, MessageHeaders, ReadToEndOptions} from './types';

export interface ChangelogReaderOptions {
  /** Prefix of the throwaway consumer group ids (a random suffix is added per read); never committed to. */
  groupIdPrefix?: string;
  /** Fetch size per partition; default 2 MiB (memory: kafkajs keeps one object per fetched message). */
  maxBytesPerPartition?: number;
  /** Fetched batches queued ahead of the reader; default 2. */
  bufferedBatches?: number;
}

/**
 * Reads a compacted topic from the beginning with read_committed, up to its end as of the start of the read (see
 * ReadProgress). kafkajs cannot assign partitions by hand, so each read joins a fresh consumer group with
 * autoCommit off (nothing is ever committed; the empty group expires on its own).
 *
 * Call it after the writers of the shards being restored have run init(): that fences their zombies and lets
 * the coordinator finish their last transactions (commit markers are written after commit() returns), so their
 * committed records are below the end.
 */
export class KafkajsChangelogReader implements ChangelogReader {
  constructor(private readonly deps: {kafka: Kafka; logger: KafkaLogger; options?: ChangelogReaderOptions}) {}

  readToEnd(topic: string, options: ReadToEndOptions = {}): AsyncIterable<ChangelogRecord> {
    return {[Symbol.asyncIterator]: () => this.read(topic, options)};
  }

  private async *read(topic: string, options: ReadToEndOptions): AsyncGenerator<ChangelogRecord> {
    let ranges = await this.endOffsets(topic);
    const keyed = options.partitionOfKey;
    if (keyed) ranges = ranges.filter((r) => r.partition === partitionForKey(keyed, ranges.length));
    const only = options.partitions;
    if (only) ranges = ranges.filter((r) => only.includes(r.partition));
    options.onEndOffsets?.(ranges);
    const progress = new ReadProgress(ranges);
    if (progress.isDone()) return;

    const started = performance.now();
    const channel = new BatchChannel<ChangelogRecord[]>(this.deps.options?.bufferedBatches ?? 2);
    let over = false;
    const consumer = this.consumer(options.readUncommitted ?? false, () => !over);
    let nullKeys = 0;
    let yielded = 0;

    const finishPartition = (partition: number) => {
      consumer.pause([{topic, partitions: [partition]}]);
      if (progress.isDone()) channel.end();
    };
    // Batches holding only markers or aborted records never reach eachBatch; kafkajs still reports them here.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({payload}) => {
      if (payload.topic !== topic) return;
      progress.observeHighWatermark(payload.partition, payload.highWatermark);
      if (progress.advance(payload.partition, payload.lastOffset)) finishPartition(payload.partition);
    });
    consumer.on(consumer.events.CRASH, ({payload}) => {
      if (payload.restart) {
        // kafkajs rejoins; positions in `progress` skip what was already read. Transient (e.g. "The coordinator
        // is loading" on a fresh broker): a read that cannot finish fails with a crash that does not restart.
        this.deps.logger.debug(
          {topic, err: describeError(payload.error)},
          'Changelog read: consumer restarts'
        );
        return;
      }
      channel.fail(
        new ChangelogReadError(`reading ${topic} failed: ${describeError(payload.error)}`, {
          retriable: kafkajsRetriable(payload.error),
          cause: payload.error,
        })
      );
    });

    try {
      await consumer.connect();
      await consumer.subscribe({topics: [topic], fromBeginning: true});
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({batch, heartbeat}) => {
          // A partition outside the read (partitionOfKey) or already complete.
          if (progress.isPartitionDone(batch.partition)) {
            consumer.pause([{topic, partitions: [batch.partition]}]);
            return;
          }
          progress.observeHighWatermark(batch.partition, batch.highWatermark);
          const records: ChangelogRecord[] = [];
          for (const message of batch.messages) {
            if (!progress.accepts(batch.partition, message.offset)) continue;
            if (message.key === null) {
              nullKeys += 1; // impossible on a compacted topic (the broker rejects them); kept out of the state
              continue;
            }
            records.push({
              key: message.key,
              value: message.value,
              partition: batch.partition,
              offset: message.offset,
              ...headersOf(message.headers),
            });
          }
          if (records.length > 0) await channel.push(records);
          if (progress.advance(batch.partition, batch.lastOffset())) finishPartition(batch.partition);
          await heartbeat();
        },
      });
      for await (const records of channel) {
        yielded += records.length;
        yield* records;
      }
      const seconds = (performance.now() - started) / 1000;
      this.deps.logger.info({topic, records: yielded, seconds, nullKeys}, 'changelog read to end');
    } catch (error) {
      if (error instanceof ChangelogReadError) throw error;
      throw new ChangelogReadError(`reading ${topic} failed: ${describeError(error)}`, {
        retriable: kafkajsRetriable(error),
        cause: error,
      });
    } finally {
      over = true;
      channel.cancel();
      await consumer.disconnect().catch(() => undefined);
    }
  }

  /** `restart`: whether kafkajs may restart the consumer after a retriable crash (not once the read is over). */
  private consumer(readUncommitted: boolean, restart: () => boolean): Consumer {
    const options = this.deps.options ?? {};
    return this.deps.kafka.consumer({
      groupId: `${options.groupIdPrefix ?? 'pinterest-cdc.changelog-reader'}.${randomUUID()}`,
      readUncommitted,
      allowAutoTopicCreation: false,
      // kafkajs turns a whole fetch into one object per message (a few hundred bytes each for ~40-byte state
      // records): 16 MiB fetches of hash-only state held ~400k objects per batch and the restore of 1M records
      // peaked at ~860 MiB RSS. 2 MiB fetches keep that to tens of MiB at little cost in round trips.
      maxBytesPerPartition: options.maxBytesPerPartition ?? 2 * 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
      // The end is known, so a fetch never needs to wait long for more data.
      maxWaitTimeInMs: 100,
      // A slow reader blocks eachBatch (backpressure): keep the lone member in its group meanwhile.
      sessionTimeout: 300_000,
      rebalanceTimeout: 60_000,
      retry: restartsWhile(restart),
    });
  }

  /** Log start and last stable offset per partition (kafkajs ListOffsets defaults to read_committed). */
  private async endOffsets(topic: string): Promise<PartitionRange[]> {
    const admin = this.deps.kafka.admin();
    try {
      await admin.connect();
      // Checked first: for a missing topic fetchTopicOffsets spends its whole retry budget before failing.
      if (!(await admin.listTopics()).includes(topic)) {
        throw new ChangelogReadError(`changelog topic ${topic} does not exist`, {retriable: false});
      }
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.map((o) => ({partition: o.partition, start: o.low, end: o.high}));
    } catch (error) {
      if (error instanceof ChangelogReadError) throw error;
      throw new ChangelogReadError(`cannot read end offsets of ${topic}: ${describeError(error)}`, {
        retriable: kafkajsRetriable(error),
        cause: error,
      });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** kafkajs decodes header values as Buffers (or arrays of them for repeated keys): the first of each. */
function headersOf(headers: IHeaders | undefined): {headers?: MessageHeaders} {
  if (!headers) return {};
  const out: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first;
  }
  return Object.keys(out).length > 0 ? {headers: out} : {};
}
