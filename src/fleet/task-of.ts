import {partitionForKey} from '../kafka';

/**
 * The task (= partition of the state topic) that runs a shard: murmur2 of the shard id's UTF-8 bytes, as the
 * Java client's default partitioner hashes keys (src/kafka/partitioner.ts), made positive, modulo the task
 * count. Deterministic across processes, hosts and versions: it depends only on the shard id and the state
 * topic's partition count, so every instance places every shard alike and never needs to ask another. Changing
 * it would move shards away from the partitions that hold their state: never change it (a different partition
 * count moves shards too, which the restore handles by a relayout, src/fleet/task-restore.ts).
 */
export function taskOf(shardId: string, taskCount: number): number {
  if (!Number.isInteger(taskCount) || taskCount < 1)
    throw new RangeError(`taskOf: bad task count ${taskCount}`);
  return partitionForKey(Buffer.from(shardId, 'utf8'), taskCount);
}

/**
 * The shard part of a task's transactional id: with the instance id it makes `pinterest-cdc.<prefix>.<instance
 * id>-task-<n>` (src/kafka/transactional-id.ts), the single-process id with `-task-<n>` appended.
 */
export function taskWriterShard(instanceId: string, task: number): string {
  return `${instanceId}-task-${task}`;
}
