/** Dead letters as JSON messages, cut to fit the dead-letter topic when the record is too large for it. */
import {singleRecordBatchBytes} from '../../../src/kafka';
import {deadLetterMessage} from '../../../src/sync';

const input = (record: Record<string, unknown>) => ({
  topic: 'p.dlq',
  collection: 'pins',
  shard: 'user',
  syncId: 's1',
  reason: 'kafka_refused' as const,
  error: {type: 'MESSAGE_TOO_LARGE', message: 'Kafka refused the record: too large'},
  record,
  key: {id: '42'},
  nowMs: 1000,
});

describe('deadLetterMessage', () => {
  it('keeps the raw JSON, the reason and the broker error as they are when it fits', () => {
    const record = {id: '42', description: 'x'.repeat(100)};
    const message = deadLetterMessage(input(record), 10_000);
    const body = JSON.parse(message.value!.toString()) as Record<string, unknown>;
    expect(body).toEqual({
      collection: 'pins',
      shard: 'user',
      key: {id: '42'},
      reason: 'kafka_refused',
      error: {type: 'MESSAGE_TOO_LARGE', message: 'Kafka refused the record: too large'},
      sync_id: 's1',
      ts_ms: 1000,
      raw_json: JSON.stringify(record),
    });
    expect(message.key!.toString()).toBe('{"collection":"pins","id":"42"}');
    expect(message.headers).toEqual({collection: 'pins', reason: 'kafka_refused'});
  });

  it.each([
    ['plain text', 'x'],
    ['quotes JSON escapes', '"\\'],
    ['emoji (surrogate pairs)', '\u{1F600}'],
  ])('cuts raw_json of a record too large for the topic, and says so (%s)', (_label, unit) => {
    const record = {id: '42', description: unit.repeat(5000)};
    const limit = 2048;
    const message = deadLetterMessage(input(record), limit);
    expect(singleRecordBatchBytes(message)).toBeLessThanOrEqual(limit);
    expect(singleRecordBatchBytes(message)).toBeGreaterThan(limit - 200);
    const body = JSON.parse(message.value!.toString()) as {
      raw_json: string;
      raw_json_truncated: boolean;
      raw_json_bytes: number;
    };
    expect(body.raw_json_truncated).toBe(true);
    expect(body.raw_json_bytes).toBe(Buffer.byteLength(JSON.stringify(record)));
    expect(JSON.stringify(record).startsWith(body.raw_json)).toBe(true);
    expect(body.raw_json).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});
