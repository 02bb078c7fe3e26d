import type {Kafka, Message, Producer, Transaction} from 'kafkajs';

import {
  CdcError,
  FencedError,
  ProduceError,
  RecordsRefusedError,
  TransactionAbortedByBrokerError,
  TransactionOutcomeUnknownError,
  type RefusedRecord,
} from '../errors';
import {planRequests, totalsByTopic} from './batch-plan';
import {
  describeError,
  hasErrorType,
  isCoordinatorNotFound,
  isFencingError,
  kafkajsRetriable,
} from './kafka-errors';
import {JavaCompatiblePartitioner} from './partitioner';
import {singleRecordBatchBytes} from './record-size';
import {findRefused, recordRefusal, type ProbeResult} from './refused-records';
import type {TopicLimits} from './topic-limits';
import type {
  BatchResult,
  KafkaLogger,
  OutgoingMessage,
  TopicTotals,
  TransactionalWriter,
  TransactionalWriterOptions,
  TransactionOutcome,
  WriterHooks,
} from './types';

/**
 * Twice the Java client's 60 s: a broker paused or slow for about a minute lets the open transaction finish after
 * it recovers instead of aborting it. A longer stall is survived too (the broker aborts the transaction, the
 * ownership check confirms this process still owns the id, the batch is sent again), so the figure only decides
 * when work is redone, and how long a hung instance that never comes back can hold read_committed consumers of
 * the partitions in its open transaction (a restarted one aborts it at once). README "Slow or paused broker".
 */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_REQUEST_BYTES = 900_000;
/**
 * kafkajs gives an idempotent producer unlimited retries; a bounded count (about 70 s of backoff) lets a batch
 * fail instead of hanging. Safe here because a failed transaction is aborted and its producer replaced.
 */
const DEFAULT_RETRIES = 12;
/**
 * The first retry comes after ~20 ms, not kafkajs' 300 ms: the usual retried error is CONCURRENT_TRANSACTIONS on
 * the first AddPartitionsToTxn of a transaction, while the coordinator still writes the previous one's markers
 * (the Java client, too, retries that case after 20 ms). With 300 ms, small transactions ran at half speed.
 */
const INITIAL_RETRY_MS = 20;

/** Retries of a probe's requests (finding refused records): enough for a CONCURRENT_TRANSACTIONS after an abort. */
const PROBE_RETRIES = 5;

/**
 * EndTxn answers that come with a newer producer taking this transactional id over, besides PRODUCER_FENCED and
 * INVALID_PRODUCER_EPOCH. Measured on Kafka 4.1 with a writer committing back to back while a second one called
 * InitProducerId, 210 times: CONCURRENT_TRANSACTIONS once in 60 (the coordinator is aborting the transaction for the
 * newcomer; our own previous EndTxn cannot be the concurrent operation, each is awaited) and UNKNOWN_SERVER_ERROR
 * once in 150 (the broker logs IllegalStateException "transition to PREPARE_COMMIT while it already a pending state
 * PREPARE_EPOCH_FENCE"). kafkajs does not resend EndTxn, so CONCURRENT_TRANSACTIONS means our commit was refused:
 * the transaction is being aborted, as for an epoch bump. UNKNOWN_SERVER_ERROR could mean anything, so its outcome
 * is unknown (with an ownership check, the service reopens, which checks ownership before fencing anyone).
 * Without an ownership check both stop the writer (a reopen would fence the newer instance in turn).
 */
const END_TXN_ABORTED_TYPE = 'CONCURRENT_TRANSACTIONS';
const END_TXN_UNKNOWN_TYPE = 'UNKNOWN';

/**
 * Commit failures where EndTxn never reached the transaction coordinator: the coordinator could not be found, or
 * the broker asked was not (yet) it (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR;
 * kafkajs' GROUP_* names). The transaction is still open, so the batch is not committed: the next producer's
 * InitProducerId aborts it and the batch is sent again. Seen right after a paused broker resumed: it reloads its
 * transaction state and answers COORDINATOR_LOAD_IN_PROGRESS; reading it as an unknown outcome rebuilt all state.
 */
