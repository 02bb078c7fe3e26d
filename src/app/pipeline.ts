import {CollectionRegistry, topicOf} from '../collections';
import {configuredCollections, type AppConfig} from '../config';
import {connectionsOf} from '../config/connections';
import {
  createKafkaConnection,
  OwnerIdentity,
  type KafkaConnection,
  type TopicSpec,
  type TransactionalWriter,
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
import {applyChangelogRecord, ownerClaimKey, StateStore} from '../state';
import {
  DEAD_LETTER_REASONS,
  DeleteGuard,
  DEFAULT_CONNECTION,
  runCycle,
  type CycleConnection,
  type CycleSummary,
  type Shard,
  type SyncHooks,
  type SyncLogger,
  type SyncTopics,
  type UnitKind,
} from '../sync';
import {analyticsUnit, setAnalyticsGauges} from './analytics-unit';
import {kafkaConnectionConfig, pinterestClientConfig} from './clients';
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
}

/** A started pipeline: topics ensured, schemas registered, producer fenced, state restored. */
export interface Pipeline {
  readonly state: StateStore;
  /** One client per configured connection, by name: each with its own token and rate budget. */
  readonly clients: ReadonlyMap<string, PinterestClient>;
  readonly topics: SyncTopics;
  /**
   * One cycle of the given kinds (default: entities) over the shards `runs` accepts (default: all); a `fatal`
   * summary must stop or rebuild the pipeline.
   */
  runCycle(options?: {
    signal?: AbortSignal;
    kinds?: readonly UnitKind[];
    runs?: (shard: Shard) => boolean;
  }): Promise<CycleSummary>;
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
    // The changelog must be compacted whatever the event topics use: it is the state.
    spec(topics.state, 'compact'),
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

    const owner = deps.owner ?? new OwnerIdentity();
    const writers = kafka.shardWriters({
      prefix,
      writer: {
        hooks: metrics ? writerHooks(metrics) : undefined,
        transactionTimeoutMs: config.kafka.transactionTimeoutSeconds * 1000,
      },
      // Claims in the state topic tell a transaction the broker aborted on timeout (go on) from a newer
      // instance's fencing (stop): Kafka answers both with INVALID_PRODUCER_EPOCH (docs/notes.md).
      ownershipFor: (transactionalId) =>
        kafka.stateTopicOwnership({
          topic: topics.state,
          claimKey: ownerClaimKey(transactionalId),
          transactionalId,
          owner,
        }),
    });
    // One transactional id per instance: fencing it at start aborts whatever a crashed predecessor left open,
    // which would otherwise hold back the changelog's last stable offset (docs/notes.md).
    const writer: TransactionalWriter = writers.forShard(config.sync.instanceId);
    await writer.init();

    const state = new StateStore();
    let restored = 0;
    for await (const record of kafka.changelogReader().readToEnd(topics.state)) {
      applyChangelogRecord(state, record.key, record.value);
      restored += 1;
    }
    logger.info({records: restored, shards: state.all().length}, 'State restored from the changelog');

    // Per connection: its own token store record, client (token manager, rate budget) and analytics unit.
    const hooks = metrics ? syncHooks(metrics) : undefined;
    const clients = new Map<string, PinterestClient>();
    const connections: CycleConnection[] = [];
    for (const connection of connectionsOf(config)) {
      const connectionLogger = withFields(logger, {connection: connection.name});
      const tokenStore = openTokenStore(config, kafka, connection.name);
      const {exposedRefreshToken} = await settleStoredTokens({
        store: tokenStore,
        codec: tokenCodec(config),
        state,
        stateWriter: writer,
        stateTopic: topics.state,
        logger: connectionLogger,
        movesLegacyToken: connection.name === DEFAULT_CONNECTION,
      });
      const client = new PinterestClient({
        config: pinterestClientConfig(config, connection),
        tokenStore,
        logger: connectionLogger,
        hooks: metrics?.pinterestHooks(connection.name),
      });
      if (exposedRefreshToken !== undefined) client.retireRefreshToken(exposedRefreshToken);
      clients.set(connection.name, client);
      connections.push({
        name: connection.name,
        source: {pages: (request) => client.paginate(request)},
        adAccountIds: connection.adAccountIds,
        analytics: analyticsUnit({
          config,
          connection: connection.name,
          client,
          state,
          metrics,
          hooks,
          encoder,
          sink: writer,
          topics,
          maxEventsPerTransaction: config.kafka.transactionBatchSize,
          logger: connectionLogger,
          version: deps.version,
        }),
      });
    }

    // Kept for the pipeline's life: a held delete is released when the next listing agrees.
    const deleteGuard = new DeleteGuard({maxShare: config.sync.deleteGuardPercent / 100});
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
      runCycle: (options) =>
        runCycle(
          {
            collections: config.sync.collections,
            adAccountIds: config.sync.adAccountIds,
            keepImages: config.sync.keepImages,
            connectorName: config.sync.connectorName ?? prefix,
            version: deps.version,
            kinds: options?.kinds,
            runs: options?.runs,
          },
          {
            connections,
            state,
            encoder,
            sink: writer,
            topics,
            maxEventsPerTransaction: config.kafka.transactionBatchSize,
            logger,
            hooks,
            signal: options?.signal,
            deleteGuard,
          }
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
