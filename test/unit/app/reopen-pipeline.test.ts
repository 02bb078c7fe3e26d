/** reopenPipeline: what the service does after a batch of unknown outcome while Kafka may still be down. */
import {reopenPipeline} from '../../../src/app';
import type {Pipeline} from '../../../src/app';
import {CdcError, FencedError} from '../../../src/errors';

const logger = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const pipeline = {} as Pipeline;

describe('reopenPipeline', () => {
  it('retries with growing delays until Kafka answers again', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const opened = await reopenPipeline(
      async () => {
        attempts += 1;
        if (attempts < 4) throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
        return pipeline;
      },
      new AbortController().signal,
      async (ms) => {
        delays.push(ms);
      },
      logger
    );
    expect(opened).toBe(pipeline);
    expect(attempts).toBe(4);
    expect(delays).toEqual([1000, 2000, 4000]);
  });

  it('gives up with the last error once the service is stopping', async () => {
    const stop = new AbortController();
    let attempts = 0;
    const reopening = reopenPipeline(
      async () => {
        attempts += 1;
        throw new Error(`still down (${attempts})`);
      },
      stop.signal,
      async () => {
        if (attempts === 2) stop.abort();
      },
      logger
    );
    await expect(reopening).rejects.toThrow('still down (3)');
  });

  it('stops at once when another instance has taken the transactional id (its ownership check says so)', async () => {
    let attempts = 0;
    const fenced = new FencedError('another instance took transactional id x');
    const reopening = reopenPipeline(
      async () => {
        attempts += 1;
        throw fenced;
      },
      new AbortController().signal,
      async () => {},
      logger
    );
    await expect(reopening).rejects.toBe(fenced);
    expect(attempts).toBe(1);
  });

  it('fails at once on an error retryIf refuses (the first start: a schema the registry rejects)', async () => {
    let attempts = 0;
    const refused = new CdcError('Schema registration failed: incompatible', {retriable: false});
    const opening = reopenPipeline(
      async () => {
        attempts += 1;
        if (attempts === 1)
          throw new CdcError('ensureTopics failed: UNKNOWN_TOPIC_OR_PARTITION', {retriable: true});
        throw refused;
      },
      new AbortController().signal,
      async () => {},
      logger,
      (error) => error instanceof CdcError && error.retriable
    );
    await expect(opening).rejects.toBe(refused);
    expect(attempts).toBe(2);
  });
});