const END_TXN_NOT_PROCESSED_TYPES = [
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
];
function endTxnNotProcessed(error: unknown): boolean {
  return END_TXN_NOT_PROCESSED_TYPES.some((t) => hasErrorType(error, t)) || isCoordinatorNotFound(error);
}

export interface KafkajsTransactionalWriterDeps {
  kafka: Kafka;
  logger: KafkaLogger;
  options: TransactionalWriterOptions & {retries?: number};
  /** Topic limits, to refuse an oversized message before sending it (without: learnt from the broker's refusal). */
  limits?: TopicLimits;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

function toKafkajsMessage(message: OutgoingMessage): Message {
  const partition = message.partition === undefined ? {} : {partition: message.partition};
  return message.headers
    ? {key: message.key, value: message.value, headers: message.headers, ...partition}
    : {key: message.key, value: message.value, ...partition};
}

/**
 * kafkajs implementation of TransactionalWriter. One producer, one transaction per batch, requests sent one at a
 * time. After any failed transaction the producer is discarded and the next batch starts a new one: its
 * InitProducerId bumps the epoch, which aborts whatever the old one left open and resets sequence numbers (a
 * reused epoch after a half-known produce could make the broker drop a later batch as a "duplicate"). Before each
 * InitProducerId the ownership check (when given) says whether this process may still use the id.
 */
export class KafkajsTransactionalWriter implements TransactionalWriter {
  readonly transactionalId: string;
  private producer: Producer | undefined;
  /** Finds refused records with transactions that are always aborted, under its own id (fences nobody). */
  private probeProducer: Producer | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private fenced: FencedError | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly deps: KafkajsTransactionalWriterDeps) {
    this.transactionalId = deps.options.transactionalId;
    this.now = deps.now ?? (() => performance.now());
  }

  init(): Promise<void> {
    return this.serialized(async () => {
      await this.ensureProducer();
    });
  }

  writeBatch(messages: readonly OutgoingMessage[]): Promise<BatchResult> {
    return this.serialized(() => this.write(messages));
  }

