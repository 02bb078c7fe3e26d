/**
 * Everything a pipeline writes, behind one seam: the topics it creates, the schemas it registers, the sink its
 * batches go to (events, state changelog and dead letters in one transaction) and the start-up settling of the
 * stored tokens. `liveOutputs` is what `run` and `sync` use; `dryRunOutputs` reads the same things and writes
 * none of them: batches are decoded and printed instead of committed.
 */
import type {AppConfig} from '../config';
import {CdcError} from '../errors';
import {pinStateRecords, taskWriterShard} from '../fleet';
import {
  OwnerIdentity,
  transactionalIdFor,
  type KafkaConnection,
  type OutgoingMessage,
  type WriterHooks,
} from '../kafka';
import type {TokenRecordStore} from '../pinterest';
import {
  checkSubjects,
  subjectsOf,
  unframe,
  type CollectionSchemas,
  type RegistryHooks,
  type SchemaCatalog,
  type SubjectIds,
} from '../serde';
import {ownerClaimKey, type StateStore} from '../state';
import type {BatchSink, SyncLogger, SyncTopics} from '../sync';
import {configuredRegistrar} from './schema-subjects';
import {pipelineTopics} from './topics';
import {settleStoredTokens, tokenCodec, tokenTopicSpec} from './token-storage';

/** What the outputs of one pipeline are built from. */
export interface OutputContext {
  readonly config: AppConfig;
  readonly kafka: KafkaConnection;
  readonly catalog: SchemaCatalog;
  readonly topics: SyncTopics;
  readonly logger: SyncLogger;
  readonly owner: OwnerIdentity;
  readonly registryHooks?: RegistryHooks;
  readonly writerHooks?: WriterHooks;
}

export interface PipelineOutputs {
  /** Makes the topics ready; resolves with whether the state changelog exists (to be restored). */
  prepareTopics(): Promise<{stateTopicExists: boolean}>;
  /** The schema ids events are framed with, per collection. */
  schemaIds(): Promise<Map<string, SubjectIds>>;
  /**
   * Fences a single-process instance of an older version (it wrote under the instance's transactional id without
   * `-task-<n>`), so it cannot write beside the tasks during a rolling upgrade (docs/notes.md "Fleet").
   */
  fenceSingleProcessWriter(): Promise<void>;
  /**
   * The sink of one task's batches, ready to write. Called before the task's state is restored: the live writer
   * (the task's own transactional id, state records pinned to the task's partition) fences the task's previous
   * owner here, so no zombie transaction can commit after the read.
   */
  openSink(task: number): Promise<TaskSink>;
  /**
   * Puts one connection's stored tokens where the configuration wants them, once the state is restored (only the
   * `default` connection moves a token older versions kept in clear in the state topic).
   */
  settleTokens(
    store: TokenRecordStore,
    state: StateStore,
    sink: BatchSink,
    connection: {logger: SyncLogger; movesLegacyToken: boolean}
  ): Promise<{exposedRefreshToken?: string}>;
  /** The consumer group prefix of the changelog read (a dry run keeps out of the service's). */
  readonly readerGroupPrefix?: string;
}

export type OutputsFactory = (context: OutputContext) => PipelineOutputs;

/** One task's sink, closed when the task is dropped. */
export interface TaskSink extends BatchSink {
  /** The task's transactional id (none in a dry run). */
  readonly transactionalId?: string;
  close(): Promise<void>;
}

/** The service's outputs: create missing topics, register the schemas, write through the transactional writer. */
export const liveOutputs: OutputsFactory = (context) => {
  const {config, kafka, topics, logger, owner} = context;
  // Claims in the state topic tell a transaction the broker aborted on timeout (go on) from a newer owner's
  // fencing (stop): Kafka answers both with INVALID_PRODUCER_EPOCH (docs/notes.md).
  const ownershipOf = (transactionalId: string, claimant: OwnerIdentity) =>
    kafka.stateTopicOwnership({
      topic: topics.state,
      claimKey: ownerClaimKey(transactionalId),
      transactionalId,
      owner: claimant,
    });
  return {
    async prepareTopics() {
      const admin = kafka.topicAdmin();
      try {
        const report = await admin.ensureTopics(pipelineTopics(config));
        if (report.mismatches.length > 0)
          logger.warn(
            {mismatches: report.mismatches},
            'Existing topics differ from the configuration (left as they are)'
          );
      } finally {
        await admin.close();
      }
      return {stateTopicExists: true};
    },
    // An incompatible local change fails here, before anything is written.
    schemaIds: () => configuredRegistrar(config, context.catalog, context.registryHooks).registerAll(),
    async fenceSingleProcessWriter() {
      const legacyId = transactionalIdFor({prefix: config.kafka.topicPrefix, shard: config.sync.instanceId});
      const legacy = kafka.transactionalWriter({
        transactionalId: legacyId,
        ownership: ownershipOf(legacyId, owner),
      });
      await legacy.init();
      await legacy.close();
    },
    async openSink(task) {
      const transactionalId = transactionalIdFor({
        prefix: config.kafka.topicPrefix,
        shard: taskWriterShard(config.sync.instanceId, task),
      });
      // A fresh identity per taking: this process claims the id again even if it held the task before.
      const taskOwner = new OwnerIdentity();
      const writer = kafka.transactionalWriter({
        transactionalId,
        hooks: context.writerHooks,
        transactionTimeoutMs: config.kafka.transactionTimeoutSeconds * 1000,
        ownership: ownershipOf(transactionalId, taskOwner),
      });
      try {
        // Fencing the task's id aborts whatever its previous owner left open, which would otherwise hold back
        // the changelog's last stable offset (docs/notes.md).
        await writer.init();
      } catch (error) {
        await writer.close().catch(() => undefined);
        throw error;
      }
      return pinStateRecords(writer, topics.state, task, taskOwner.token);
    },
    settleTokens: (store, state, sink, connection) =>
      settleStoredTokens({
        store,
        codec: tokenCodec(config),
        state,
        stateWriter: sink,
        stateTopic: topics.state,
        logger: connection.logger,
        movesLegacyToken: connection.movesLegacyToken,
      }),
  };
};

