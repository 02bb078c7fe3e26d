/**
 * StateTopicOwnership: a claim before the first InitProducerId, a check before every later one. The stubbed seams
 * are the plain append and the changelog reader (an in-memory topic); the real broker is in
 * test/integration/kafka/ownership.test.ts.
 */
import {FencedError} from '../../../src/errors';
import {decodeOwnerClaim, OwnerIdentity, StateTopicOwnership} from '../../../src/kafka/ownership';
import type {ChangelogRecord, OutgoingMessage} from '../../../src/kafka/types';

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

function memoryTopic() {
  const records: ChangelogRecord[] = [];
  return {
    records,
    reads: 0,
    append: async (m: OutgoingMessage) => {
      records.push({key: m.key!, value: m.value, partition: 0, offset: String(records.length)});
    },
    reader: {
      readToEnd(): AsyncIterable<ChangelogRecord> {
        const snapshot = [...records];
        return (async function* () {
          yield* snapshot;
        })();
      },
    },
  };
}

const claimKey = Buffer.from([1, 5, ...Buffer.from('pinterest-cdc.p.default')]);

function ownershipOf(topic: ReturnType<typeof memoryTopic>, owner: OwnerIdentity) {
  return new StateTopicOwnership({
    append: topic.append,
    reader: topic.reader,
    logger: silent,
    topic: 'p.state',
    claimKey,
    transactionalId: 'pinterest-cdc.p.default',
    owner,
  });
}

describe('StateTopicOwnership', () => {
  it('claims on the first acquire, then confirms while its claim is the newest', async () => {
    const topic = memoryTopic();
    topic.records.push({key: Buffer.from([1, 1, 0]), value: Buffer.from([1]), partition: 0, offset: '0'});
    const owner = new OwnerIdentity();
    const ownership = ownershipOf(topic, owner);
    await ownership.acquire();
    expect(topic.records).toHaveLength(2);
    expect(decodeOwnerClaim(topic.records[1]!.value)).toMatchObject({owner: owner.token, pid: process.pid});
    await ownership.acquire();
    await ownership.acquire();
    expect(topic.records).toHaveLength(2); // checked, not claimed again
  });

  it('a newer instance claiming after it makes its next acquire fail with FencedError', async () => {
    const topic = memoryTopic();
    const older = ownershipOf(topic, new OwnerIdentity());
    await older.acquire();
    const newer = ownershipOf(topic, new OwnerIdentity());
    await newer.acquire();
    await expect(older.acquire()).rejects.toBeInstanceOf(FencedError);
    await expect(older.acquire()).rejects.toThrow(
      /another instance took transactional id pinterest-cdc\.p\.default/
    );
    // The newer one, fenced back once by the older one's retry, finds its own claim newest and goes on.
    await newer.acquire();
  });

  it('a reopened pipeline of the same process (same identity) checks instead of claiming again', async () => {
    const topic = memoryTopic();
    const owner = new OwnerIdentity();
    await ownershipOf(topic, owner).acquire();
    await ownershipOf(topic, new OwnerIdentity()).acquire();
    await expect(ownershipOf(topic, owner).acquire()).rejects.toBeInstanceOf(FencedError);
    expect(topic.records).toHaveLength(2);
  });

  it('claims again when its claim is gone (topic deleted and created again)', async () => {
    const topic = memoryTopic();
    const owner = new OwnerIdentity();
    const ownership = ownershipOf(topic, owner);
    await ownership.acquire();
    topic.records.length = 0;
    await ownership.acquire();
    expect(decodeOwnerClaim(topic.records[0]!.value)?.owner).toBe(owner.token);
  });

  it('ignores values it cannot read', () => {
    expect(decodeOwnerClaim(null)).toBeUndefined();
    expect(decodeOwnerClaim(Buffer.from([9, 1, 2]))).toBeUndefined();
    expect(decodeOwnerClaim(Buffer.from([1, 123]))).toBeUndefined();
  });
});
