import {CdcError, FencedError, isRetriable, RecordsRefusedError} from '../errors';
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
 * A batch could not be committed: the in-memory state already holds its changes, so this process must not go
 * on; a restart rebuilds state from the changelog and re-diffs (nothing lost, nothing doubled).
 */
export class StateDivergedError extends CdcError {
  constructor(message: string, cause: unknown) {
    super(message, {retriable: false, cause});
  }
}

/**
 * What a batch that was not committed means to the service, decided in this one place: FencedError stays as it
 * is (another instance with the same transactional id took over: stop, for reopening would fence it in turn and
 * the two would take turns forever); anything else leaves the in-memory state ahead of Kafka: StateDivergedError
 * (rebuild state from the changelog). `what` says which batch and why, for the message.
 */
export function notCommitted(error: unknown, what: string): FencedError | StateDivergedError {
  if (error instanceof FencedError || error instanceof StateDivergedError) return error;
  return new StateDivergedError(`${what}: ${describe(error)}`, error);
}

/**
 * Commits one batch as one transaction. A failed transaction is aborted by the writer, so sending the very same
 * messages again is exactly once. RecordsRefusedError comes back as it is (nothing was committed; the caller can
 * send the batch again without the refused messages). Other failures the writer marks non-retriable (an unknown
 * commit outcome, fencing), or too many attempts, end it as `notCommitted` says.
 */
export async function commitWithRetry(
  sink: BatchSink,
  messages: readonly OutgoingMessage[],
  deps: {logger: SyncLogger; retry?: CommitRetryPolicy; sleep?: (ms: number) => Promise<void>}
): Promise<void> {
  const retry = deps.retry ?? DEFAULT_COMMIT_RETRY;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      await sink.writeBatch(messages);
      return;
    } catch (error) {
      if (error instanceof RecordsRefusedError) throw error;
      if (!isRetriable(error) || attempt >= retry.maxAttempts) {
        throw notCommitted(error, `Kafka transaction failed after ${attempt} attempt(s)`);
      }
      const delay = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
      deps.logger.warn(
        {attempt, delayMs: delay, messages: messages.length, err: describe(error)},
        'Kafka transaction failed; retrying the same batch'
      );
      await sleep(delay);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
