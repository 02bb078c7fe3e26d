import {ChangelogReadError, type ChangelogRecord, type OutgoingMessage} from '../../../src/kafka';
import {partitionForKey} from '../../../src/kafka/partitioner';
import {keyless, randomTopic, rawKafka, topicRefusingKeylessMessages, useConnection} from './helpers';

const put = (topic: string, key: string, value: string | null): OutgoingMessage => ({
  topic,
  key: Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
});

async function collect(records: AsyncIterable<ChangelogRecord>): Promise<ChangelogRecord[]> {
  const out: ChangelogRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

/** Compaction semantics: the latest value per key; a tombstone (null) deletes. */
function fold(records: ChangelogRecord[]): Record<string, string> {
  const state = new Map<string, string>();
  for (const r of records) {
    if (r.value === null) state.delete(r.key.toString());
    else state.set(r.key.toString(), r.value.toString());
  }
  return Object.fromEntries([...state].sort(([a], [b]) => a.localeCompare(b)));
}

describe('ChangelogReader.readToEnd (real broker)', () => {
  const kafka = useConnection();

  async function changelog(partitions = 1): Promise<string> {
    const topic = randomTopic('changelog');
    await kafka.connection
      .topicAdmin()
      .ensureTopics([{name: topic, partitions, replicationFactor: 1, cleanupPolicy: 'compact'}]);
    return topic;
  }

  /** As at a restart: a new writer with the id registers (finishing the old one's transactions), then read. */
  async function restartAndRead(topic: string, transactionalId: string): Promise<ChangelogRecord[]> {
    const writer = kafka.connection.transactionalWriter({transactionalId});
    await writer.init();
    const records = await collect(kafka.connection.changelogReader().readToEnd(topic));
    await writer.close();
    return records;
  }

  it('finishes at once on an empty topic', async () => {
    const topic = await changelog(3);
    const started = Date.now();
    const ends: unknown[] = [];
    const records = await collect(
      kafka.connection.changelogReader().readToEnd(topic, {onEndOffsets: (e) => ends.push(...e)})
    );
    expect(records).toEqual([]);
    expect(ends).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('returns exactly the committed records (latest per key, tombstones as null), skipping aborted ones', async () => {
    const topic = await changelog(3);
    const refusing = await topicRefusingKeylessMessages(kafka.connection);
    const transactionalId = `it-reader-${topic}`;
    const writer = kafka.connection.transactionalWriter({transactionalId});
    await writer.writeBatch([put(topic, 'a', 'a1'), put(topic, 'b', 'b1'), put(topic, 'c', 'c1')]);
    await writer.writeBatch([put(topic, 'a', 'a2'), put(topic, 'c', null)]);
    // Aborted: its records are in the log but must not be read back.
    await expect(
      writer.writeBatch([put(topic, 'a', 'ABORTED'), put(topic, 'z', 'ABORTED'), keyless(refusing)])
    ).rejects.toThrow(/INVALID_RECORD/);
    await writer.writeBatch([put(topic, 'd', 'd1')]);
    await writer.close();

    const records = await restartAndRead(topic, transactionalId);
    expect(records.map((r) => r.value?.toString() ?? null).sort()).toEqual(
      ['a1', 'a2', 'b1', 'c1', 'd1', null].sort()
    );
    expect(records.some((r) => r.value?.toString() === 'ABORTED')).toBe(false);
    expect(fold(records)).toEqual({a: 'a2', b: 'b1', d: 'd1'});
    const tombstone = records.find((r) => r.key.toString() === 'c' && r.value === null);
    expect(tombstone).toBeDefined();
    // Per partition, offsets ascend.
    for (const p of new Set(records.map((r) => r.partition))) {
      const offsets = records.filter((r) => r.partition === p).map((r) => BigInt(r.offset));
      expect([...offsets].sort((x, y) => (x < y ? -1 : 1))).toEqual(offsets);
    }
  });

  it('terminates when the tail of the topic is a commit marker or an aborted transaction', async () => {
    const topic = await changelog(1);
    const refusing = await topicRefusingKeylessMessages(kafka.connection);
    const transactionalId = `it-tail-${topic}`;
    const writer = kafka.connection.transactionalWriter({transactionalId});
    await writer.writeBatch([put(topic, 'k', 'v1')]); // offsets: 0 data, 1 commit marker
    let records = await restartAndRead(topic, transactionalId);
    expect(records.map((r) => [r.offset, r.value?.toString()])).toEqual([['0', 'v1']]);

    const writer2 = kafka.connection.transactionalWriter({transactionalId});
    await expect(writer2.writeBatch([put(topic, 'k', 'X'), keyless(refusing)])).rejects.toThrow();
    await writer2.close();
    // Now the tail is: 2 aborted data record, 3 abort marker.
    records = await restartAndRead(topic, transactionalId);
    expect(records.map((r) => r.value?.toString())).toEqual(['v1']);
  });

  it('reads every partition of a multi-partition topic and ignores records committed after the start', async () => {
    const topic = await changelog(4);
    const transactionalId = `it-multi-${topic}`;
    const writer = kafka.connection.transactionalWriter({transactionalId});
    const batch = Array.from({length: 2000}, (_, i) => put(topic, `key-${i}`, `value-${i}`));
    await writer.writeBatch(batch);
    await writer.close();

    const w = kafka.connection.transactionalWriter({transactionalId});
    await w.init();
    const seen: ChangelogRecord[] = [];
    let wroteMore = false;
    for await (const record of kafka.connection.changelogReader().readToEnd(topic)) {
      seen.push(record);
      if (!wroteMore) {
        wroteMore = true;
        await w.writeBatch([put(topic, 'late', 'late')]); // after the read began: beyond its end
      }
    }
    await w.close();
    expect(new Set(seen.map((r) => r.partition)).size).toBe(4);
    expect(seen).toHaveLength(2000);
    expect(seen.some((r) => r.key.toString() === 'late')).toBe(false);
    expect(Object.keys(fold(seen))).toHaveLength(2000);
  });

  it('stops cleanly when the caller breaks out early', async () => {
    const topic = await changelog(1);
    const writer = kafka.connection.transactionalWriter({transactionalId: `it-break-${topic}`});
    await writer.writeBatch(Array.from({length: 100}, (_, i) => put(topic, `k${i}`, `v${i}`)));
    const reader = kafka.connection.changelogReader();
    let count = 0;
    for await (const _record of reader.readToEnd(topic)) {
      count += 1;
      if (count === 10) break;
    }
    expect(count).toBe(10);
    await writer.init();
    await writer.close();
    expect((await collect(reader.readToEnd(topic))).length).toBe(100);
  });

  it("reads one key's partition uncommitted to its end without waiting for an open transaction", async () => {
    const topic = await changelog(3);
    const claim = Buffer.from('claim-key');
    const claimPartition = partitionForKey(claim, 3);
    const writer = kafka.connection.transactionalWriter({transactionalId: `it-uncommitted-${topic}`});
    const committed = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => put(topic, k, `${k}1`));
    await writer.writeBatch(committed);
    await writer.close();
    // A transaction left open on the claim's partition (as by a writer whose abort failed), then a record
    // written outside transactions after it: a committed read would wait for the open one to time out.
    const stuck = rawKafka().producer({
      idempotent: true,
      maxInFlightRequests: 1,
      transactionalId: `stuck-${topic}`,
    });
    await stuck.connect();
    const open = await stuck.transaction();
    await open.send({topic, messages: [{key: claim, value: 'in an open transaction'}]});
    const plain = rawKafka().producer();
    await plain.connect();
    await plain.send({topic, messages: [{key: claim, value: 'newest claim'}]});
    await plain.disconnect();
    try {
      const started = Date.now();
      const records = await collect(
        kafka.connection.changelogReader().readToEnd(topic, {partitionOfKey: claim, readUncommitted: true})
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(new Set(records.map((r) => r.partition))).toEqual(new Set([claimPartition]));
      expect(records.filter((r) => r.key.equals(claim)).map((r) => r.value?.toString())).toEqual([
        'in an open transaction',
        'newest claim',
      ]);
      const expected = committed.filter((m) => partitionForKey(m.key!, 3) === claimPartition);
      expect(records.filter((r) => !r.key.equals(claim)).map((r) => r.key.toString())).toEqual(
        expected.map((m) => m.key!.toString())
      );
    } finally {
      await open.abort();
      await stuck.disconnect();
    }
  });

  it('fails with a non-retriable ChangelogReadError on a missing topic', async () => {
    const read = collect(kafka.connection.changelogReader().readToEnd(randomTopic('missing')));
    await expect(read).rejects.toBeInstanceOf(ChangelogReadError);
    await expect(read).rejects.toMatchObject({retriable: false});
  });
});
