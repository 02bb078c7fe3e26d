import type {Consumer, Kafka} from 'kafkajs';

import {CdcError} from '../errors';
import {describeError, kafkajsRetriable} from './kafka-errors';
import type {GroupAssignment, GroupMembership, KafkaLogger} from './types';

export interface GroupMembershipOptions {
  groupId: string;
  /** The topic whose partitions are shared out (the state changelog: one partition = one task). */
  topic: string;
  /**
   * A member silent this long is evicted and its partitions reassigned (Kafka's session.timeout.ms; the broker
   * bounds it by group.min/max.session.timeout.ms, 6 s to 30 min by default).
   */
  sessionTimeoutMs: number;
  /** How long the coordinator waits for every member to rejoin during a rebalance. */
  rebalanceTimeoutMs?: number;
}

/**
 * Group membership through a kafkajs consumer that subscribes to the topic but never fetches: every assigned
 * partition is paused at once (a paused consumer still heartbeats: kafkajs' runner heartbeats after each empty
 * fetch). kafkajs (2.2.4) reports each generation's assignment in its GROUP_JOIN event, after the JoinGroup and
 * SyncGroup round; it has no blocking revoke callback, so nothing here waits for the previous owner of a
 * partition: the caller fences per partition (one transactional id per task) instead. The assignor is kafkajs'
 * default round robin over the members sorted by member id.
 */
export class KafkajsGroupMembership implements GroupMembership {
  private consumer: Consumer | undefined;
  private generation = 0;

  constructor(private readonly deps: {kafka: Kafka; logger: KafkaLogger; options: GroupMembershipOptions}) {}

  async join(onAssignment: (assignment: GroupAssignment) => void): Promise<void> {
    const {groupId, topic, sessionTimeoutMs, rebalanceTimeoutMs} = this.deps.options;
    const consumer = this.deps.kafka.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout: rebalanceTimeoutMs ?? 60_000,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({payload}) => {
      // Nothing is consumed: pause before the first fetch of the new generation.
      consumer.pause([{topic}]);
      this.generation += 1;
      const partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      this.deps.logger.info(
        {groupId, generation: this.generation, partitions, leader: payload.isLeader},
        'Joined the fleet group'
      );
      onAssignment({partitions, generation: this.generation});
    });
    consumer.on(consumer.events.CRASH, ({payload}) => {
      this.deps.logger.warn(
        {groupId, err: describeError(payload.error), restart: payload.restart},
        'Fleet group membership crashed'
      );
      // A crash that does not restart leaves the group: this member holds nothing any more.
      if (!payload.restart) onAssignment({partitions: [], generation: ++this.generation});
    });
    try {
      await consumer.connect();
      await consumer.subscribe({topics: [topic], fromBeginning: false});
      await consumer.run({autoCommit: false, eachBatch: async () => undefined});
    } catch (error) {
      throw new CdcError(`joining consumer group ${groupId} failed: ${describeError(error)}`, {
        retriable: kafkajsRetriable(error),
        cause: error,
      });
    }
  }

  async leave(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    // disconnect() stops the runner and sends LeaveGroup.
    await consumer?.disconnect().catch(() => undefined);
  }
}
