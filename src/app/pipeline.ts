import {configuredCollections, type AppConfig} from '../config';
import {connectionsOf} from '../config/connections';
import {createKafkaConnection, OwnerIdentity, type KafkaConnection, type WriterHooks} from '../kafka';
import type {Metrics, SyncProgress} from '../observability';
import {PinterestClient} from '../pinterest';
import {
  EventSerializer,
  InlineBatchEncoder,
  verifyRegistryAccess,
  type BatchEncoder,
  type RegistryHooks,
} from '../serde';
import {StateStore} from '../state';
import {
  combineHooks,
  DEAD_LETTER_REASONS,
  DEFAULT_CONNECTION,
  type SyncHooks,
  type SyncLogger,
  type SyncTopics,
  type UnitKind,
} from '../sync';
import {analyticsUnit, setAnalyticsGauges} from './analytics-unit';
import {kafkaConnectionConfig, pinterestClientConfig} from './clients';
import {liveOutputs, type OutputsFactory} from './pipeline-outputs';
import {configuredCatalog} from './schema-subjects';
import {TaskSet, type TasksCycleSummary} from './tasks';
import {configuredTaskCount, syncTopics} from './topics';
import {openTokenStore} from './token-storage';

export interface PipelineDeps {
  readonly logger: SyncLogger;
  readonly metrics?: Metrics;
  readonly version: string;
  /**
   * This process as the owner of its transactional id. The service keeps one across reopens (a reopen checks
   * its claim instead of claiming again); default: a new one (the pipeline claims the id at open).
   */
  readonly owner?: OwnerIdentity;
  /**
   * The tasks taken at open: 'all' (default: one process runs everything, fencing any other holder) or 'none'
   * (a fleet member: its group assignment calls `assign`).
   */
  readonly tasks?: 'all' | 'none';
  /** Where the pipeline writes (default liveOutputs; `sync --dry-run` passes dryRunOutputs). */
  readonly outputs?: OutputsFactory;
  /** Progress of long syncs (pages, records, estimates), fed by the sync hooks of every task's cycles. */
  readonly progress?: SyncProgress;
}

/**
 * A started pipeline: topics ensured, schemas registered; per held task, producer fenced and state restored (or,
 * in a dry run, the same read without any of the writes).
 */
export interface Pipeline {
  /** The state of every held task's shards. */
  readonly state: StateStore;
  /** One client per configured connection, by name: each with its own token and rate budget. */
  readonly clients: ReadonlyMap<string, PinterestClient>;
  readonly topics: SyncTopics;
  /** Partitions of the state topic = tasks. */
  readonly taskCount: number;
  /** The tasks held and restored now. */
  tasks(): number[];
  /** Takes these tasks (fencing their previous owners, restoring them) and drops the others. */
  assign(tasks: readonly number[]): Promise<void>;
  /**
   * One cycle of the given kinds (default: entities) over the held tasks; a `fatal` summary (a diverged state)
   * must rebuild the pipeline. Fenced tasks are dropped and listed in `fencedTasks`.
   */
  runCycle(options?: {signal?: AbortSignal; kinds?: readonly UnitKind[]}): Promise<TasksCycleSummary>;
  close(): Promise<void>;
}

export {pipelineTopics, syncTopics} from './topics';

/**
 * Builds the whole pipeline from the configuration, in the order exactly-once needs: ensure topics, register
 * schemas (an incompatible local change fails here, before anything is written), fence any older producer of
 * this instance (which aborts its open transaction), and only then restore state from the changelog, so no
 * zombie can commit after the read.
 */
