/**
 * How the writer reads a failed transaction: commit failures, the broker's epoch bump (with and without an
 * ownership check), and records Kafka refuses. The stubbed seam is the kafkajs client (a fake `Kafka` whose
 * producers fail as told); the behaviour against a real broker is in test/integration/kafka.
 */
import type {Kafka} from 'kafkajs';

import {
  FencedError,
  ProduceError,
  RecordsRefusedError,
  TransactionAbortedByBrokerError,
  TransactionOutcomeUnknownError,
} from '../../../src/errors';
import type {TopicLimits} from '../../../src/kafka/topic-limits';
import {KafkajsTransactionalWriter} from '../../../src/kafka/transactional-writer';
import type {OutgoingMessage, TransactionalIdOwnership} from '../../../src/kafka/types';

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const message = {topic: 't', key: Buffer.from('k'), value: Buffer.from('v')};
const sized = (key: string, bytes: number): OutgoingMessage => ({
  topic: 't',
  key: Buffer.from(key),
  value: Buffer.alloc(bytes, 1),
});

/** A kafkajs protocol error as kafkajs throws it (type, code, retriable). */
function protocolError(type: string, code: number, retriable: boolean): Error {
  return Object.assign(new Error(`${type} from the broker`), {
    name: 'KafkaJSProtocolError',
    type,
    code,
    retriable,
  });
}

const epochBumped = () => protocolError('INVALID_PRODUCER_EPOCH', 47, false);
const tooLarge = () => protocolError('MESSAGE_TOO_LARGE', 10, false);

interface SentMessage {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
}

interface FakeBehaviour {
  /** Called for every produce request (throw to fail it). */
  onSend?(transactionalId: string, messages: SentMessage[]): void;
  /** Called for every commit of a transaction that sent something (throw to fail it). */
  onCommit?(transactionalId: string): void;
}

function fakeKafka(behaviour: FakeBehaviour = {}) {
  const state = {producers: [] as string[], committed: [] as SentMessage[][], aborted: 0};
  const producer = ({transactionalId}: {transactionalId: string}) => {
    state.producers.push(transactionalId);
    return {
      connect: async () => {},
      disconnect: async () => {},
      transaction: async () => {
        const sent: SentMessage[] = [];
        let active = true;
        return {
          sendBatch: async ({topicMessages}: {topicMessages: {topic: string; messages: SentMessage[]}[]}) => {
            const messages = topicMessages.flatMap((t) => t.messages.map((m) => ({...m, topic: t.topic})));
            behaviour.onSend?.(transactionalId, messages);
            sent.push(...messages);
          },
          commit: async () => {
            if (sent.length > 0) behaviour.onCommit?.(transactionalId);
            active = false;
            state.committed.push(sent);
          },
          abort: async () => {
            active = false;
            state.aborted += 1;
          },
          isActive: () => active,
        };
      },
    };
  };
  return {kafka: {producer} as unknown as Kafka, state};
}

function writerOn(
  fake: {kafka: Kafka},
  extra: {ownership?: TransactionalIdOwnership; limits?: TopicLimits} = {}
): KafkajsTransactionalWriter {
  return new KafkajsTransactionalWriter({
    kafka: fake.kafka,
    logger: silent,
    options: {transactionalId: 'x', ownership: extra.ownership},
    limits: extra.limits,
  });
}

function countingOwnership(failAt?: number): TransactionalIdOwnership & {calls: number} {
  const ownership = {
    calls: 0,
    acquire: async () => {
      ownership.calls += 1;
      if (ownership.calls === failAt) throw new FencedError('another instance took transactional id x');
    },
  };
  return ownership;
}

/** Limits answered per call: the first answer until refreshed, then the second. */
function limitsOf(first: number | undefined, afterRefresh = first): TopicLimits & {reads: number} {
  const limits = {
    reads: 0,
    batchLimits: async (topics: readonly string[], options?: {refresh?: boolean}) => {
      limits.reads += 1;
      return new Map(topics.map((t) => [t, options?.refresh ? afterRefresh : first]));
    },
  };
  return limits;
}

