import {
  FencedError,
  ProduceError,
  TransactionOutcomeUnknownError,
  type OutgoingMessage,
  type TransactionOutcome,
} from '../../../src/kafka';
import {keyless, randomTopic, readAll, topicRefusingKeylessMessages, useConnection} from './helpers';

const msg = (topic: string, key: string, value: string | null): OutgoingMessage => ({
  topic,
  key: Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
});

describe('TransactionalWriter (real broker)', () => {
  const kafka = useConnection();

  async function topics(...specs: {name: string; config?: Record<string, string>}[]): Promise<void> {
    await kafka.connection
      .topicAdmin()
      .ensureTopics(specs.map((s) => ({...s, partitions: 1, replicationFactor: 1, cleanupPolicy: 'delete'})));
  }

  it('makes a committed batch visible to read_committed consumers, across topics, with headers', async () => {
    const events = randomTopic('events');
    const state = randomTopic('state');
    await topics({name: events}, {name: state});
    const committed: {topic: string; messages: number}[] = [];
    const outcomes: TransactionOutcome[] = [];
    const writer = kafka.connection.transactionalWriter({
      transactionalId: `it-commit-${events}`,
      hooks: {
        onTopicCommitted: (e) => committed.push({topic: e.topic, messages: e.messages}),
        onTransaction: (e) => outcomes.push(e.outcome),
      },
    });

    const result = await writer.writeBatch([
      msg(events, 'a', 'A1'),
      {...msg(state, 'cursor', 'c1'), headers: {source: 'it'}},
      msg(events, 'b', null),
    ]);

    expect(result.messages).toBe(3);
    expect(result.byTopic[events]).toEqual({messages: 2, bytes: 4});
    expect(result.byTopic[state]?.messages).toBe(1);
    expect(outcomes).toEqual(['committed']);
    expect(committed.sort((x, y) => x.topic.localeCompare(y.topic))).toEqual(
      [
        {topic: events, messages: 2},
        {topic: state, messages: 1},
      ].sort((x, y) => x.topic.localeCompare(y.topic))
    );
    const seen = await readAll(events, {readUncommitted: false});
    expect(seen.map((r) => [r.key, r.value])).toEqual([
      ['a', 'A1'],
      ['b', null],
    ]);
    expect((await readAll(state, {readUncommitted: false})).map((r) => r.value)).toEqual(['c1']);
    await writer.close();
  });

  it('aborts a batch that fails mid-transaction: nothing of it is visible to read_committed', async () => {
    const events = randomTopic('events');
    await topics({name: events});
    // The injected failure: a record the broker refuses (INVALID_RECORD, not retriable), after the events.
    const small = await topicRefusingKeylessMessages(kafka.connection);
    const outcomes: TransactionOutcome[] = [];
    const errors: {topic: string; retriable: boolean}[] = [];
    const writer = kafka.connection.transactionalWriter({
      transactionalId: `it-abort-${events}`,
      maxRequestBytes: 1000, // one request per topic here: the first one is written before the second fails
      hooks: {onTransaction: (e) => outcomes.push(e.outcome), onProduceError: (e) => errors.push(e)},
    });
    await writer.writeBatch([msg(events, 'k0', 'committed-before')]);

    const failing = writer.writeBatch([
      msg(events, 'k1', 'aborted-1'),
      msg(events, 'k2', 'aborted-2'),
      keyless(small),
    ]);
    await expect(failing).rejects.toBeInstanceOf(ProduceError);
    await expect(failing).rejects.toMatchObject({retriable: false});
    await expect(failing).rejects.not.toBeInstanceOf(TransactionOutcomeUnknownError);
    expect(outcomes).toEqual(['committed', 'aborted']);
    expect(errors).toEqual(
      expect.arrayContaining([
        {topic: events, retriable: false},
        {topic: small, retriable: false},
      ])
    );

    // The aborted records did reach the log (read_uncommitted sees them) ...
    const raw = await readAll(events, {readUncommitted: true});
    expect(raw.map((r) => r.value)).toEqual(['committed-before', 'aborted-1', 'aborted-2']);
    // ... but read_committed does not.
    expect((await readAll(events, {readUncommitted: false})).map((r) => r.value)).toEqual([
      'committed-before',
    ]);

    // The writer recovers: the next batch commits.
    await writer.writeBatch([msg(events, 'k3', 'after')]);
    expect((await readAll(events, {readUncommitted: false})).map((r) => r.value)).toEqual([
      'committed-before',
      'after',
    ]);
    await writer.close();
  });

  it('fences the first writer when a second one starts with the same transactional id', async () => {
    const events = randomTopic('events');
    await topics({name: events});
    const transactionalId = `it-fence-${events}`;
    const outcomes: TransactionOutcome[] = [];
    const first = kafka.connection.transactionalWriter({
      transactionalId,
      hooks: {onTransaction: (e) => outcomes.push(e.outcome)},
    });
    await first.writeBatch([msg(events, 'k', 'from-first-1')]);

    const second = kafka.connection.transactionalWriter({transactionalId});
    await second.init(); // registers the id: epoch bump fences `first`

    const zombie = first.writeBatch([msg(events, 'k', 'from-first-2')]);
    await expect(zombie).rejects.toBeInstanceOf(FencedError);
    await expect(zombie).rejects.toMatchObject({retriable: false});
    expect(outcomes).toEqual(['committed', 'fenced']);
    // Stays fenced: it never tries again.
    await expect(first.writeBatch([msg(events, 'k', 'from-first-3')])).rejects.toBeInstanceOf(FencedError);

    await second.writeBatch([msg(events, 'k', 'from-second')]);
    const visible = (await readAll(events, {readUncommitted: false})).map((r) => r.value);
    expect(visible).toEqual(['from-first-1', 'from-second']);
    await first.close();
    await second.close();
  });

  it('fences a writer whose open transaction is taken over mid-batch (no duplicate visible)', async () => {
    const events = randomTopic('events');
    await topics({name: events});
    const transactionalId = `it-fence-mid-${events}`;
    const first = kafka.connection.transactionalWriter({transactionalId, maxRequestBytes: 200});
    await first.init();
    const second = kafka.connection.transactionalWriter({transactionalId});
    // Many small requests keep `first`'s transaction open while `second` registers the same id.
    const batch = Array.from({length: 400}, (_, i) => msg(events, `k${i}`, `v${i}`.padEnd(100, '.')));
    const zombie = first.writeBatch(batch);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await second.init();
    await expect(zombie).rejects.toBeInstanceOf(FencedError);
    await second.writeBatch([msg(events, 'k', 'from-second')]);
    const visible = (await readAll(events, {readUncommitted: false})).map((r) => r.value);
    expect(visible).toEqual(['from-second']);
    await first.close();
    await second.close();
  });

  it('splits a large batch into several requests within one transaction and serializes concurrent calls', async () => {
    const events = randomTopic('events');
    await topics({name: events});
    const writer = kafka.connection.transactionalWriter({
      transactionalId: `it-big-${events}`,
      maxRequestBytes: 64 * 1024,
    });
    const value = 'v'.repeat(600);
    const batches = [0, 1, 2].map((b) =>
      Array.from({length: 500}, (_, i) => msg(events, `k${b}-${i}`, `${b}-${i}-${value}`))
    );
    // Three writeBatch calls at once: they queue, each is its own transaction, order is kept.
    const results = await Promise.all(batches.map((b) => writer.writeBatch(b)));
    expect(results.map((r) => r.messages)).toEqual([500, 500, 500]);
    const visible = await readAll(events, {readUncommitted: false});
    expect(visible).toHaveLength(1500);
    expect(visible.map((r) => r.key)).toEqual(batches.flat().map((m) => m.key?.toString()));
    await writer.close();
  });
});