  async batchLimit(topic: string): Promise<number | undefined> {
    return (await this.deps.limits?.batchLimits([topic]))?.get(topic);
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      this.closed = true;
      await Promise.all([this.discardProducer(), this.discardProbeProducer()]);
    });
  }

  /** One operation at a time: concurrent sends on one idempotent producer break sequences (kafkajs #598). */
  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private newProducer(transactionalId: string, retries: number): Producer {
    return this.deps.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId,
      transactionTimeout: this.deps.options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
      allowAutoTopicCreation: false,
      createPartitioner: JavaCompatiblePartitioner,
      retry: {retries, initialRetryTime: INITIAL_RETRY_MS},
    });
  }

  private async ensureProducer(): Promise<Producer> {
    if (this.fenced) throw this.fenced;
    if (this.closed) throw new ProduceError(`writer ${this.transactionalId} is closed`, {retriable: false});
    if (this.producer) return this.producer;

    try {
      await this.deps.options.ownership?.acquire();
    } catch (error) {
      if (error instanceof FencedError) throw this.markFenced(error);
      throw error instanceof CdcError
        ? error
        : new ProduceError(`ownership check of ${this.transactionalId} failed: ${describeError(error)}`, {
            retriable: kafkajsRetriable(error),
            cause: error,
          });
    }
    const producer = this.newProducer(this.transactionalId, this.deps.options.retries ?? DEFAULT_RETRIES);
    try {
      await producer.connect();
      // kafkajs sends the transactional InitProducerId lazily, in transaction(); an empty transaction does it now
      // (fencing older producers with this id), and aborting it sends nothing to the broker.
      const txn = await producer.transaction();
      await txn.abort();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      if (isFencingError(error)) throw this.markFenced(error);
      throw new ProduceError(
        `cannot initialise transactional producer ${this.transactionalId}: ${describeError(error)}`,
        {
          retriable: kafkajsRetriable(error),
          cause: error,
        }
      );
    }
    this.producer = producer;
    this.deps.logger.debug({transactionalId: this.transactionalId}, 'transactional producer initialised');
    return producer;
  }

  private async write(messages: readonly OutgoingMessage[]): Promise<BatchResult> {
    const byTopic = totalsByTopic(messages);
    const totals = sumTotals(byTopic);
    if (messages.length === 0) {
      return {transactionalId: this.transactionalId, ...totals, byTopic, durationSeconds: 0};
    }
    const started = this.now();
    const limits = await this.limitsOf(messages);
    const oversized = refuseOversized(messages, limits);
    if (oversized.length > 0) throw new RecordsRefusedError(oversized);

    let producer: Producer;
    try {
      producer = await this.ensureProducer();
    } catch (error) {
      this.reportFailure(
        byTopic,
        totals,
        started,
        error instanceof FencedError ? 'fenced' : 'aborted',
        error
      );
      throw error;
    }

    let txn: Transaction | undefined;
    let committing = false;
    let request: readonly OutgoingMessage[] = [];
    try {
      txn = await producer.transaction();
      for (const planned of planRequests(
        messages,
        this.deps.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
        (topic) => limits.get(topic)
      )) {
        request = planned.topicMessages.flatMap((t) => t.messages);
        await txn.sendBatch(toKafkajsBatch(planned.topicMessages));
      }
      committing = true;
      await txn.commit();
    } catch (error) {
      const failure =
        !committing && recordRefusal(error) !== undefined
          ? await this.refused(error, txn, messages, request)
          : await this.fail(error, txn, committing);
      this.reportFailure(byTopic, totals, started, failure.outcome, failure.error);
      throw failure.error;
    }

    const durationSeconds = (this.now() - started) / 1000;
    this.emit('onTransaction', {
      transactionalId: this.transactionalId,
      outcome: 'committed',
      ...totals,
      durationSeconds,
    });
    for (const [topic, t] of Object.entries(byTopic)) {
      this.emit('onTopicCommitted', {topic, messages: t.messages, bytes: t.bytes, durationSeconds});
    }
    return {transactionalId: this.transactionalId, ...totals, byTopic, durationSeconds};
  }

  private async limitsOf(messages: readonly OutgoingMessage[], refresh = false) {
    const topics = [...new Set(messages.map((m) => m.topic))];
    return (await this.deps.limits?.batchLimits(topics, {refresh})) ?? new Map<string, number | undefined>();
  }

  private async fail(
    error: unknown,
    txn: Transaction | undefined,
    committing: boolean
  ): Promise<{error: CdcError; outcome: TransactionOutcome}> {
    const {logger} = this.deps;
    if (isFencingError(error) || (committing && hasErrorType(error, END_TXN_ABORTED_TYPE))) {
      // The broker bumped our epoch (timeout, or a newer producer): nothing of this batch is visible.
      return this.epochLost(error);
    }
    if (committing && hasErrorType(error, END_TXN_UNKNOWN_TYPE) && !this.deps.options.ownership) {
      return {error: this.markFenced(error), outcome: 'fenced'};
    }
    if (!committing && txn?.isActive()) {
      try {
        await txn.abort();
      } catch (abortError) {
        if (isFencingError(abortError)) return this.epochLost(abortError);
        // Left open: replacing the producer (below) aborts it on the coordinator.
        logger.debug({transactionalId: this.transactionalId, err: describeError(abortError)}, 'abort failed');
      }
    }
    await this.discardProducer();
    if (committing && endTxnNotProcessed(error)) {
      const message =
        `commit of transaction ${this.transactionalId} did not reach the coordinator (not committed; the next ` +
        `producer aborts it): ${describeError(error)}`;
      logger.warn({transactionalId: this.transactionalId}, message);
      return {error: new ProduceError(message, {retriable: true, cause: error}), outcome: 'aborted'};
    }
    if (committing) {
      const message = `commit of transaction ${this.transactionalId} failed, outcome unknown: ${describeError(error)}`;
      logger.warn({transactionalId: this.transactionalId}, message);
      return {error: new TransactionOutcomeUnknownError(message, error), outcome: 'unknown'};
    }
    const retriable = kafkajsRetriable(error);
    const message = `transaction ${this.transactionalId} aborted: ${describeError(error)}`;
    logger.warn({transactionalId: this.transactionalId, retriable}, message);
    return {error: new ProduceError(message, {retriable, cause: error}), outcome: 'aborted'};
  }

  /**
   * The broker aborted the transaction by bumping the epoch. Kafka gives the same answer (INVALID_PRODUCER_EPOCH)
   * whether the transaction outlived its timeout or a newer instance took the id: with an ownership check the
   * batch may be sent again (the check runs before the next producer is initialised); without one, this writer
   * stops.
   */
  private async epochLost(cause: unknown): Promise<{error: CdcError; outcome: TransactionOutcome}> {
    if (!this.deps.options.ownership) return {error: this.markFenced(cause), outcome: 'fenced'};
    await this.discardProducer();
    const message =
      `transaction ${this.transactionalId} was aborted by the broker (its producer epoch was bumped: the ` +
      'transaction outlived transactionTimeoutMs, or another instance took the transactional id); ownership is ' +
      `checked before the batch is sent again: ${describeError(cause)}`;
    this.deps.logger.warn({transactionalId: this.transactionalId}, message);
    return {error: new TransactionAbortedByBrokerError(message, cause), outcome: 'aborted'};
  }

  /**
   * The broker refused records of `request` (the failed request of `messages`) for what they are. Abort, then
   * find which: first against fresh topic limits (a topic's max.message.bytes may have been lowered since they
   * were read), else by probing halves of the request in transactions that are always aborted. Nothing of the
   * batch becomes visible, so the caller can send it again without the refused messages.
   */
  private async refused(
    error: unknown,
    txn: Transaction | undefined,
    messages: readonly OutgoingMessage[],
    request: readonly OutgoingMessage[]
  ): Promise<{error: CdcError; outcome: TransactionOutcome}> {
    try {
      await txn?.abort();
    } catch (abortError) {
      if (isFencingError(abortError)) return this.epochLost(abortError);
    }
    // kafkajs rolled back the sequence numbers of every partition of the request, also of those the broker took.
    await this.discardProducer();
    const positions = new Map(messages.map((m, i) => [m, i]));
    const index = (m: OutgoingMessage) => positions.get(m) ?? -1;
    try {
      const limits = await this.limitsOf(request, true);
      let refused = refuseOversized(request, limits).map((r) => ({...r, index: index(request[r.index]!)}));
      if (refused.length === 0) {
        const found = await findRefused(
          request,
          {accepted: false, reason: recordRefusal(error)!, detail: describeError(error)},
          (subset) => this.probe(subset, limits)
        );
        refused = found.map((f) => ({index: index(f.item), reason: f.reason, detail: f.detail}));
      }
      if (refused.length === 0) {
        throw new ProduceError(
          `transaction ${this.transactionalId} aborted: Kafka refused a request although each of its messages ` +
            `passes alone: ${describeError(error)}`,
          {retriable: false, cause: error}
        );
      }
      this.deps.logger.warn(
        {transactionalId: this.transactionalId, refused: refused.length, reason: refused[0]?.reason},
        'Kafka refuses messages of the batch; the batch is aborted'
      );
      return {error: new RecordsRefusedError(refused, error), outcome: 'aborted'};
    } catch (probeError) {
      const failure =
        probeError instanceof CdcError
          ? probeError
          : new ProduceError(`finding the messages Kafka refuses failed: ${describeError(probeError)}`, {
              retriable: kafkajsRetriable(probeError),
              cause: probeError,
            });
      return {error: failure, outcome: 'aborted'};
    }
  }

  /** Sends `subset` in a transaction of the probe producer and aborts it: accepted or refused, never visible. */
  private async probe(
    subset: readonly OutgoingMessage[],
    limits: ReadonlyMap<string, number | undefined>
  ): Promise<ProbeResult> {
    try {
      if (!this.probeProducer) {
        const created = this.newProducer(`${this.transactionalId}.probe`, PROBE_RETRIES);
        this.probeProducer = created;
        await created.connect();
      }
      const txn = await this.probeProducer.transaction();
      for (const planned of planRequests(
        subset,
        this.deps.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
        (topic) => limits.get(topic)
      )) {
        await txn.sendBatch(toKafkajsBatch(planned.topicMessages));
      }
      await txn.abort();
      return {accepted: true};
    } catch (error) {
      // After a refused request kafkajs' sequence numbers no longer match the broker's: start afresh.
      await this.discardProbeProducer();
      const reason = recordRefusal(error);
      if (reason === undefined) throw error;
      return {accepted: false, reason, detail: describeError(error)};
    }
  }

  private markFenced(cause: unknown): FencedError {
    this.fenced ??=
      cause instanceof FencedError
        ? cause
        : new FencedError(
            `producer ${this.transactionalId} was fenced: another instance uses this transactional id ` +
              `(or a transaction outlived transactionTimeoutMs); this process must stop: ${describeError(cause)}`,
            cause
          );
    this.deps.logger.warn({transactionalId: this.transactionalId}, this.fenced.message);
    void this.discardProducer();
    return this.fenced;
  }

  private async discardProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private async discardProbeProducer(): Promise<void> {
    const producer = this.probeProducer;
    this.probeProducer = undefined;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  private reportFailure(
    byTopic: Record<string, TopicTotals>,
    totals: TopicTotals,
    started: number,
    outcome: TransactionOutcome,
    error: unknown
  ): void {
    const retriable = error instanceof CdcError ? error.retriable : false;
    for (const topic of Object.keys(byTopic)) this.emit('onProduceError', {topic, retriable});
    const durationSeconds = (this.now() - started) / 1000;
    this.emit('onTransaction', {transactionalId: this.transactionalId, outcome, ...totals, durationSeconds});
  }

  private emit<K extends keyof WriterHooks>(
    name: K,
    event: Parameters<NonNullable<WriterHooks[K]>>[0]
  ): void {
    const hook = this.deps.options.hooks?.[name] as ((e: typeof event) => void) | undefined;
    if (!hook) return;
    try {
      hook(event);
    } catch (error) {
      this.deps.logger.warn({hook: name, err: describeError(error)}, 'writer hook threw');
    }
  }
}

