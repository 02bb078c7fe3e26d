import type {AppConfig} from '../config';
import {CdcError, FencedError} from '../errors';
import {createKafkaConnection, OwnerIdentity, type GroupMembership} from '../kafka';
import type {Metrics, Readiness, SyncProgress} from '../observability';
import {
  parseShardId,
  StateDivergedError,
  type CycleSummary,
  type ShardScope,
  type SyncLogger,
  type UnitKind,
} from '../sync';
import {kafkaConnectionConfig} from './clients';
import {openPipeline, syncTopics, type Pipeline} from './pipeline';
import type {TasksCycleSummary} from './tasks';
import {announceTokenProtection} from './token-storage';

export interface ServiceDeps {
  readonly config: AppConfig;
  readonly logger: SyncLogger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly version: string;
  /** Aborted on shutdown: the running listing stops between pages, commits what it diffed, and the loop ends. */
  readonly signal: AbortSignal;
  readonly onCycle?: (summary: CycleSummary) => void;
  /** Progress of long syncs, kept across reopens. */
  readonly progress?: SyncProgress;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

/**
 * The long-running service, one member of a fleet: it joins the consumer group `<prefix>.fleet` on the state
 * topic, takes the tasks (partitions) the coordinator assigns it (fencing each one's previous owner, restoring its
 * state), and runs the shards of those tasks; ready while it holds at least one restored task. Then cycles: entity listings every
 * `sync.intervalSeconds`, analytics windows every `analytics.intervalSeconds`; a kind that falls due while a
 * cycle runs starts when that cycle ends. A listing that fails is logged and tried again in its kind's next cycle.
 * When a batch's outcome is unknown (the in-memory state may be ahead of Kafka) the pipeline is reopened, which
 * rebuilds state from the changelog as a restart would; only a fenced producer (another instance took over) ends
 * the service.
 */
export async function runService(deps: ServiceDeps): Promise<void> {
  const {config, logger, metrics, readiness, signal} = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  // One owner for the life of the service: a reopen checks this process's claim on the transactional id rather
  // than claiming it again (which would take it back from a newer instance).
  const owner = new OwnerIdentity();
  const open = async (): Promise<Pipeline> => {
    readiness.block('pipeline', 'opening the pipeline');
    const opened = await openPipeline(config, {
      logger,
      metrics,
      version: deps.version,
      owner,
      tasks: 'none',
      ...(deps.progress ? {progress: deps.progress} : {}),
    });
    for (const [connection, client] of opened.clients) metrics.trackBudget(() => client.budget(), connection);
    metrics.stateTasks.set(opened.taskCount);
    readiness.satisfy('pipeline');
    return opened;
  };
  announceTokenProtection(config, logger);
  readiness.block('tasks', 'waiting for a task from the fleet group');
  // The first start retries what may pass (a broker still electing leaders, a registry still starting); a
  // configuration the cluster refuses (an incompatible schema, bad credentials) fails at once.
  let pipeline: Pipeline = await reopenPipeline(open, signal, sleep, logger, isRetriable);
  const fleet = new FleetMember(config, {logger, metrics, readiness}, () => pipeline);
  await fleet.join();
  let lastFailure: string | undefined;
  const partialAuthorization = () => {
    const problems = metrics.authorizationProblems();
    return problems.length > 0 && problems.length < pipeline.clients.size
      ? problems.map((p) => `connection ${p.connection} cannot authenticate: ${p.problem}`)
      : [];
  };
  readiness.addNotes(() => [
    ...metrics
      .pausedCategories()
      .map(
        (p) => `${p.category} of ${p.connection} paused by a spent daily quota until ${p.until.toISOString()}`
      ),
    ...partialAuthorization(),
    ...(lastFailure ? [`last sync cycle failed: ${lastFailure}`] : []),
  ]);
  const cadence = new Cadence(
    {
      entities: config.sync.intervalSeconds * 1000,
      ...(config.analytics.collections.length > 0
        ? {analytics: config.analytics.intervalSeconds * 1000}
        : {}),
    },
    now()
  );
  try {
    while (!signal.aborted) {
      const started = now();
      const kinds = cadence.due(started);
      if (kinds.length === 0 || pipeline.tasks().length === 0) {
        if (kinds.length > 0) {
          // No task yet (a rebalance is restoring them, or the fleet has more instances than tasks).
          await sleep(500, signal);
          continue;
        }
        await sleep(Math.max(0, cadence.next() - started), signal);
        // Never a busy loop, even with a sleep that returns early: let timers and I/O run before looking again.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      let summary: TasksCycleSummary;
      try {
        summary = await pipeline.runCycle({signal, kinds});
      } catch (error) {
        // runCycle records listing failures in its summary; anything thrown here is unexpected.
        lastFailure = error instanceof Error ? error.message : String(error);
        logger.error({err: lastFailure}, 'Sync cycle failed; retrying at the next interval');
        cadence.ran(kinds, started);
        continue;
      }
      // Not ready only while no connection can authenticate: the others' work goes on (and says so in notes).
      const authorization = metrics.authorizationProblem();
      const refused = metrics.authorizationProblems().length;
      if (authorization && refused >= pipeline.clients.size) readiness.block('pinterest', authorization);
      else readiness.satisfy('pinterest');
      if (summary.fencedTasks.length > 0) fleet.fenced(summary.fencedTasks);
      if (summary.fatal instanceof StateDivergedError) {
        // A batch's outcome is unknown (e.g. the broker died during a commit): the in-memory state may be ahead
        // of Kafka. Rebuild it from the changelog, as a restart would, and go on (nothing lost, nothing doubled).
        logger.warn(
          {err: summary.fatal.message},
          'State may be ahead of Kafka; rebuilding it from the changelog'
        );
        await pipeline.close();
        pipeline = await reopenPipeline(open, signal, sleep, logger);
        await fleet.reassign();
        continue;
      }
      if (signal.aborted) break;
      cadence.ran(kinds, started);
      for (const kind of kinds) metrics.cycleDuration.observe({kind}, (now() - started) / 1000);
      for (const listing of summary.listings) {
        if (listing.outcome === 'complete')
          metrics.lastSuccessfulCycleTimestamp.set({collection: listing.collection}, now() / 1000);
      }
      setTrackedEntities(pipeline, metrics);
      setAssignedShards(pipeline, metrics);
      lastFailure = summary.failed[0]
        ? `${summary.failed.length} listing(s) failed, e.g. ${summary.failed[0].collection} (${summary.failed[0].shard}): ${summary.failed[0].message}`
        : undefined;
      const fields = {
        syncId: summary.syncId,
        kinds,
        seconds: summary.durationSeconds,
        skipped: summary.skipped.length,
        failed: summary.failed.length,
        // Which tasks' shards the cycle ran: fewer than taskCount while tasks are still being restored.
        tasks: summary.tasks,
        taskCount: pipeline.taskCount,
      };
      // While Pinterest refuses the credentials every listing fails alike: the token manager said so once, with
      // what to do; the service stays up (not ready) until a token works.
      if (lastFailure && authorization)
        logger.debug({...fields, err: lastFailure}, 'Sync cycle blocked by Pinterest credentials');
      else if (lastFailure)
        logger.error(
          {...fields, err: lastFailure},
          'Sync cycle finished with failures; they are retried next cycle'
        );
      else logger.info(fields, 'Sync cycle finished');
      deps.onCycle?.(summary);
    }
  } finally {
    readiness.block('pipeline', 'stopped');
    // Tasks first (each running listing commits what it diffed), then leave: the next owners take them at once.
    await pipeline.close();
    await fleet.leave();
  }
}

/**
 * This instance in the fleet group: each assignment goes to the pipeline (which fences and restores gained tasks
 * and drops lost ones), in order; readiness and the fleet gauges follow what is held. Correctness does not rest
 * on seeing a revocation in time: a task's new owner fences the old one's transactional id before it reads.
 */
class FleetMember {
  private readonly membership: GroupMembership;
  private readonly closeConnection: () => Promise<void>;
  private assigned: readonly number[] = [];
  private generation = 0;
  private applying: Promise<void> = Promise.resolve();

  constructor(
    config: AppConfig,
    private readonly deps: {logger: SyncLogger; metrics: Metrics; readiness: Readiness},
    private readonly pipeline: () => Pipeline
  ) {
    const kafka = createKafkaConnection(kafkaConnectionConfig(config), {logger: deps.logger});
    this.membership = kafka.groupMembership({
      groupId: fleetGroupId(config.kafka.topicPrefix),
      topic: syncTopics(config.kafka.topicPrefix).state,
      sessionTimeoutMs: config.fleet.sessionTimeoutSeconds * 1000,
    });
    this.closeConnection = () => kafka.close();
  }

  join(): Promise<void> {
    return this.membership.join(({partitions, generation}) => {
      this.deps.metrics.rebalances.inc();
      this.assigned = partitions;
      this.generation = generation;
      this.deps.readiness.block('tasks', `taking ${partitions.length} task(s) after a rebalance`);
      void this.reassign();
    });
  }

  /** Applies the latest assignment to the (maybe reopened) pipeline; a failure is retried while it is current. */
  reassign(): Promise<void> {
    const generation = this.generation;
    const tasks = this.assigned;
    this.applying = this.applying.then(async () => {
      if (generation !== this.generation) return; // a newer assignment follows
      const pipeline = this.pipeline();
      try {
        await pipeline.assign(tasks);
      } catch (error) {
        this.deps.logger.warn(
          {tasks, err: error instanceof Error ? error.message : String(error)},
          'Taking the assigned tasks failed; retrying'
        );
        setTimeout(() => void (generation === this.generation && this.reassign()), 2000).unref();
      }
      this.publish(pipeline);
    });
    return this.applying;
  }

  /**
   * Tasks another process fenced: dropped already. A task the coordinator still assigns here was taken by a
   * process outside the group (a one-off `sync`): take it back after a pause, under the same assignment, or it
   * would stay without an owner until the next rebalance. A task assigned elsewhere already is the hand-over
   * (its new owner fenced this one): nothing to do. Neither case rejoins the group: a rejoin starts a rebalance of
   * the whole fleet, and while instances were still joining that kept the fleet from settling (docs/notes.md).
   */
  fenced(tasks: readonly number[]): void {
    this.deps.metrics.fencedTasks.inc(tasks.length);
    this.publish(this.pipeline());
    if (!tasks.some((task) => this.assigned.includes(task))) return;
    const generation = this.generation;
    setTimeout(() => void (generation === this.generation && this.reassign()), FENCED_RETAKE_MS).unref();
  }

  /**
   * Leaves the group, within LEAVE_DEADLINE_MS: seen hanging when the last two members stopped together (kafkajs'
   * disconnect waiting on the rebalance the other's LeaveGroup started); the session timeout frees the tasks then.
   */
  async leave(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, LEAVE_DEADLINE_MS)));
    await Promise.race([
      (async () => {
        await this.applying;
        await this.membership.leave();
        await this.closeConnection();
      })(),
      deadline,
    ]).finally(() => clearTimeout(timer));
  }

  private publish(pipeline: Pipeline): void {
    const held = pipeline.tasks();
    this.deps.metrics.assignedTasks.set(held.length);
    setAssignedShards(pipeline, this.deps.metrics);
    if (held.length > 0) this.deps.readiness.satisfy('tasks');
    else this.deps.readiness.block('tasks', 'holds no task (more instances than tasks, or a rebalance)');
  }
}

