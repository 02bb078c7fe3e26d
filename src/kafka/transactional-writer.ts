import type {Kafka, Message, Producer, Transaction} from 'kafkajs';

import {CdcError, FencedError, ProduceError, TransactionOutcomeUnknownError} from '../errors';
import {planRequests, totalsByTopic} from './batch-plan';
import {describeError, hasErrorType, isFencingError, kafkajsRetriable} from './kafka-errors';
import {JavaCompatiblePartitioner} from './partitioner';
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

const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;
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

/**
 * EndTxn answers that mean a newer producer is taking this transactional id over, besides PRODUCER_FENCED and
 * INVALID_PRODUCER_EPOCH. Measured on Kafka 4.1 with a writer committing back to back while a second one called
 * InitProducerId, 210 times: CONCURRENT_TRANSACTIONS once in 60 (the coordinator is aborting the transaction for the
 * newcomer; our own previous EndTxn cannot be the concurrent operation, each is awaited) and UNKNOWN_SERVER_ERROR
 * once in 150 (the broker logs IllegalStateException "transition to PREPARE_COMMIT while it already a pending state
 * PREPARE_EPOCH_FENCE"). kafkajs cannot resend EndTxn (COMMITTING -> COMMITTING is refused), and reporting an
 * unknown outcome made the service reopen, whose InitProducerId fenced the newer instance in turn: so the writer
 * stops. A lone instance that meets one of these (or a transaction aborted for outliving its timeout) exits and
 * its restart restores state: nothing is lost either way.
 */
const END_TXN_FENCING_TYPES = ['CONCURRENT_TRANSACTIONS', 'UNKNOWN'];

export interface KafkajsTransactionalWriterDeps {
  kafka: Kafka;
  logger: KafkaLogger;
  options: TransactionalWriterOptions & {retries?: number};
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

function toKafkajsMessage(message: OutgoingMessage): Message {
  return message.headers
    ? {key: message.key, value: message.value, headers: message.headers}
    : {key: message.key, value: message.value};
}

/**
 * kafkajs implementation of TransactionalWriter. One producer, one transaction per batch, requests sent one at a
 * time. After any failed transaction the producer is discarded and the next batch starts a new one: its
 * InitProducerId bumps the epoch, which aborts whatever the old one left open and resets sequence numbers (a
 * reused epoch after a half-known produce could make the broker drop a later batch as a "duplicate").
 */
export class KafkajsTransactionalWriter implements TransactionalWriter {
  readonly transactionalId: string;
  private producer: Producer | undefined;
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

  close(): Promise<void> {
    return this.serialized(async () => {
      this.closed = true;
      await this.discardProducer();
    });
  }

  /** One operation at a time: concurrent sends on one idempotent producer break sequences (kafkajs #598). */
  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async ensureProducer(): Promise<Producer> {
    if (this.fenced) throw this.fenced;
    if (this.closed) throw new ProduceError(`writer ${this.transactionalId} is closed`, {retriable: false});
    if (this.producer) return this.producer;

    const {kafka, options} = this.deps;
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: this.transactionalId,
      transactionTimeout: options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
      allowAutoTopicCreation: false,
      createPartitioner: JavaCompatiblePartitioner,
      retry: {retries: options.retries ?? DEFAULT_RETRIES, initialRetryTime: INITIAL_RETRY_MS},
    });
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
    try {
      txn = await producer.transaction();
      for (const request of planRequests(
        messages,
        this.deps.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES
      )) {
        await txn.sendBatch({
          acks: -1,
          topicMessages: request.topicMessages.map(({topic, messages: list}) => ({
            topic,
            messages: list.map(toKafkajsMessage),
          })),
        });
      }
      committing = true;
      await txn.commit();
    } catch (error) {
      const failure = await this.fail(error, txn, committing);
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

  private async fail(
    error: unknown,
    txn: Transaction | undefined,
    committing: boolean
  ): Promise<{error: CdcError; outcome: TransactionOutcome}> {
    const {logger} = this.deps;
    if (isFencingError(error) || (committing && END_TXN_FENCING_TYPES.some((t) => hasErrorType(error, t)))) {
      // The newer producer's InitProducerId aborted our open transaction: nothing of this batch is visible.
      return {error: this.markFenced(error), outcome: 'fenced'};
    }
    if (!committing && txn?.isActive()) {
      try {
        await txn.abort();
      } catch (abortError) {
        if (isFencingError(abortError)) return {error: this.markFenced(abortError), outcome: 'fenced'};
        // Left open: replacing the producer (below) aborts it on the coordinator.
        logger.warn({transactionalId: this.transactionalId, err: describeError(abortError)}, 'abort failed');
      }
    }
    await this.discardProducer();
    if (committing) {
      const message = `commit of transaction ${this.transactionalId} failed, outcome unknown: ${describeError(error)}`;
      logger.error({transactionalId: this.transactionalId}, message);
      return {error: new TransactionOutcomeUnknownError(message, error), outcome: 'unknown'};
    }
    const retriable = kafkajsRetriable(error);
    const message = `transaction ${this.transactionalId} aborted: ${describeError(error)}`;
    logger.warn({transactionalId: this.transactionalId, retriable}, message);
    return {error: new ProduceError(message, {retriable, cause: error}), outcome: 'aborted'};
  }

  private markFenced(cause: unknown): FencedError {
    this.fenced ??= new FencedError(
      `producer ${this.transactionalId} was fenced: another instance uses this transactional id ` +
        `(or a transaction outlived transactionTimeoutMs); this process must stop: ${describeError(cause)}`,
      cause
    );
    this.deps.logger.error({transactionalId: this.transactionalId}, this.fenced.message);
    void this.discardProducer();
    return this.fenced;
  }

  private async discardProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
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

function sumTotals(byTopic: Record<string, TopicTotals>): TopicTotals {
  let messages = 0;
  let bytes = 0;
  for (const t of Object.values(byTopic)) {
    messages += t.messages;
    bytes += t.bytes;
  }
  return {messages, bytes};
}