function toKafkajsBatch(topicMessages: readonly {topic: string; messages: readonly OutgoingMessage[]}[]) {
  return {
    acks: -1,
    topicMessages: topicMessages.map(({topic, messages}) => ({
      topic,
      messages: messages.map(toKafkajsMessage),
    })),
  };
}

/** Messages that cannot be written even alone: their single-record batch is over the topic's limit. */
export function refuseOversized(
  messages: readonly OutgoingMessage[],
  limits: ReadonlyMap<string, number | undefined>
): RefusedRecord[] {
  const refused: RefusedRecord[] = [];
  messages.forEach((message, index) => {
    const limit = limits.get(message.topic);
    if (limit === undefined) return;
    const bytes = singleRecordBatchBytes(message);
    if (bytes > limit) {
      refused.push({
        index,
        reason: 'MESSAGE_TOO_LARGE',
        detail: `a record batch of ${bytes} bytes (this record alone) is over the ${limit} bytes topic ${message.topic} accepts (max.message.bytes)`,
      });
    }
  });
  return refused;
}

function sumTotals(byTopic: Record<string, TopicTotals>): TopicTotals {
  let messages = 0;
  let bytes = 0;
  for (const t of Object.values(byTopic)) {
    messages += t.messages;
    bytes += t.bytes;
  }
  return {messages, bytes};
}