describe('KafkajsTransactionalWriter commit failures without an ownership check', () => {
  it('EndTxn refused with CONCURRENT_TRANSACTIONS means another producer took over: FencedError, for good', async () => {
    const fake = fakeKafka({
      onCommit: () => {
        throw protocolError('CONCURRENT_TRANSACTIONS', 51, true);
      },
    });
    const writer = writerOn(fake);
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(FencedError);
    // It never starts a new producer (whose InitProducerId would fence the newer instance in turn).
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(FencedError);
    expect(fake.state.producers).toEqual(['x']);
  });

  it('so does UNKNOWN_SERVER_ERROR on EndTxn (the broker failing its PREPARE_EPOCH_FENCE race)', async () => {
    const fake = fakeKafka({
      onCommit: () => {
        throw protocolError('UNKNOWN', -1, false);
      },
    });
    await expect(writerOn(fake).writeBatch([message])).rejects.toBeInstanceOf(FencedError);
  });

  it('a commit lost to the network leaves the outcome unknown', async () => {
    const fake = fakeKafka({
      onCommit: () => {
        throw Object.assign(new Error('Connection error: ECONNRESET'), {retriable: true});
      },
    });
    await expect(writerOn(fake).writeBatch([message])).rejects.toBeInstanceOf(TransactionOutcomeUnknownError);
  });

  it('PRODUCER_FENCED (code 90, unknown to kafkajs) is FencedError', async () => {
    const fake = fakeKafka({
      onCommit: () => {
        throw Object.assign(new Error('Unknown error code 90'), {
          type: 'KAFKAJS_UNKNOWN_ERROR_CODE',
          code: -99,
          retriable: false,
        });
      },
    });
    await expect(writerOn(fake).writeBatch([message])).rejects.toBeInstanceOf(FencedError);
  });
});

describe('KafkajsTransactionalWriter with an ownership check', () => {
  it('an epoch bump (timeout or newer instance: INVALID_PRODUCER_EPOCH) is retriable; the check runs before the next producer', async () => {
    let failures = 1;
    const fake = fakeKafka({
      onCommit: () => {
        if (failures-- > 0) throw epochBumped();
      },
    });
    const ownership = countingOwnership();
    const writer = writerOn(fake, {ownership});
    const failure = writer.writeBatch([message]);
    await expect(failure).rejects.toBeInstanceOf(TransactionAbortedByBrokerError);
    await expect(failure).rejects.toMatchObject({retriable: true});
    expect(ownership.calls).toBe(1);

    await writer.writeBatch([message]);
    expect(ownership.calls).toBe(2);
    expect(fake.state.producers).toEqual(['x', 'x']);
  });

  it('an epoch bump on a produce request reads the same; so does CONCURRENT_TRANSACTIONS on EndTxn', async () => {
    const onSend = fakeKafka({
      onSend: () => {
        throw epochBumped();
      },
    });
    await expect(
      writerOn(onSend, {ownership: countingOwnership()}).writeBatch([message])
    ).rejects.toBeInstanceOf(TransactionAbortedByBrokerError);
    const concurrent = fakeKafka({
      onCommit: () => {
        throw protocolError('CONCURRENT_TRANSACTIONS', 51, true);
      },
    });
    await expect(
      writerOn(concurrent, {ownership: countingOwnership()}).writeBatch([message])
    ).rejects.toBeInstanceOf(TransactionAbortedByBrokerError);
  });

  it('a newer owner found by the check stops the writer for good, without a new producer', async () => {
    const fake = fakeKafka({
      onCommit: () => {
        throw epochBumped();
      },
    });
    const ownership = countingOwnership(2);
    const writer = writerOn(fake, {ownership});
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(TransactionAbortedByBrokerError);
    await expect(writer.writeBatch([message])).rejects.toThrow(/another instance took transactional id x/);
    await expect(writer.writeBatch([message])).rejects.toBeInstanceOf(FencedError);
    expect(ownership.calls).toBe(2);
    expect(fake.state.producers).toEqual(['x']);
  });

  it('UNKNOWN_SERVER_ERROR on EndTxn leaves the outcome unknown (the service reopens, checking ownership first)', async () => {
    const fake = fakeKafka({
      onCommit: () => {
        throw protocolError('UNKNOWN', -1, false);
      },
    });
    await expect(
      writerOn(fake, {ownership: countingOwnership()}).writeBatch([message])
    ).rejects.toBeInstanceOf(TransactionOutcomeUnknownError);
  });
});

