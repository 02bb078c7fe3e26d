/**
 * How the writer reads a failed commit. The stubbed seam is the kafkajs client (a fake `Kafka` whose producer's
 * commit fails as told); the behaviour against a real broker is in test/integration/kafka.
 */
import type {Kafka} from 'kafkajs';

import {FencedError, TransactionOutcomeUnknownError} from '../../../src/errors';
import {KafkajsTransactionalWriter} from '../../../src/kafka/transactional-writer';

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const message = {topic: 't', key: Buffer.from('k'), value: Buffer.from('v')};

/** A kafkajs protocol error as kafkajs throws it (type, code, retriable). */
function protocolError(type: string, code: number, retriable: boolean): Error {
  return Object.assign(new Error(`${type} from the broker`), {
    name: 'KafkaJSProtocolError',
    type,
    code,
    retriable,
  });
}

function fakeKafka(commitFailure: () => Error): {kafka: Kafka; producers: number} {
  const state = {producers: 0};
  const producer = () => {
    state.producers += 1;
    let transactions = 0;
    return {
      connect: async () => {},
      disconnect: async () => {},
      transaction: async () => {
        transactions += 1;
        const first = transactions === 1; // the empty transaction init() opens and aborts
        return {
          sendBatch: async () => [],
          commit: async () => {
            if (!first) throw commitFailure();
          },
          abort: async () => {},
          isActive: () => true,
        };
      },
    };
  };
  return {
    kafka: {producer} as unknown as Kafka,
    get producers() {
      return state.producers;
    },
  };
}

const writerOn = (fake: {kafka: Kafka}) =>
  new KafkajsTransactionalWriter({kafka: fake.kafka, logger: silent, options: {transactionalId: 'x'}});

describe('KafkajsTransactionalWriter commit failures', () => {
  it('EndTxn refused with CONCURRENT_TRANSACTIONS means another producer took over: FencedError, for good', async () => {
    const fake = fakeKafka(() => protocolError('CONCURRENT_TRANSACTIONS', 51, true));
    const writer = writerOn(fake);
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(FencedError);
    // It never starts a new producer (whose InitProducerId would fence the newer instance in turn).
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(FencedError);
    expect(fake.producers).toBe(1);
  });

  it('so does UNKNOWN_SERVER_ERROR on EndTxn (the broker failing its PREPARE_EPOCH_FENCE race)', async () => {
    const fake = fakeKafka(() => protocolError('UNKNOWN', -1, false));
    const writer = writerOn(fake);
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(FencedError);
  });

  it('a commit lost to the network leaves the outcome unknown', async () => {
    const fake = fakeKafka(() => Object.assign(new Error('Connection error: ECONNRESET'), {retriable: true}));
    const writer = writerOn(fake);
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(TransactionOutcomeUnknownError);
  });

  it('PRODUCER_FENCED (code 90, unknown to kafkajs) is FencedError', async () => {
    const fake = fakeKafka(() =>
      Object.assign(new Error('Unknown error code 90'), {
        type: 'KAFKAJS_UNKNOWN_ERROR_CODE',
        code: -99,
        retriable: false,
      })
    );
    const writer = writerOn(fake);
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(FencedError);
  });
});
