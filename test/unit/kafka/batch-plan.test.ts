import {payloadBytes, planRequests, totalsByTopic} from '../../../src/kafka/batch-plan';
import {batchedRecordBytes} from '../../../src/kafka/record-size';
import type {OutgoingMessage} from '../../../src/kafka/types';

const m = (topic: string, key: string, size: number): OutgoingMessage => ({
  topic,
  key: Buffer.from(key),
  value: Buffer.alloc(size, 1),
});

describe('batch planning', () => {
  it('counts key, value and headers as payload bytes; a tombstone counts its key only', () => {
    expect(
      payloadBytes({
        topic: 't',
        key: Buffer.from('ab'),
        value: Buffer.alloc(10),
        headers: {h: 'xyz', b: Buffer.alloc(4)},
      })
    ).toBe(2 + 10 + 1 + 3 + 1 + 4);
    expect(payloadBytes({topic: 't', key: Buffer.from('ab'), value: null})).toBe(2);
    expect(totalsByTopic([m('a', 'k', 5), m('b', 'k', 1), m('a', 'k', 5)])).toEqual({
      a: {messages: 2, bytes: 12},
      b: {messages: 1, bytes: 2},
    });
  });

  it('groups per topic keeping the order within each topic, in one request when it fits', () => {
    const messages = [m('a', '1', 10), m('b', '2', 10), m('a', '3', 10), m('b', '4', 10)];
    const plan = planRequests(messages, 10_000);
    expect(plan).toHaveLength(1);
    expect(plan[0]?.topicMessages.map((t) => [t.topic, t.messages.map((x) => x.key?.toString())])).toEqual([
      ['a', ['1', '3']],
      ['b', ['2', '4']],
    ]);
  });

  it('splits into requests under the byte limit without reordering, and sends an oversized message alone', () => {
    const messages = Array.from({length: 10}, (_, i) => m('a', String(i), 100));
    messages.splice(5, 0, m('a', 'huge', 5000));
    const plan = planRequests(messages, 500);
    for (const request of plan) {
      if (request.topicMessages[0]?.messages[0]?.key?.toString() !== 'huge')
        expect(request.estimatedBytes).toBeLessThanOrEqual(500);
    }
    const flat = plan.flatMap((r) =>
      r.topicMessages.flatMap((t) => t.messages.map((x) => x.key?.toString()))
    );
    expect(flat).toEqual(messages.map((x) => x.key?.toString()));
    expect(
      plan.find((r) => r.topicMessages[0]?.messages.some((x) => x.key?.toString() === 'huge'))
        ?.topicMessages[0]?.messages
    ).toHaveLength(1);
    expect(plan.length).toBeGreaterThan(3);
    expect(planRequests([], 500)).toEqual([]);
  });

  it('puts smaller topics first, so the first request of a transaction touches every topic', () => {
    const events = Array.from({length: 8}, (_, i) => m('events', `e${i}`, 200));
    const state = Array.from({length: 8}, (_, i) => m('state', `s${i}`, 20));
    const plan = planRequests([...events, ...state, m('dlq', 'd', 50)], 1000);
    expect(plan.length).toBeGreaterThan(1);
    expect(plan[0]?.topicMessages.map((t) => t.topic)).toEqual(['dlq', 'state', 'events']);
    const eventKeys = plan.flatMap((r) =>
      r.topicMessages
        .filter((t) => t.topic === 'events')
        .flatMap((t) => t.messages.map((x) => x.key?.toString()))
    );
    expect(eventKeys).toEqual(events.map((x) => x.key?.toString()));
  });
});

describe('batch planning under topic limits', () => {
  it("keeps each topic's share of a request (hence every partition's batch) under the topic's limit", () => {
    const events = Array.from({length: 20}, (_, i) => m('events', `e${i}`, 300));
    const state = Array.from({length: 20}, (_, i) => m('state', `s${i}`, 20));
    const plan = planRequests([...events, ...state], 900_000, (topic) =>
      topic === 'events' ? 1100 : undefined
    );
    for (const request of plan) {
      const bytes = request.topicMessages
        .filter((t) => t.topic === 'events')
        .reduce((n, t) => n + 61 + t.messages.reduce((k, x) => k + batchedRecordBytes(x), 0), 0);
      expect(bytes).toBeLessThanOrEqual(1100);
    }
    expect(plan.length).toBe(7); // 3 events of 314 bytes (+ 61 per batch) per 1100-byte batch
    const eventKeys = plan.flatMap((r) =>
      r.topicMessages
        .filter((t) => t.topic === 'events')
        .flatMap((t) => t.messages.map((x) => x.key?.toString()))
    );
    expect(eventKeys).toEqual(events.map((x) => x.key?.toString()));
  });
});
