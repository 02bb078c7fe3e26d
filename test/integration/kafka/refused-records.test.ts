/**
 * Records Kafka refuses for what they are, against the real broker: the size the writer computes is the one the
 * broker checks against max.message.bytes (to the byte), an oversized record is refused before anything is
 * sent, a limit lowered behind the writer's back and a record the broker's validation refuses are found after
 * the fact; in every case nothing of the batch is visible to read_committed and the rest can be sent again.
 */
import {RecordsRefusedError, singleRecordBatchBytes, type OutgoingMessage} from '../../../src/kafka';
import {
  keyless,
  randomTopic,
  rawKafka,
  readAll,
  setMaxMessageBytes,
  topicRefusingKeylessMessages,
  useConnection,
} from './helpers';

const msg = (topic: string, key: string, valueBytes: number): OutgoingMessage => ({
  topic,
  key: Buffer.from(key),
  value: Buffer.alloc(valueBytes, 'v'.charCodeAt(0)),
});

/** A message whose batch of one is exactly `bytes` long. */
function sizedTo(topic: string, key: string, bytes: number): OutgoingMessage {
  let valueBytes = bytes - 61;
  while (singleRecordBatchBytes(msg(topic, key, valueBytes)) > bytes) valueBytes -= 1;
  const m = msg(topic, key, valueBytes);
  expect(singleRecordBatchBytes(m)).toBe(bytes);
  return m;
}

describe('records Kafka refuses (real broker)', () => {
  const kafka = useConnection();

  async function topicWithLimit(limit: number): Promise<string> {
    const name = randomTopic('limited');
    await kafka.connection.topicAdmin().ensureTopics([
      {
        name,
        partitions: 1,
        replicationFactor: 1,
        cleanupPolicy: 'delete',
        config: {'max.message.bytes': String(limit)},
      },
    ]);
    return name;
  }

  it('computes the size the broker checks, to the byte, and refuses an oversized record before sending', async () => {
    const topic = await topicWithLimit(2000);
    const atLimit = sizedTo(topic, 'at', 2000);
    const over = sizedTo(topic, 'over', 2001);

    // The broker itself: a batch of exactly max.message.bytes passes, one byte more is refused.
    const producer = rawKafka().producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `raw-${topic}`,
    });
    await producer.connect();
    try {
      const txn = await producer.transaction();
      await txn.send({topic, messages: [{key: atLimit.key, value: atLimit.value}]});
      await expect(txn.send({topic, messages: [{key: over.key, value: over.value}]})).rejects.toMatchObject({
        type: 'MESSAGE_TOO_LARGE',
      });
      await txn.abort();
    } finally {
      await producer.disconnect();
    }

    const writer = kafka.connection.transactionalWriter({transactionalId: `it-size-${topic}`});
    const failure = writer.writeBatch([msg(topic, 'small', 10), over]);
    await expect(failure).rejects.toBeInstanceOf(RecordsRefusedError);
    await expect(failure).rejects.toMatchObject({
      refused: [{index: 1, reason: 'MESSAGE_TOO_LARGE', detail: expect.stringContaining('2001 bytes')}],
      retriable: false,
    });
    await writer.writeBatch([msg(topic, 'small', 10), atLimit]);
    expect((await readAll(topic, {readUncommitted: false})).map((r) => r.key)).toEqual(['small', 'at']);
    await writer.close();
  });

  it('packs many records into batches under a low limit (none refused for their combined size)', async () => {
    const topic = await topicWithLimit(3000);
    const writer = kafka.connection.transactionalWriter({transactionalId: `it-pack-${topic}`});
    const batch = Array.from({length: 60}, (_, i) => msg(topic, `k${i}`, 500));
    await writer.writeBatch(batch);
    expect(await readAll(topic, {readUncommitted: false})).toHaveLength(60);
    await writer.close();
  });

  it('finds a record refused because the limit was lowered after the writer read it', async () => {
    const topic = await topicWithLimit(100_000);
    const writer = kafka.connection.transactionalWriter({transactionalId: `it-lowered-${topic}`});
    await writer.writeBatch([msg(topic, 'before', 10)]);
    await setMaxMessageBytes(topic, 1000);

    const failure = writer.writeBatch([msg(topic, 'a', 10), msg(topic, 'large', 5000), msg(topic, 'b', 10)]);
    await expect(failure).rejects.toMatchObject({refused: [{index: 1, reason: 'MESSAGE_TOO_LARGE'}]});
    await writer.writeBatch([msg(topic, 'a', 10), msg(topic, 'b', 10)]);
    expect((await readAll(topic, {readUncommitted: false})).map((r) => r.key)).toEqual(['before', 'a', 'b']);
    await writer.close();
  });

  it('finds the one record the broker validation refuses among many, by probing; nothing else is lost', async () => {
    const topic = await topicRefusingKeylessMessages(kafka.connection);
    const writer = kafka.connection.transactionalWriter({transactionalId: `it-probe-${topic}`});
    const good = Array.from({length: 40}, (_, i) => msg(topic, `k${i}`, 20));
    const batch = [...good.slice(0, 17), keyless(topic), ...good.slice(17)];
    const failure = writer.writeBatch(batch);
    await expect(failure).rejects.toMatchObject({refused: [{index: 17, reason: 'INVALID_RECORD'}]});
    expect(await readAll(topic, {readUncommitted: false})).toEqual([]);

    await writer.writeBatch(good);
    expect((await readAll(topic, {readUncommitted: false})).map((r) => r.key)).toEqual(
      good.map((m) => m.key!.toString())
    );
    await writer.close();
  });
});
