/**
 * A schema registered through @kafkajs/confluent-schema-registry (subject <topic>-value), a record encoded in the
 * Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro body), produced with kafkajs and read
 * back by a consumer that decodes it through the registry.
 */
import {SchemaRegistry, SchemaType} from '@kafkajs/confluent-schema-registry';
import {Admin, Consumer, Kafka, Producer} from 'kafkajs';

import {createTopics, randomTopic, testKafka} from '../setup/kafka-helpers';
import {schemaRegistryUrl} from '../setup/services';

// jest 30 ignores the project-level testTimeout of jest.config.js: set it for this file.
jest.setTimeout(120_000);

const schema = {
  type: 'record',
  name: 'Campaign',
  namespace: 'it.pinterest_cdc',
  fields: [
    {name: 'id', type: 'string'},
    {name: 'name', type: 'string'},
    {name: 'daily_spend_cap_micro', type: ['null', 'long'], default: null},
  ],
};

describe('registry + wire format through a real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer | undefined;
  const topic = randomTopic('it.wire');

  beforeAll(async () => {
    kafka = testKafka('it-wire');
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [topic]);
    producer = kafka.producer({idempotent: true, maxInFlightRequests: 1});
    await producer.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({topics: [topic]}).catch(() => undefined);
    await admin?.disconnect();
  });

  it('registers under <topic>-value, encodes magic 0 + schema id, and round-trips through Kafka', async () => {
    const registry = new SchemaRegistry({host: schemaRegistryUrl()});
    const subject = `${topic}-value`;
    const {id} = await registry.register({type: SchemaType.AVRO, schema: JSON.stringify(schema)}, {subject});
    expect(Number.isInteger(id)).toBe(true);

    const subjects = (await (await fetch(`${schemaRegistryUrl()}/subjects`)).json()) as string[];
    expect(subjects).toContain(subject);
    expect(await registry.getLatestSchemaId(subject)).toBe(id);
    // Registering identical content again returns the same id.
    expect(
      (await registry.register({type: SchemaType.AVRO, schema: JSON.stringify(schema)}, {subject})).id
    ).toBe(id);

    const record = {id: '549755813888123456', name: 'Spring sale', daily_spend_cap_micro: 25_000_000};
    const encoded = await registry.encode(id, record);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(encoded.length).toBeGreaterThan(5);

    await producer.send({topic, acks: -1, messages: [{key: record.id, value: encoded}]});

    consumer = kafka.consumer({groupId: `${topic}-reader`});
    await consumer.connect();
    await consumer.subscribe({topics: [topic], fromBeginning: true});
    const received = await new Promise<{key: string; value: Buffer}>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 30 s')), 30_000);
      void consumer!.run({
        eachMessage: async ({message}) => {
          clearTimeout(timer);
          resolve({key: message.key!.toString(), value: message.value!});
        },
      });
    });
    expect(received.key).toBe(record.id);
    expect(received.value.equals(encoded)).toBe(true);
    expect(await registry.decode(received.value)).toEqual(record);
  });
});
