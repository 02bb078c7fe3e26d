import {CollectionRegistry} from '../collections';
import type {AppConfig} from '../config';
import type {JsonRecord} from '../events';
import {FencedError} from '../errors';
import {restoreTask, taskOf} from '../fleet';
import type {KafkaConnection} from '../kafka';
import type {Metrics} from '../observability';
import type {PinterestClient} from '../pinterest';
import type {BatchEncoder} from '../serde';
import type {StateStore} from '../state';
import {
  DeleteGuard,
  runCycle,
  type CycleOptions,
  type CycleSummary,
  shardId,
  type AnalyticsShardRunner,
  type BatchSink,
  type RecordSource,
  type SyncHooks,
  type SyncLogger,
  type SyncTopics,
} from '../sync';
import type {PipelineOutputs, TaskSink} from './pipeline-outputs';

/** One task this process holds: a partition of the state topic, its writer and the shards that hash to it. */
interface HeldTask {
  readonly index: number;
  readonly writer: TaskSink;
  readonly deleteGuard: DeleteGuard;
  /** Aborted when the task is revoked or dropped: its running listing stops between pages and commits. */
  readonly stop: AbortController;
  running: Promise<unknown>;
}

export interface TaskSetDeps {
  readonly config: AppConfig;
  readonly kafka: KafkaConnection;
  /** Where the tasks write: each task's sink (live: its transactional writer; a dry run: a decoding sink). */
  readonly outputs: PipelineOutputs;
  /** Whether the state topic exists to be restored from (a dry run of a new prefix has none). */
  readonly stateTopicExists: boolean;
  readonly state: StateStore;
  readonly topics: SyncTopics;
  readonly taskCount: number;
  /** The configured connections, each with its own client (token, rate budget). */
  readonly connections: readonly TaskConnection[];
  /** A connection's analytics unit writing through a task's writer. */
  readonly analyticsFor: (connection: TaskConnection, sink: BatchSink) => AnalyticsShardRunner;
  readonly encoder: BatchEncoder;
  readonly logger: SyncLogger;
  readonly version: string;
  readonly metrics?: Metrics;
  /** Every task's cycles report through these (metrics and progress). */
  readonly hooks?: SyncHooks;
  /** Runs once task 0 is restored (legacy state without a shard is task 0's). */
  readonly onTaskZeroRestored?: (sink: BatchSink) => Promise<void>;
}

export interface TaskConnection {
  readonly name: string;
  readonly client: PinterestClient;
  /** Ad accounts to capture; empty = every ad account the connection's token can see. */
  readonly adAccountIds: readonly string[];
}

/** A cycle over every held task, with the tasks it lost to fencing (dropped; the rest went on). */
export interface TasksCycleSummary extends CycleSummary {
  /**
   * The tasks whose shards the round ran to its end (held when it started, not fenced during it), ascending: a
   * member cycles as soon as its first task is restored, so an early round may leave tasks (and their shards) out.
   */
  readonly tasks: readonly number[];
  readonly fencedTasks: readonly number[];
}

/**
 * The tasks this process holds. Taking a task: a fresh owner identity claims the task's transactional id in the
 * state topic, its InitProducerId fences whoever held it before (aborting that one's open transaction), and
 * only then is the task's partition read; so a stalled previous owner cannot commit after the restore.
 * Dropping one: its listing is stopped (it commits what it diffed, or is fenced), its writer closed, its shards
 * forgotten. A task whose writer is fenced (another instance took it) is dropped the same way.
 */
export class TaskSet {
  private readonly held = new Map<number, HeldTask>();
  private readonly accountsPath = new CollectionRegistry().get('ad_accounts').endpoint.path;
  private changing: Promise<void> = Promise.resolve();
  /** Set by close(): an assignment that arrives later (a rebalance while the service stops) takes nothing. */
  private closed = false;
  /** The newest assignment asked for: a queued restore of a task it no longer holds is skipped. */
  private latest: ReadonlySet<number> = new Set();

  constructor(private readonly deps: TaskSetDeps) {}

