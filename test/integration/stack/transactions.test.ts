/**
 * A transactional, idempotent kafkajs producer commits one transaction and aborts another on a single-partition
 * topic. A read_committed consumer (kafkajs' default) sees exactly the committed records; a read_uncommitted
 * consumer also sees the aborted ones, which proves the first assertion can fail.
 */
import crypto from 'node:crypto';

import {Admin, Consumer, Kafka, Producer} from 'kafkajs';

import {createTopics, randomTopic, testKafka} from '../setup/kafka-helpers';

// jest 30 ignores the project-level testTimeout of jest.config.js: set it for this file.
jest.setTimeout(120_000);

/** Reads values from the beginning until `last` arrives (it is committed after everything else). */
async function readUntil(
  kafka: Kafka,
  topic: string,
  last: string,
  readUncommitted: boolean
): Promise<string[]> {
  const consumer: Consumer = kafka.consumer({
    groupId: `${topic}-${readUncommitted ? 'uncommitted' : 'committed'}`,
    readUncommitted,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({topics: [topic], fromBeginning: true});
    return await new Promise<string[]>((resolve, reject) => {
      const values: string[] = [];
      const timer = setTimeout(
        () => reject(new Error(`did not see "${last}" within 30 s; saw ${JSON.stringify(values)}`)),
        30_000
      );
      void consumer.run({
        eachMessage: async ({message}) => {
          const value = message.value!.toString();
          values.push(value);
          if (value === last) {
            clearTimeout(timer);
            resolve(values);
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('transactions on the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const topic = randomTopic('it.txn');

  beforeAll(async () => {
    kafka = testKafka('it-txn');
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic]);
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `it-txn-${crypto.randomBytes(4).toString('hex')}`,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.deleteTopics({topics: [topic]}).catch(() => undefined);
    await admin?.disconnect();
  });

  it('read_committed sees the committed records only; read_uncommitted also sees the aborted ones', async () => {
    const committed1 = await producer.transaction();
    await committed1.send({
      topic,
      messages: [
        {key: 'k1', value: 'committed-1'},
        {key: 'k2', value: 'committed-2'},
      ],
    });
    await committed1.commit();

    const aborted = await producer.transaction();
    await aborted.send({
      topic,
      messages: [
        {key: 'k3', value: 'aborted-1'},
        {key: 'k4', value: 'aborted-2'},
      ],
    });
    await aborted.abort();

    const committed2 = await producer.transaction();
    await committed2.send({topic, messages: [{key: 'k5', value: 'committed-last'}]});
    await committed2.commit();

    const readCommitted = await readUntil(kafka, topic, 'committed-last', false);
    expect(readCommitted).toEqual(['committed-1', 'committed-2', 'committed-last']);

    const readUncommitted = await readUntil(kafka, topic, 'committed-last', true);
    expect(readUncommitted).toEqual([
      'committed-1',
      'committed-2',
      'aborted-1',
      'aborted-2',
      'committed-last',
    ]);
  });
});