const LEAVE_DEADLINE_MS = 10_000;
const FENCED_RETAKE_MS = 2_000;

/** The consumer group of a fleet: named by the topic prefix, like the topics it shares. */
export function fleetGroupId(topicPrefix: string): string {
  return `${topicPrefix}.fleet`;
}

function setAssignedShards(pipeline: Pipeline, metrics: Metrics): void {
  const shards = new Set<string>();
  for (const shard of pipeline.state.all()) shards.add(shard.shard);
  for (const shard of pipeline.state.analyticsAll()) shards.add(shard.shard);
  const counts: Record<ShardScope, number> = {ad_account: 0, user: 0, ad_accounts: 0};
  for (const shard of shards) counts[parseShardId(shard).scope] += 1;
  for (const [scope, count] of Object.entries(counts)) metrics.assignedShards.set({scope}, count);
}

/** When each kind of work is next due, from its interval and the start of its last cycle. */
export class Cadence {
  private readonly nextDue = new Map<UnitKind, number>();

  constructor(
    private readonly intervalsMs: Partial<Record<UnitKind, number>>,
    startMs: number
  ) {
    for (const kind of Object.keys(intervalsMs) as UnitKind[]) this.nextDue.set(kind, startMs);
  }

  due(nowMs: number): UnitKind[] {
    return [...this.nextDue].filter(([, at]) => at <= nowMs).map(([kind]) => kind);
  }