export async function openPipeline(config: AppConfig, deps: PipelineDeps): Promise<Pipeline> {
  const {logger, metrics} = deps;
  const prefix = config.kafka.topicPrefix;
  const topics = syncTopics(prefix);

  const kafka: KafkaConnection = createKafkaConnection(kafkaConnectionConfig(config), {logger});
  const closeables: (() => Promise<void>)[] = [() => kafka.close()];
  const closeAll = async () => {
    await Promise.allSettled(closeables.map((close) => close()));
  };
  try {
    // Refused credentials or certificates fail here, naming the setting, before anything is created.
    await kafka.verifyAccess();
    await verifyRegistryAccess(config.schemaRegistry);
    const catalog = configuredCatalog(config);
    const outputs = (deps.outputs ?? liveOutputs)({
      config,
      kafka,
      catalog,
      topics,
      logger,
      owner: deps.owner ?? new OwnerIdentity(),
      registryHooks: metrics ? registryHooks(metrics) : undefined,
      writerHooks: metrics ? writerHooks(metrics) : undefined,
    });
    const {stateTopicExists} = await outputs.prepareTopics();
    const ids = await outputs.schemaIds();
    const encoder: BatchEncoder = new InlineBatchEncoder(new EventSerializer(catalog, ids));
    closeables.push(() => encoder.close());
    await outputs.fenceSingleProcessWriter();

    // Partitions of the state topic = tasks; a dry run of a new prefix counts those a real run would create.
    let taskCount = configuredTaskCount(config);
    if (stateTopicExists) {
      const stateAdmin = kafka.topicAdmin();
      try {
        taskCount = await stateAdmin.partitionCount(topics.state);
      } finally {
        await stateAdmin.close();
      }
    }

    const state = new StateStore();
    // Per connection: its own token store record and client (token manager, rate budget).
    const clients = new Map<string, PinterestClient>();
    const connections = connectionsOf(config).map((connection) => {
      const connectionLogger = withFields(logger, {connection: connection.name});
      const tokenStore = openTokenStore(config, kafka, connection.name);
      const client = new PinterestClient({
        config: pinterestClientConfig(config, connection),
        tokenStore,
        logger: connectionLogger,
        hooks: metrics?.pinterestHooks(connection.name),
      });
      clients.set(connection.name, client);
      return {...connection, client, tokenStore, logger: connectionLogger};
    });
    const hooks = combineHooks(metrics ? syncHooks(metrics) : undefined, deps.progress?.hooks());
    const tasks = new TaskSet({
      config,
      kafka,
      outputs,
      stateTopicExists,
      state,
      topics,
      taskCount,
      connections: connections.map((c) => ({name: c.name, client: c.client, adAccountIds: c.adAccountIds})),
      analyticsFor: (connection, sink) =>
        analyticsUnit({
          config,
          connection: connection.name,
          client: connection.client,
          state,
          metrics,
          hooks,
          encoder,
          sink,
          topics,
          maxEventsPerTransaction: config.kafka.transactionBatchSize,
          logger: withFields(logger, {connection: connection.name}),
          version: deps.version,
        }),
      encoder,
      logger,
      version: deps.version,
      hooks,
      // Legacy clear-token records belong to no shard: task 0 holds them.
      onTaskZeroRestored: async (sink) => {
        for (const connection of connections) {
          const {exposedRefreshToken} = await outputs.settleTokens(connection.tokenStore, state, sink, {
            logger: connection.logger,
            movesLegacyToken: connection.name === DEFAULT_CONNECTION,
          });
          if (exposedRefreshToken !== undefined) connection.client.retireRefreshToken(exposedRefreshToken);
        }
      },
    });
    closeables.unshift(() => tasks.close());
    if ((deps.tasks ?? 'all') === 'all') {
      await tasks.assign(Array.from({length: taskCount}, (_, t) => t));
      logger.info(
        {tasks: tasks.tasks(), taskCount, shards: state.all().length},
        'State restored from the changelog'
      );
    } else logger.info({taskCount}, 'Pipeline open: tasks come from the fleet group');
    if (metrics) {
      setAnalyticsGauges(metrics, state, config, Date.now());
      metrics.initialiseCollections({
        collections: configuredCollections(config),
        deadLetterReasons: DEAD_LETTER_REASONS,
        guardedCollections: config.sync.collections,
      });
    }
    return {
      state,
      clients,
      topics,
      taskCount,
      tasks: () => tasks.tasks(),
      assign: (held) => tasks.assign(held),
      runCycle: (options) =>
        tasks.runCycle(
          {
            collections: config.sync.collections,
            adAccountIds: config.sync.adAccountIds,
            keepImages: config.sync.keepImages,
            connectorName: config.sync.connectorName ?? prefix,
            version: deps.version,
            kinds: options?.kinds,
          },
          options?.signal
        ),
      close: () => closeAll(),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** A logger that adds `fields` to every line (the connection a client or unit works for). */
function withFields(logger: SyncLogger, fields: Record<string, unknown>): SyncLogger {
  return {
    debug: (f, m) => logger.debug({...fields, ...f}, m),
    info: (f, m) => logger.info({...fields, ...f}, m),
    warn: (f, m) => logger.warn({...fields, ...f}, m),
    error: (f, m) => logger.error({...fields, ...f}, m),
  };
}

function syncHooks(metrics: Metrics): SyncHooks {
  return {
    onRecordsFetched: (collection, count) => metrics.recordsFetched.inc({collection}, count),
    onEventsCommitted: (collection, op, count) => metrics.changeEvents.inc({collection, op}, count),
    onDeadLetter: (collection, reason) => metrics.deadLetters.inc({collection, reason}),
    onEncodeError: (collection) => metrics.avroEncodeErrors.inc({collection}),
    onListingDone: (collection, seconds) => metrics.snapshotDuration.observe({collection}, seconds),
    onDeletesHeld: (collection, count) => metrics.deletesHeld.inc({collection}, count),
  };
}

function registryHooks(metrics: Metrics): RegistryHooks {
  return {
    onRequest: (e) => metrics.schemaRegistryRequests.inc({operation: e.operation, outcome: e.outcome}),
  };
}

function writerHooks(metrics: Metrics): WriterHooks {
  return {
    onTopicCommitted: (e) => {
      metrics.kafkaMessagesProduced.inc({topic: e.topic}, e.messages);
      metrics.kafkaProducedBytes.inc({topic: e.topic}, e.bytes);
      metrics.kafkaProduceDuration.observe({topic: e.topic}, e.durationSeconds);
    },
    onProduceError: (e) => metrics.kafkaProduceErrors.inc({topic: e.topic, retriable: String(e.retriable)}),
    onTransaction: (e) => {
      metrics.stateCheckpoints.inc({outcome: e.outcome});
      if (e.outcome === 'committed') metrics.lastCheckpointTimestamp.setToCurrentTime();
    },
  };
}
