/** commitWithRetry: what a failed transaction turns into, which decides whether the service retries, rebuilds or stops. */
import {
  FencedError,
  ProduceError,
  RecordsRefusedError,
  TransactionAbortedByBrokerError,
  TransactionOutcomeUnknownError,
} from '../../../src/errors';
import {commitWithRetry, StateDivergedError, type BatchSink} from '../../../src/sync';
import {silent} from './harness';

const retry = {maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 15};
const message = {topic: 't', key: Buffer.from('k'), value: Buffer.from('v')};

function failingSink(errors: unknown[]): BatchSink & {attempts: number} {
  const sink = {
    attempts: 0,
    writeBatch: async () => {
      const error = errors[sink.attempts++];
      if (error !== undefined) throw error;
    },
  };
  return sink;
}

describe('commitWithRetry', () => {
  it('sends the same batch again after retriable failures, with capped backoff', async () => {
    const sink = failingSink([
      new ProduceError('leader moved', {retriable: true}),
      new ProduceError('broker down', {retriable: true}),
    ]);
    const delays: number[] = [];
    await commitWithRetry(sink, [message], {
      logger: silent,
      retry,
      sleep: async (ms) => void delays.push(ms),
    });
    expect(sink.attempts).toBe(3);
    expect(delays).toEqual([10, 15]);
  });

  it('turns an unknown commit outcome into StateDivergedError at once', async () => {
    const sink = failingSink([new TransactionOutcomeUnknownError('EndTxn lost')]);
    const failure = commitWithRetry(sink, [message], {logger: silent, retry, sleep: async () => {}});
    await expect(failure).rejects.toBeInstanceOf(StateDivergedError);
    expect(sink.attempts).toBe(1);
  });

  it('gives up with StateDivergedError after maxAttempts retriable failures', async () => {
    const sink = failingSink(Array.from({length: 10}, () => new ProduceError('down', {retriable: true})));
    const failure = commitWithRetry(sink, [message], {logger: silent, retry, sleep: async () => {}});
    await expect(failure).rejects.toThrow(/after 4 attempt/);
    expect(sink.attempts).toBe(4);
  });

  it('lets FencedError through unchanged: the service must stop, not reopen and fence the newer instance', async () => {
    const fenced = new FencedError('producer fenced');
    const sink = failingSink([fenced]);
    await expect(commitWithRetry(sink, [message], {logger: silent, retry})).rejects.toBe(fenced);
    expect(sink.attempts).toBe(1);
  });

  it('sends the batch again after the broker aborted it (epoch bumped): the ownership check decides in the writer', async () => {
    const sink = failingSink([new TransactionAbortedByBrokerError('transaction timed out')]);
    await commitWithRetry(sink, [message], {logger: silent, retry, sleep: async () => {}});
    expect(sink.attempts).toBe(2);
  });

  it('hands RecordsRefusedError back as it is (nothing committed; the caller takes the refused messages out)', async () => {
    const refused = new RecordsRefusedError([{index: 0, reason: 'MESSAGE_TOO_LARGE', detail: 'too large'}]);
    const sink = failingSink([refused]);
    await expect(
      commitWithRetry(sink, [message], {logger: silent, retry, sleep: async () => {}})
    ).rejects.toBe(refused);
    expect(sink.attempts).toBe(1);
  });
});
