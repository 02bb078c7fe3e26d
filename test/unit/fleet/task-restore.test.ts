/**
 * Where shards run (taskOf) and how a task restores its partition, laying out a topic written before tasks
 * existed. Stubbed at one seam: the changelog reader and the task's writer are in-memory (an array of records per
 * partition, with the writer appending to it as Kafka would); everything else is the real code.
 */
import {pinStateRecords, restoreTask, taskOf} from '../../../src/fleet';
import {
  partitionForKey,
  type ChangelogRecord,
  type OutgoingMessage,
  type TransactionalWriter,
} from '../../../src/kafka';
import {layoutMessage, recordStateMessage, StateStore} from '../../../src/state';

const TOPIC = 'p.state';
const quiet = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

/** A state topic in memory: what a read_committed reader of each partition sees, in order. */
class MemoryTopic {
  readonly partitions: ChangelogRecord[][];
  constructor(count: number) {
    this.partitions = Array.from({length: count}, () => []);
  }
  append(message: OutgoingMessage): void {
    const p = message.partition ?? partitionForKey(message.key!, this.partitions.length);
    const list = this.partitions[p]!;
    list.push({key: message.key!, value: message.value, partition: p, offset: String(list.length)});
  }
  reader() {
    return {
      readToEnd: (_topic: string, options: {partitions?: readonly number[]} = {}) =>
        (async function* (topic: MemoryTopic) {
          for (const [p, records] of topic.partitions.entries())
            if (!options.partitions || options.partitions.includes(p)) yield* [...records];
        })(this),
    };
  }
  writer(): TransactionalWriter & {batches: number} {
    const writer = {
      transactionalId: 't',
      batches: 0,
      init: async () => {},
      writeBatch: async (messages: readonly OutgoingMessage[]) => {
        writer.batches += 1;
        for (const m of messages) this.append(m);
        return {transactionalId: 't', messages: messages.length, bytes: 0, byTopic: {}, durationSeconds: 0};
      },
      batchLimit: async () => undefined,
      close: async () => {},
    };
    return writer;
  }
}

const hash = {hashHi: 1, hashLo: 2};
const record = (shard: string, key: string) => ({
  topic: TOPIC,
  ...recordStateMessage('pins', shard, key, hash),
});

describe('taskOf', () => {
  it('places a shard by murmur2 of its id modulo the task count: the same in every process and version', () => {
    // Pinned values: changing them would move every deployment's shards away from their state.
    expect(
      ['all', 'user', '549755885175', 'b/549755885175'].map((s) => [taskOf(s, 12), taskOf(s, 3)])
    ).toEqual([
      [0, 0],
      [2, 2],
      [10, 1],
      [5, 2],
    ]);
    expect(() => taskOf('all', 0)).toThrow(RangeError);
  });
});

describe('restoreTask', () => {
  const shards = Array.from({length: 12}, (_, i) => String(549_755_885_000 + i));

  it('lays out a topic written by key: each task moves its records into its partition, once', async () => {
    const topic = new MemoryTopic(3);
    for (const shard of shards) for (const key of ['a', 'b']) topic.append(record(shard, key));
    // A deleted record stays deleted wherever its tombstone is.
    topic.append({topic: TOPIC, ...recordStateMessage('pins', shards[0]!, 'a', null)});

    const states = [0, 1, 2].map(() => new StateStore());
    for (const task of [0, 1, 2]) {
      const writer = topic.writer();
      await restoreTask({
        reader: topic.reader(),
        stateTopic: TOPIC,
        task,
        taskCount: 3,
        state: states[task]!,
        writer: pinStateRecords(writer, TOPIC, task, `owner-${task}`),
        batchSize: 4,
        logger: quiet,
      });
    }
    for (const [task, state] of states.entries()) {
      const mine = shards.filter((s) => taskOf(s, 3) === task);
      expect(
        state
          .all()
          .map((s) => s.shard)
          .sort()
      ).toEqual(mine.sort());
      for (const s of state.all()) expect(s.size).toBe(s.shard === shards[0] ? 1 : 2);
    }

    // Restored again, each task reads only its partition, which now holds all of its shards' records.
    for (const task of [0, 1, 2]) {
      const state = new StateStore();
      const writer = topic.writer();
      const result = await restoreTask({
        reader: {readToEnd: (t, o) => topic.reader().readToEnd(t, {...o, partitions: [task]})},
        stateTopic: TOPIC,
        task,
        taskCount: 3,
        state,
        writer,
        batchSize: 4,
        logger: quiet,
      });
      expect(result.moved).toBe(0);
      expect(writer.batches).toBe(0);
      expect(
        state
          .all()
          .map((s) => s.shard)
          .sort()
      ).toEqual(
        states[task]!.all()
          .map((s) => s.shard)
          .sort()
      );
    }
  });

  it('lays out again when the partition count changed since (the marker names the old count)', async () => {
    const topic = new MemoryTopic(4);
    const shard = shards.find((s) => taskOf(s, 2) !== taskOf(s, 4))!;
    const old = taskOf(shard, 2);
    topic.append({...record(shard, 'k'), partition: old});
    topic.append({topic: TOPIC, ...layoutMessage(old, 2), partition: old});
    const task = taskOf(shard, 4);
    const state = new StateStore();
    const result = await restoreTask({
      reader: topic.reader(),
      stateTopic: TOPIC,
      task,
      taskCount: 4,
      state,
      writer: pinStateRecords(topic.writer(), TOPIC, task, 'o'),
      batchSize: 10,
      logger: quiet,
    });
    expect(result.moved).toBe(1);
    expect(state.shard('pins', shard).size).toBe(1);
    // The old copy is tombstoned where it was, in the same transaction as the copy.
    expect(topic.partitions[old]!.at(-1)).toMatchObject({value: null});
  });
});
