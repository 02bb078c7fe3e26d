/** Small helpers for integration tests: random topic names, explicit topic creation, clients. */
import crypto from 'node:crypto';

import {Admin, Kafka, logLevel} from 'kafkajs';

import {kafkaBrokers} from './services';

/** A fresh topic name, safe for Kafka and for Avro-derived subject names. */
export function randomTopic(prefix = 'it'): string {
  return `${prefix}.${crypto.randomBytes(6).toString('hex')}`;
}

/** kafkajs logs retried protocol errors (coordinator loading, concurrent transactions) at ERROR: silenced here;
 * a failure that matters reaches the test as a rejected promise. */
export function testKafka(clientId = 'pinterest-cdc-it'): Kafka {
  return new Kafka({clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING});
}

/** Creates topics explicitly and waits for their leaders (the broker never auto-creates). */
export async function createTopics(admin: Admin, topics: string[], numPartitions = 1): Promise<void> {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({topic, numPartitions, replicationFactor: 1})),
  });
  if (!created) throw new Error(`topics already existed: ${topics.join(', ')}`);
}
