import type {ChangelogReader, KafkaLogger, OutgoingMessage} from '../kafka';
import {
  applyChangelogRecord,
  decodeChangelogKey,
  decodeLayoutValue,
  layoutMessage,
  shardOfChangelogKey,
  type ChangelogKey,
  type StateStore,
} from '../state';
import {taskOf} from './task-of';

export interface TaskRestoreInput {
  readonly reader: ChangelogReader;
  readonly stateTopic: string;
  readonly task: number;
  /** The state topic's partition count as it is now (= the task count). */
  readonly taskCount: number;
  /** Receives the task's shards. */
  readonly state: StateStore;
  /**
   * The task's sink, ready (live: its writer, initialised, which fenced the task's previous owner): used by a
   * relayout.
   */
  readonly writer: {writeBatch(messages: readonly OutgoingMessage[]): Promise<unknown>};
  /** Records moved per transaction by a relayout. */
  readonly batchSize: number;
  readonly logger: KafkaLogger;
}

export interface TaskRestoreResult {
  readonly records: number;
  /** Records a relayout moved into the task's partition (0 when the partition was laid out already). */
  readonly moved: number;
}

/** Whether a changelog record is the task's: a record of one of its shards; shardless state goes to task 0. */
function belongsTo(decoded: ChangelogKey, task: number, taskCount: number): boolean {
  if (decoded.kind === 'owner' || decoded.kind === 'layout') return false;
  const shard = shardOfChangelogKey(decoded);
  // Legacy clear-token records (kind token) belong to no shard: task 0 settles them.
  return shard === undefined ? task === 0 : taskOf(shard, taskCount) === task;
}

/**
 * Restores one task's state from its partition of the state topic. A partition whose layout marker names the
 * current partition count holds every record of the task's shards: reading it is the whole restore. Otherwise
 * (a topic written before tasks existed, where records sit in their key's partition, or one whose partition count
 * changed since) the task relays out: it reads the other partitions for its shards' records, keeps the last of
 * each key per partition and of those the live ones (a record moved by an earlier relayout left a tombstone,
 * written in the same transaction as its copy, so at most one partition holds a key live), copies them into its
 * partition with a tombstone where they were, each pair in one transaction, then writes the marker. Interrupted,
 * the next owner does it again: a moved record is found live in the task's partition only.
 */
export async function restoreTask(input: TaskRestoreInput): Promise<TaskRestoreResult> {
  const {reader, stateTopic, task, taskCount, state} = input;
  let records = 0;
  let laidOutFor: number | undefined;
  for await (const record of reader.readToEnd(stateTopic, {partitions: [task]})) {
    const decoded = decodeChangelogKey(record.key);
    if (decoded.kind === 'layout' && decoded.partition === task) {
      laidOutFor = record.value === null ? undefined : decodeLayoutValue(record.value);
      continue;
    }
    if (!belongsTo(decoded, task, taskCount)) continue;
    applyChangelogRecord(state, record.key, record.value);
    records += 1;
  }
  if (laidOutFor === taskCount) return {records, moved: 0};

  const others = Array.from({length: taskCount}, (_, p) => p).filter((p) => p !== task);
  const last = new Map<string, {key: Buffer; value: Buffer | null; partition: number}>();
  if (others.length > 0) {
    for await (const record of reader.readToEnd(stateTopic, {partitions: others})) {
      if (!belongsTo(decodeChangelogKey(record.key), task, taskCount)) continue;
      last.set(`${record.partition}:${record.key.toString('hex')}`, record);
    }
  }
  const live = [...last.values()].filter((r) => r.value !== null);
  for (const record of live) applyChangelogRecord(state, record.key, record.value);
  for (let start = 0; start < live.length; start += input.batchSize) {
    const messages: OutgoingMessage[] = live.slice(start, start + input.batchSize).flatMap((r) => [
      {topic: stateTopic, key: r.key, value: r.value},
      {topic: stateTopic, key: r.key, value: null, partition: r.partition},
    ]);
    await input.writer.writeBatch(messages);
  }
  await input.writer.writeBatch([{topic: stateTopic, ...layoutMessage(task, taskCount)}]);
  if (live.length > 0 || laidOutFor !== undefined)
    input.logger.info(
      {task, taskCount, moved: live.length, previousLayout: laidOutFor ?? null},
      'Moved the task’s state records into its partition of the state topic'
    );
  return {records: records + live.length, moved: live.length};
}
