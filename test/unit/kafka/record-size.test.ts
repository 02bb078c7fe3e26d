/**
 * Record sizes as the broker counts them against max.message.bytes, checked against kafkajs' own encoding of a
 * RecordBatch (what it puts on the wire for one partition of a produce request).
 */
import {batchedRecordBytes, recordBytes, singleRecordBatchBytes} from '../../../src/kafka/record-size';
import type {OutgoingMessage} from '../../../src/kafka/types';

// kafkajs internals, used as the reference encoding (the same modules its produce request uses).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => {size(): number};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const {RecordBatch} = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(b: object): Promise<{size(): number}>;
};

async function kafkajsBatchBytes(messages: OutgoingMessage[]): Promise<number> {
  const records = messages.map((m, i) =>
    Record({key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: 0})
  );
  return (await RecordBatch({records, transactional: true, lastOffsetDelta: records.length - 1})).size();
}

const message = (key: string | null, valueBytes: number | null, headers?: Record<string, string>) => ({
  topic: 't',
  key: key === null ? null : Buffer.from(key),
  value: valueBytes === null ? null : Buffer.alloc(valueBytes, 7),
  ...(headers ? {headers} : {}),
});

describe('record sizes', () => {
  it.each([
    ['small', message('k', 10)],
    ['tombstone', message('key-1', null)],
    ['keyless with headers', message(null, 300, {collection: 'pins', reason: 'kafka_refused'})],
    ['varint boundary 63/64', message('k', 60)],
    ['varint boundary 8191/8192', message('key', 8186)],
    ['1 MiB', message('{"collection":"pins","id":"1"}', 1 << 20)],
  ])('a batch of one %s record is exactly what kafkajs encodes', async (_label, m) => {
    expect(singleRecordBatchBytes(m)).toBe(await kafkajsBatchBytes([m]));
  });

  it('the per-record budget bounds a batch of many records from above', async () => {
    const messages = Array.from({length: 300}, (_, i) => message(`key-${i}`, (i * 37) % 500));
    const budget = 61 + messages.reduce((n, m) => n + batchedRecordBytes(m), 0);
    const actual = await kafkajsBatchBytes(messages);
    expect(budget).toBeGreaterThanOrEqual(actual);
    expect(budget - actual).toBeLessThanOrEqual(3 * messages.length);
    expect(recordBytes(messages[5]!, 5)).toBeLessThan(batchedRecordBytes(messages[5]!));
  });
});