  ran(kinds: readonly UnitKind[], startedMs: number): void {
    for (const kind of kinds) this.nextDue.set(kind, startedMs + (this.intervalsMs[kind] ?? 0));
  }

  next(): number {
    return Math.min(...this.nextDue.values());
  }
}

/**
 * Opens the pipeline again, retrying while Kafka or the registry is unreachable (e.g. a broker restarting); not
 * when another instance has taken the transactional id over (FencedError).
 */
export async function reopenPipeline(
  open: () => Promise<Pipeline>,
  signal: AbortSignal,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
  logger: SyncLogger,
  retryIf: (error: unknown) => boolean = () => true
): Promise<Pipeline> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      // Another instance took the transactional id while this one was reopening: stop, as a fenced writer does.
      if (signal.aborted || error instanceof FencedError || !retryIf(error)) throw error;
      const delayMs = Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));
      logger.warn(
        {attempt, delayMs, err: error instanceof Error ? error.message : String(error)},
        'Reopening the pipeline failed; retrying'
      );
      await sleep(delayMs, signal);
    }
  }
}

function setTrackedEntities(pipeline: Pipeline, metrics: Metrics): void {
  const totals = new Map<string, number>();
  for (const shard of pipeline.state.all())
    totals.set(shard.collection, (totals.get(shard.collection) ?? 0) + shard.size);
  for (const [collection, count] of totals) metrics.trackedEntities.set({collection}, count);
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, {once: true});
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

function isRetriable(error: unknown): boolean {
  return error instanceof CdcError && error.retriable;
}