/** One decoded line of a dry run's output. */
export type DryRunLine =
  {topic: string; collection: string; key: unknown; value: unknown} | {topic: string; deadLetter: unknown};

/** What a dry run would have written, counted per topic (state records are counted, never printed). */
export interface DryRunTally {
  readonly messages: Map<string, number>;
}

/**
 * A dry run: reads the topics, the registry and the state as they are and writes none of them. No topic is
 * created (but the token topic, see below), no schema registered (events are framed with the registered id, or
 * 0 where a real run would register a new version), no transactional producer opened (nobody is fenced), and the
 * legacy token record is left in the state topic. It runs every task itself (it joins no fleet group, and no task
 * has a writer to fence). Every batch is decoded and handed to `emit` line by line.
 *
 * The one write: a refresh token Pinterest rotated while reading goes to the token store, exactly as `check`
 * does (the old one no longer works, and the next real run must find the new one); the token topic is created
 * for it when missing.
 */
export function dryRunOutputs(emit: (line: DryRunLine) => void, tally?: DryRunTally): OutputsFactory {
  return (context) => {
    const {config, kafka, catalog, topics, logger} = context;
    return {
      readerGroupPrefix: 'pinterest-cdc.dry-run',
      async prepareTopics() {
        const admin = kafka.topicAdmin();
        try {
          const report = await admin.describeTopics(pipelineTopics(config));
          const existing = new Set(report.existing);
          if (config.pinterest.tokenStore === 'kafka' && !existing.has(tokenTopicSpec(config).name))
            await admin.ensureTopics([tokenTopicSpec(config)]);
          return {stateTopicExists: existing.has(topics.state)};
        } finally {
          await admin.close();
        }
      },
      async schemaIds() {
        const ids = new Map<string, SubjectIds>();
        for (const schemas of catalog.all()) {
          const [key, value] = await checkSubjects(
            config.schemaRegistry,
            subjectsOf(config.kafka.topicPrefix, schemas)
          );
          for (const check of [key!, value!]) {
            if (check.state === 'incompatible')
              throw new CdcError(
                `Subject ${check.subject} is incompatible with the registry (a real run would fail here): ` +
                  (check.reasons?.join('; ') || 'no reason given'),
                {retriable: false}
              );
          }
          ids.set(schemas.declaration.name, {keyId: key!.id ?? 0, valueId: value!.id ?? 0});
        }
        return ids;
      },
      fenceSingleProcessWriter: () => Promise.resolve(),
      openSink: () => Promise.resolve(new DecodingSink(catalog, topics, emit, tally)),
      settleTokens(_store, state, _sink, connection) {
        if (connection.movesLegacyToken && state.legacyRefreshTokens.size > 0)
          logger.warn(
            {},
            'Dry run: the state topic holds a refresh token in clear; left there (a real run moves it)'
          );
        return Promise.resolve({});
      },
    };
  };
}

/** A sink that decodes each batch (Avro events, JSON dead letters) instead of committing it. */
class DecodingSink implements TaskSink {
  private readonly byTopic = new Map<string, CollectionSchemas>();

  constructor(
    catalog: SchemaCatalog,
    private readonly topics: SyncTopics,
    private readonly emit: (line: DryRunLine) => void,
    private readonly tally?: DryRunTally
  ) {
    for (const schemas of catalog.all()) this.byTopic.set(topics.events(schemas.declaration.name), schemas);
  }

  writeBatch(messages: readonly OutgoingMessage[]): Promise<void> {
    for (const message of messages) {
      if (this.tally)
        this.tally.messages.set(message.topic, (this.tally.messages.get(message.topic) ?? 0) + 1);
      if (message.topic === this.topics.state) continue;
      if (message.topic === this.topics.deadLetters) {
        this.emit({topic: message.topic, deadLetter: JSON.parse(message.value?.toString('utf8') ?? 'null')});
        continue;
      }
      const schemas = this.byTopic.get(message.topic);
      if (!schemas) throw new Error(`Dry run: no schema for topic ${message.topic}`);
      const decode = (buffer: Buffer | null, type: CollectionSchemas['keyType']) =>
        buffer === null ? null : type.fromBuffer(unframe(buffer).payload);
      this.emit({
        topic: message.topic,
        collection: schemas.declaration.name,
        key: decode(message.key, schemas.keyType),
        value: decode(message.value, schemas.envelopeType),
      });
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
