import {CdcError, isRetriable} from '../errors';
import type {OutgoingMessage} from '../kafka';
import type {BatchSink, SyncLogger} from './ports';

export interface CommitRetryPolicy {
  /** Attempts of one batch on retriable failures (a broker restart, a leader move). */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

// A broker restart takes tens of seconds: retry a batch for about two minutes before giving up.
export const DEFAULT_COMMIT_RETRY: CommitRetryPolicy = {
  maxAttempts: 10,
  initialDelayMs: 500,
  maxDelayMs: 20_000,
};

/**
 * Accumulates the messages of one listing and commits them as transactions of bounded size. A failed
 * transaction is aborted by the writer, so sending the very same messages again is exactly once; failures the
 * writer marks non-retriable (fencing, an unknown commit outcome) propagate: the caller's in-memory state is then
 * ahead of Kafka and must be rebuilt from the changelog.
 */
export class BatchCommitter {
  private messages: OutgoingMessage[] = [];
  private pendingEvents = new Map<string, number>();
  private eventCount = 0;

  constructor(
    private readonly deps: {
      sink: BatchSink;
      maxEvents: number;
      logger: SyncLogger;
      retry?: CommitRetryPolicy;
      sleep?: (ms: number) => Promise<void>;
      onCommitted?: (events: ReadonlyMap<string, number>) => void;
    }
  ) {}

  /** Adds messages; `op` counts one change event (the unit of batch size) when given. */
  add(messages: readonly OutgoingMessage[], op?: string): void {
    for (const message of messages) this.messages.push(message);
    if (op !== undefined) {
      this.pendingEvents.set(op, (this.pendingEvents.get(op) ?? 0) + 1);
      this.eventCount += 1;
    }
  }

  get full(): boolean {
    return this.eventCount >= this.deps.maxEvents;
  }

  get empty(): boolean {
    return this.messages.length === 0;
  }

  async flush(): Promise<void> {
    if (this.messages.length === 0) return;
    const messages = this.messages;
    const events = this.pendingEvents;
    this.messages = [];
    this.pendingEvents = new Map();
    this.eventCount = 0;
    await this.commitWithRetry(messages);
    this.deps.onCommitted?.(events);
  }

  private async commitWithRetry(messages: OutgoingMessage[]): Promise<void> {
    const retry = this.deps.retry ?? DEFAULT_COMMIT_RETRY;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.sink.writeBatch(messages);
        return;
      } catch (error) {
        if (!isRetriable(error) || attempt >= retry.maxAttempts) {
          throw new StateDivergedError(
            `Kafka transaction failed after ${attempt} attempt(s): ${describe(error)}`,
            error
          );
        }
        const delay = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
        this.deps.logger.warn(
          {attempt, delayMs: delay, messages: messages.length, err: describe(error)},
          'Kafka transaction failed; retrying the same batch'
        );
        await sleep(delay);
      }
    }
  }
}

/**
 * A batch could not be committed: the in-memory state already holds its changes, so this process must not go
 * on; a restart rebuilds state from the changelog and re-diffs (nothing lost, nothing doubled).
 */
export class StateDivergedError extends CdcError {
  constructor(message: string, cause: unknown) {
    super(message, {retriable: false, cause});
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
