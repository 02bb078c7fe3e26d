/**
 * The one error root of pinterest-cdc. Every error the service raises on purpose says whether trying the same
 * operation again can succeed, so retry loops read one flag instead of guessing from messages.
 */
export class CdcError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: {retriable: boolean; cause?: unknown}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = new.target.name;
    this.retriable = options.retriable;
  }
}

/** Configuration that cannot work: lists every problem found, never only the first. */
export class ConfigError extends CdcError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {retriable: false});
    this.problems = problems;
  }
}

/** A record that cannot be turned into an event (bad payload, schema mismatch): dead-lettered, never dropped. */
export class EncodeError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super(message, {retriable: false, cause});
  }
}

/** Writing to Kafka failed; kafkajs says whether the failure is retriable. */
export class ProduceError extends CdcError {}

/**
 * Another producer with the same transactional id took over (or the coordinator expired this producer's
 * transaction): this process is a zombie. Never retriable: the process must stop, not write again.
 */
export class FencedError extends CdcError {
  constructor(message: string, cause?: unknown) {
    super(message, {retriable: false, cause});
  }
}

/**
 * A transaction's commit failed in a way that leaves its outcome unknown (it may have been committed). Retrying
 * the batch could duplicate it, so this is not retriable: restore state from the changelog (e.g. restart) first.
 */
export class TransactionOutcomeUnknownError extends ProduceError {
  constructor(message: string, cause?: unknown) {
    super(message, {retriable: false, cause});
  }
}

/**
 * The broker aborted this producer's transaction by bumping its epoch, which it does both when the transaction
 * outlived its timeout and when a newer producer took the transactional id over (Kafka answers
 * INVALID_PRODUCER_EPOCH in both cases, docs/notes.md). Nothing of the batch is visible; whether this process may
 * go on is decided by the ownership check before its next producer is initialised (FencedError if it lost). So
 * retriable: the very same batch can be sent again.
 */
export class TransactionAbortedByBrokerError extends ProduceError {
  constructor(message: string, cause?: unknown) {
    super(message, {retriable: true, cause});
  }
}

/** One message of a batch that Kafka refuses for what it is (e.g. MESSAGE_TOO_LARGE), not for the state of Kafka. */
export interface RefusedRecord {
  /** Position of the message in the batch given to writeBatch. */
  readonly index: number;
  /** The broker's error type, e.g. MESSAGE_TOO_LARGE. */
  readonly reason: string;
  /** What the broker (or the size check against the topic's limit) said, for the dead letter. */
  readonly detail: string;
}

/**
 * Some messages of a batch can never be written (too large for the topic, refused by broker validation). Nothing
 * of the batch was committed; sending it again without those messages can succeed. Not retriable as it is.
 */
export class RecordsRefusedError extends ProduceError {
  readonly refused: readonly RefusedRecord[];

  constructor(refused: readonly RefusedRecord[], cause?: unknown) {
    super(
      `Kafka refuses ${refused.length} message(s) of the batch: ` +
        refused
          .slice(0, 3)
          .map((r) => `#${r.index} ${r.reason}: ${r.detail}`)
          .join('; '),
      {retriable: false, cause}
    );
    this.refused = refused;
  }
}

/** Reading a changelog topic back failed; the whole read must be started again (nothing partial is usable). */
export class ChangelogReadError extends CdcError {}

export function isRetriable(error: unknown): boolean {
  if (error instanceof CdcError) return error.retriable;
  if (error && typeof error === 'object' && 'retriable' in error)
    return Boolean((error as {retriable: unknown}).retriable);
  return false;
}