describe('KafkajsTransactionalWriter and records Kafka refuses', () => {
  it('refuses a message over its topic limit before sending anything', async () => {
    const fake = fakeKafka();
    const writer = writerOn(fake, {limits: limitsOf(200)});
    const failure = writer.writeBatch([sized('a', 10), sized('b', 500), sized('c', 10)]);
    await expect(failure).rejects.toBeInstanceOf(RecordsRefusedError);
    const refused = ((await failure.catch((e: unknown) => e)) as RecordsRefusedError).refused;
    expect(refused).toEqual([
      {
        index: 1,
        reason: 'MESSAGE_TOO_LARGE',
        detail: expect.stringMatching(/571 bytes .* over the 200 bytes topic t accepts/),
      },
    ]);
    expect(fake.state.producers).toEqual([]);
    await writer.writeBatch([sized('a', 10), sized('c', 10)]);
    expect(fake.state.committed.at(-1)).toHaveLength(2);
  });

  it('finds the message the broker refused by probing halves in aborted transactions of its own id', async () => {
    const sends: string[][] = [];
    const fake = fakeKafka({
      onSend: (id, messages) => {
        sends.push([id, ...messages.map((m) => m.key!.toString())]);
        if (messages.some((m) => m.value!.length > 100)) throw tooLarge();
      },
    });
    const writer = writerOn(fake, {limits: limitsOf(undefined)});
    const batch = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => sized(k, k === 'e' ? 300 : 10));
    const failure = writer.writeBatch(batch);
    await expect(failure).rejects.toBeInstanceOf(RecordsRefusedError);
    const refused = ((await failure.catch((e: unknown) => e)) as RecordsRefusedError).refused;
    expect(refused).toEqual([{index: 4, reason: 'MESSAGE_TOO_LARGE', detail: expect.any(String)}]);
    // Nothing committed, every probe under its own id, about 2 log2(n) of them.
    expect(fake.state.committed.filter((c) => c.length > 0)).toEqual([]);
    const probes = sends.filter(([id]) => id === 'x.probe');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    expect(probes.length).toBeLessThanOrEqual(6);
    expect(probes).toContainEqual(['x.probe', 'e']);

    await writer.writeBatch(batch.filter((_, i) => i !== 4));
    expect(fake.state.committed.at(-1)?.map((m) => m.key!.toString())).toEqual([
      'a',
      'b',
      'c',
      'd',
      'f',
      'g',
    ]);
  });

  it('a topic limit lowered since it was read is found by reading it again, without probes', async () => {
    const fake = fakeKafka({
      onSend: (_id, messages) => {
        if (messages.some((m) => m.value!.length > 100)) throw tooLarge();
      },
    });
    const writer = writerOn(fake, {limits: limitsOf(1_000_000, 150)});
    const failure = writer.writeBatch([sized('a', 10), sized('b', 300)]);
    await expect(failure).rejects.toMatchObject({refused: [{index: 1, reason: 'MESSAGE_TOO_LARGE'}]});
    expect(fake.state.producers).not.toContain('x.probe');
  });

  it('refuses nothing when only the combination was too large (each message passes alone)', async () => {
    const fake = fakeKafka({
      onSend: (_id, messages) => {
        if (messages.length > 1) throw protocolError('RECORD_LIST_TOO_LARGE', 18, false);
      },
    });
    const failure = writerOn(fake).writeBatch([sized('a', 10), sized('b', 10)]);
    await expect(failure).rejects.toBeInstanceOf(ProduceError);
    await expect(failure).rejects.not.toBeInstanceOf(RecordsRefusedError);
    await expect(failure).rejects.toMatchObject({retriable: false});
  });

  it('a Kafka-level failure (authorization) is not about a record: no probe, no refusal', async () => {
    const fake = fakeKafka({
      onSend: () => {
        throw protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false);
      },
    });
    const failure = writerOn(fake).writeBatch([message]);
    await expect(failure).rejects.toBeInstanceOf(ProduceError);
    await expect(failure).rejects.not.toBeInstanceOf(RecordsRefusedError);
    expect(fake.state.producers).toEqual(['x']);
  });
});

describe('KafkajsTransactionalWriter commits that never reached the coordinator', () => {
  it.each([
    [
      'COORDINATOR_LOAD_IN_PROGRESS (a broker just resumed)',
      () => protocolError('GROUP_LOAD_IN_PROGRESS', 14, true),
    ],
    ['NOT_COORDINATOR', () => protocolError('NOT_COORDINATOR_FOR_GROUP', 16, true)],
    [
      'no coordinator found',
      () =>
        Object.assign(new Error('Failed to find group coordinator'), {
          name: 'KafkaJSGroupCoordinatorNotFound',
          retriable: false,
        }),
    ],
  ])(
    '%s: not committed, retriable (the next producer aborts the open transaction)',
    async (_label, failure) => {
      let failures = 1;
      const fake = fakeKafka({
        onCommit: () => {
          if (failures-- > 0) throw failure();
        },
      });
      const writer = writerOn(fake, {ownership: countingOwnership()});
      const first = writer.writeBatch([message]);
      await expect(first).rejects.toBeInstanceOf(ProduceError);
      await expect(first).rejects.not.toBeInstanceOf(TransactionOutcomeUnknownError);
      await expect(first).rejects.toMatchObject({retriable: true});
      await writer.writeBatch([message]);
      expect(fake.state.producers).toEqual(['x', 'x']);
    }
  );
});