  /** The restored tasks, ascending. */
  tasks(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Takes `tasks` (fence, restore) and drops the others; calls are serialised. */
  assign(tasks: readonly number[]): Promise<void> {
    this.latest = new Set(tasks);
    const next = this.changing.then(() => (this.closed ? undefined : this.apply(tasks)));
    this.changing = next.catch(() => undefined);
    return next;
  }

  private async apply(tasks: readonly number[]): Promise<void> {
    const wanted = new Set(tasks.filter((t) => t >= 0 && t < this.deps.taskCount));
    const lost = this.tasks().filter((t) => !wanted.has(t));
    await Promise.all(lost.map((t) => this.drop(t, 'revoked')));
    // notes/pinterest-api.md §7: limits are per user per app; every instance of the fleet spends one connection's
    // budget, each planning for its share of the tasks (README "Scaling").
    if (wanted.size > 0)
      for (const c of this.deps.connections) c.client.setBudgetShare(wanted.size / this.deps.taskCount);
    const gained = [...wanted].filter((t) => !this.held.has(t)).sort((a, b) => a - b);
    // One at a time: each restore reads a partition and the machine may be small; the first task runs sooner. A
    // newer assignment (a rebalance during the restores) that no longer holds a task skips it: restoring it would
    // only fence its new owner.
    for (const task of gained) if (this.latest.has(task) && !this.closed) await this.take(task);
  }

  private async take(index: number): Promise<void> {
    const {config, kafka, outputs, topics, logger} = this.deps;
    const started = Date.now();
    const sink = await outputs.openSink(index);
    try {
      const restored = this.deps.stateTopicExists
        ? await restoreTask({
            reader: kafka.changelogReader(
              outputs.readerGroupPrefix ? {groupIdPrefix: outputs.readerGroupPrefix} : undefined
            ),
            stateTopic: topics.state,
            task: index,
            taskCount: this.deps.taskCount,
            state: this.deps.state,
            writer: sink,
            batchSize: config.kafka.transactionBatchSize,
            logger,
          })
        : {records: 0, moved: 0};
      if (index === 0) await this.deps.onTaskZeroRestored?.(sink);
      this.held.set(index, {
        index,
        writer: sink,
        deleteGuard: new DeleteGuard({maxShare: config.sync.deleteGuardPercent / 100}),
        stop: new AbortController(),
        running: Promise.resolve(),
      });
      logger.info(
        {
          task: index,
          ...(sink.transactionalId ? {transactionalId: sink.transactionalId} : {}),
          ...restored,
          seconds: (Date.now() - started) / 1000,
        },
        'Task taken: state restored from its partition'
      );
    } catch (error) {
      this.forget(index);
      await sink.close().catch(() => undefined);
      throw error;
    }
  }

  private async drop(index: number, why: 'revoked' | 'fenced' | 'closed'): Promise<void> {
    const task = this.held.get(index);
    if (!task) return;
    this.held.delete(index);
    task.stop.abort();
    await task.running.catch(() => undefined);
    await task.writer.close().catch(() => undefined);
    this.forget(index);
    this.deps.logger.info({task: index, why}, 'Task dropped');
  }

  private forget(index: number): void {
    this.deps.state.dropShards((shard) => taskOf(shard, this.deps.taskCount) === index);
  }

  /**
   * One cycle of every held task, side by side; a task's cycle runs only the shards that hash to it. The
   * ad-account list is read once per cycle for all of them (`source` shares it).
   */
  async runCycle(options: Omit<CycleOptions, 'runs'>, signal?: AbortSignal): Promise<TasksCycleSummary> {
    const started = Date.now();
    // One sync id for the round: every task's events of this cycle carry the same one.
    const syncId = new Date(started).toISOString();
    const tasks = [...this.held.values()];
    // Each connection's ad-account list is read once for all the tasks of this round.
    const sources = new Map(
      this.deps.connections.map((c) => [
        c.name,
        sharedListings(
          {pages: (request) => c.client.paginate(request)},
          (path) => path === this.accountsPath
        ),
      ])
    );
    const results = await Promise.all(
      tasks.map(async (task) => {
        const stop = signal ? AbortSignal.any([signal, task.stop.signal]) : task.stop.signal;
        const cycle = runCycle(
          {...options, runs: (shard) => taskOf(shardId(shard), this.deps.taskCount) === task.index},
          {
            connections: this.deps.connections.map((c) => ({
              name: c.name,
              source: sources.get(c.name)!,
              adAccountIds: c.adAccountIds,
              analytics: this.deps.analyticsFor(c, task.writer),
            })),
            newSyncId: () => syncId,
            state: this.deps.state,
            encoder: this.deps.encoder,
            sink: task.writer,
            topics: this.deps.topics,
            maxEventsPerTransaction: this.deps.config.kafka.transactionBatchSize,
            logger: this.deps.logger,
            hooks: this.deps.hooks,
            signal: stop,
            deleteGuard: task.deleteGuard,
          }
        );
        task.running = cycle;
        return {task: task.index, summary: await cycle};
      })
    );
    const fencedTasks: number[] = [];
    for (const {task, summary} of results) {
      if (summary.fatal instanceof FencedError) {
        this.deps.logger.warn(
          {task, err: summary.fatal.message},
          'Task fenced by another instance; dropping it'
        );
        fencedTasks.push(task);
        await this.drop(task, 'fenced');
      }
    }
    const diverged = results.map((r) => r.summary.fatal).find((f) => f && !(f instanceof FencedError));
    return {
      syncId,
      kinds: options.kinds ?? ['entities'],
      listings: results.flatMap((r) => r.summary.listings),
      skipped: results.flatMap((r) => r.summary.skipped),
      failed: results.flatMap((r) => r.summary.failed),
      ...(diverged ? {fatal: diverged} : {}),
      durationSeconds: (Date.now() - started) / 1000,
      tasks: tasks
        .map((t) => t.index)
        .filter((t) => !fencedTasks.includes(t))
        .sort((a, b) => a - b),
      fencedTasks,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.changing;
    await Promise.all(this.tasks().map((t) => this.drop(t, 'closed')));
  }
}

/**
 * A source that reads each listing asked for by several task cycles of one round only once (the ad-account list:
 * every task needs it to find its ad accounts) and replays the pages to each.
 */
export function sharedListings(source: RecordSource, shared: (path: string) => boolean): RecordSource {
  const reads = new Map<string, Promise<JsonRecord[][]>>();
  return {
    pages(request) {
      if (!shared(request.path)) return source.pages(request);
      const key = JSON.stringify(request);
      let read = reads.get(key);
      if (!read) {
        read = collect(source.pages(request));
        reads.set(key, read);
      }
      const pending = read;
      return (async function* () {
        for (const page of await pending) yield page;
      })();
    },
  };
}

async function collect(pages: AsyncIterable<JsonRecord[]>): Promise<JsonRecord[][]> {
  const out: JsonRecord[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}
