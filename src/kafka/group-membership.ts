import {
  AssignerProtocol,
  PartitionAssigners,
  type Consumer,
  type Kafka,
  type PartitionAssigner,
} from 'kafkajs';

import {CdcError} from '../errors';
import {restartsWhile} from './consumer-retry';
import {describeError, kafkajsRetriable} from './kafka-errors';
import {decodeClaim, encodeClaim, planStickyAssignment} from './sticky-assignment';
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
 * partition: the caller fences per partition (one transactional id per task) instead. The assignor is sticky
 * (src/kafka/sticky-assignment.ts): each member sends the partitions it holds and their generation, and the leader
 * keeps them where balance allows; kafkajs' round robin stays second in the list, so a group with members of an
 * older version agrees on it during a rolling upgrade.
 */
export class KafkajsGroupMembership implements GroupMembership {
  private consumer: Consumer | undefined;
  private generation = 0;
  /** The partitions of the last assignment and its group generation: this member's claim at the next join. */
  private owned: readonly number[] = [];
  private ownedGeneration = -1;
  /** Set by leave(): from then on no crash restarts the consumer and no rejoin is scheduled. */
  private leaving = false;
  private rejoinTimer: NodeJS.Timeout | undefined;
  /** While kafkajs restarts the consumer after a crash: resolves when that restart joined or crashed. */
  private restarting: {ended: Promise<void>; end: () => void} | undefined;

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
      partitionAssigners: [this.stickyAssigner(), PartitionAssigners.roundRobin],
      // Once leaving, a crash ends the consumer (seen after a whole-cluster restart: a zombie member rejoining the
      // group every few seconds kept the stopped process alive).
      retry: restartsWhile(() => !this.leaving),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({payload}) => {
      // Nothing is consumed: pause before the first fetch of the new generation.
      consumer.pause([{topic}]);
      this.restartEnded();
      if (this.leaving) return; // a restart that joined while this member leaves: nothing to take
      this.generation += 1;
      const partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      this.owned = partitions;
      this.ownedGeneration = -1;
      this.deps.logger.info(
        {groupId, generation: this.generation, partitions, leader: payload.isLeader},
        'Joined the fleet group'
      );
      onAssignment({partitions, generation: this.generation});
    });
    // GROUP_JOIN does not carry the group generation; the first heartbeat after it does.
    consumer.on(consumer.events.HEARTBEAT, ({payload}) => {
      if (this.ownedGeneration < 0) this.ownedGeneration = payload.groupGenerationId;
    });
    consumer.on(consumer.events.CRASH, ({payload}) => {
      this.deps.logger.warn(
        {groupId, err: describeError(payload.error), restart: payload.restart},
        'Fleet group membership crashed'
      );
      this.restartEnded();
      if (payload.restart) {
        let end = () => {};
        const ended = new Promise<void>((resolve) => (end = resolve));
        this.restarting = {ended, end};
      }
      if (payload.restart || this.leaving) return;
      // A crash that does not restart left the group: this member holds nothing now, and joins again with a new
      // consumer (its claim kept, so the sticky assignor can give its tasks back).
      onAssignment({partitions: [], generation: ++this.generation});
      this.scheduleRejoin(onAssignment);
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

  private scheduleRejoin(onAssignment: (assignment: GroupAssignment) => void): void {
    clearTimeout(this.rejoinTimer);
    this.rejoinTimer = setTimeout(() => {
      if (this.leaving) return;
      this.join(onAssignment).catch((error: unknown) => {
        this.deps.logger.warn(
          {groupId: this.deps.options.groupId, err: describeError(error)},
          'Joining the fleet group again failed; retrying'
        );
        this.scheduleRejoin(onAssignment);
      });
    }, REJOIN_DELAY_MS);
  }

  /** kafkajs' assigner interface over planStickyAssignment; runs on the member the coordinator made leader. */
  private stickyAssigner(): PartitionAssigner {
    return ({cluster}) => ({
      name: STICKY_ASSIGNER,
      version: 1,
      assign: async ({members, topics}) => {
        const claims = members.map(({memberId, memberMetadata}) =>
          decodeClaim(memberId, AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData)
        );
        const perMember = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]));
        for (const topic of topics) {
          const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
          const ofTopic = topic === this.deps.options.topic ? claims : claims.map((c) => ({...c, owned: []}));
          for (const [memberId, assigned] of planStickyAssignment(ofTopic, partitions))
            perMember.get(memberId)![topic] = assigned;
        }
        this.deps.logger.info(
          {
            groupId: this.deps.options.groupId,
            members: claims.map((c) => ({owned: c.owned, generation: c.generation})),
            assigned: [...perMember.values()].map((a) => a[this.deps.options.topic] ?? []),
          },
          'Planned the fleet group assignment (sticky)'
        );
        return [...perMember].map(([memberId, assignment]) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment,
            userData: Buffer.alloc(0),
          }),
        }));
      },
      protocol: ({topics}) => ({
        name: STICKY_ASSIGNER,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: encodeClaim({owned: this.owned, generation: this.ownedGeneration}),
        }),
      }),
    });
  }

  async leave(): Promise<void> {
    this.leaving = true;
    clearTimeout(this.rejoinTimer);
    const consumer = this.consumer;
    this.consumer = undefined;
    const restart = this.restarting;
    if (consumer && restart) {
      // kafkajs is restarting the consumer (it rejoins after a crash). A disconnect now would race that join: the
      // join goes on after it, opens a coordinator connection the closed client no longer tracks, and that socket
      // kept the stopped process alive (seen after a whole-cluster restart). Let the restart end first: it joins,
      // or crashes and, since this member is leaving, stays down.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([restart.ended, new Promise((r) => (timer = setTimeout(r, RESTART_END_WAIT_MS)))]);
      clearTimeout(timer);
    }
    // disconnect() stops the runner and sends LeaveGroup.
    await consumer?.disconnect().catch(() => undefined);
  }

  private restartEnded(): void {
    this.restarting?.end();
    this.restarting = undefined;
  }
}

const STICKY_ASSIGNER = 'PinterestCdcSticky';
const REJOIN_DELAY_MS = 5_000;
const RESTART_END_WAIT_MS = 8_000;
