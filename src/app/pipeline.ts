import {CollectionRegistry, topicOf} from '../collections';
import {configuredCollections, type AppConfig} from '../config';
import {connectionsOf} from '../config/connections';
import {
  createKafkaConnection,
  OwnerIdentity,
  transactionalIdFor,
  type KafkaConnection,
  type TopicSpec,
  type WriterHooks,
} from '../kafka';
import type {Metrics} from '../observability';
import {PinterestClient} from '../pinterest';
import {
  createRegistryClient,
  EventSerializer,
  InlineBatchEncoder,
  SchemaCatalog,
  SchemaRegistrar,
  verifyRegistryAccess,
  type BatchEncoder,
  type RegistryHooks,
} from '../serde';
import {ownerClaimKey, StateStore} from '../state';
import {
  DEAD_LETTER_REASONS,
  DEFAULT_CONNECTION,
  type SyncHooks,
  type SyncLogger,
  type SyncTopics,
  type UnitKind,
} from '../sync';
import {analyticsUnit, setAnalyticsGauges} from './analytics-unit';
import {kafkaConnectionConfig, pinterestClientConfig} from './clients';
import {TaskSet, type TasksCycleSummary} from './tasks';
import {openTokenStore, settleStoredTokens, tokenCodec, tokenTopicSpec} from './token-storage';

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
}

/**
 * A started pipeline: topics ensured, schemas registered; per held task, producer fenced and state restored.
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

export function syncTopics(prefix: string): SyncTopics {
  return {
    events: (collection) => topicOf(prefix, {name: collection}),
    state: `${prefix}.state`,
    deadLetters: `${prefix}.dlq`,
  };
}

/** The topics a pipeline of this configuration writes, as it creates them when missing. */
export function pipelineTopics(config: AppConfig): TopicSpec[] {
  const topics = syncTopics(config.kafka.topicPrefix);
  const spec = (name: string, cleanupPolicy: TopicSpec['cleanupPolicy']): TopicSpec => ({
    name,
    partitions: config.kafka.partitions,
    replicationFactor: config.kafka.replicationFactor,
    cleanupPolicy,
  });
  return [
    ...configuredCollections(config).map((name) => spec(topics.events(name), config.kafka.cleanupPolicy)),
    // The changelog must be compacted whatever the event topics use: it is the state. Its partitions are the
    // fleet's tasks (README "Scaling").
    {...spec(topics.state, 'compact'), partitions: config.fleet.tasks || config.kafka.partitions},
    spec(topics.deadLetters, 'delete'),
    ...(config.pinterest.tokenStore === 'kafka' ? [tokenTopicSpec(config)] : []),
  ];
}

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
  const registry = new CollectionRegistry();
  const collections = configuredCollections(config).map((name) => registry.get(name));

  const kafka: KafkaConnection = createKafkaConnection(kafkaConnectionConfig(config), {logger});
  const closeables: (() => Promise<void>)[] = [() => kafka.close()];
  const closeAll = async () => {
    await Promise.allSettled(closeables.map((close) => close()));
  };
  try {
    // Refused credentials or certificates fail here, naming the setting, before anything is created.
    await kafka.verifyAccess();
    await verifyRegistryAccess(config.schemaRegistry);
    const admin = kafka.topicAdmin();
    const report = await admin.ensureTopics(pipelineTopics(config));
    await admin.close();
    if (report.mismatches.length > 0)
      logger.warn(
        {mismatches: report.mismatches},
        'Existing topics differ from the configuration (left as they are)'
      );

    const catalog = new SchemaCatalog({collections});
    const schemaRegistry = createRegistryClient({
      url: config.schemaRegistry.url,
      username: config.schemaRegistry.username,
      password: config.schemaRegistry.password,
    });
    const ids = await new SchemaRegistrar(schemaRegistry, catalog, prefix, {
      url: config.schemaRegistry.url,
      hooks: metrics ? registryHooks(metrics) : undefined,
    }).registerAll();
    const encoder: BatchEncoder = new InlineBatchEncoder(new EventSerializer(catalog, ids));
    closeables.push(() => encoder.close());

    // Fence a single-process instance of an older version (it used the id without `-task-<n>`), so it cannot
    // write beside the tasks during a rolling upgrade (docs/notes.md "Fleet").
    const legacyId = transactionalIdFor({prefix, shard: config.sync.instanceId});
    const legacy = kafka.transactionalWriter({
      transactionalId: legacyId,
      ownership: kafka.stateTopicOwnership({
        topic: topics.state,
        claimKey: ownerClaimKey(legacyId),
        transactionalId: legacyId,
        owner: deps.owner ?? new OwnerIdentity(),
      }),
    });
    await legacy.init();
    await legacy.close();

    const stateAdmin = kafka.topicAdmin();
    const taskCount = await stateAdmin.partitionCount(topics.state);
    await stateAdmin.close();

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
    const hooks = metrics ? syncHooks(metrics) : undefined;
    const tasks = new TaskSet({
      config,
      kafka,
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
      writerHooks: metrics ? writerHooks(metrics) : undefined,
      // Legacy clear-token records belong to no shard: task 0 holds them.
      onTaskZeroRestored: async (writer) => {
        for (const connection of connections) {
          const {exposedRefreshToken} = await settleStoredTokens({
            store: connection.tokenStore,
            codec: tokenCodec(config),
            state,
            stateWriter: writer,
            stateTopic: topics.state,
            logger: connection.logger,
            movesLegacyToken: connection.name === DEFAULT_CONNECTION,
          });
          if (exposedRefreshToken !== undefined) connection.client.retireRefreshToken(exposedRefreshToken);
        }
      },
    });
    closeables.unshift(() => tasks.close());
    if ((deps.tasks ?? 'all') === 'all') await tasks.assign(Array.from({length: taskCount}, (_, t) => t));
    logger.info({tasks: tasks.tasks(), taskCount, shards: state.all().length}, 'Pipeline open');
    if (metrics) {
      setAnalyticsGauges(metrics, state, config, Date.now());
      metrics.initialiseCollections({
        collections: collections.map((c) => c.name),
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
