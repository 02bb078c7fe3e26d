import {randomBytes} from 'node:crypto';

import type {PartitionerArgs, PartitionMetadata} from 'kafkajs';

import {JavaCompatiblePartitioner, murmur2, partitionForKey} from '../../../src/kafka/partitioner';

// kafkajs' own implementation (64-bit Long arithmetic), the reference the fast one must match bit for bit.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: Buffer
) => number;

const partitions = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({length: count}, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

const args = (message: PartitionerArgs['message'], metadata = partitions(6)): PartitionerArgs => ({
  topic: 't',
  partitionMetadata: metadata,
  message,
});

describe('murmur2', () => {
  it("gives the Java client's values (Kafka UtilsTest vectors)", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [text, expected] of vectors) expect(murmur2(Buffer.from(text))).toBe(expected);
  });

  it("equals kafkajs' implementation on 5,000 random keys of every length remainder", () => {
    const mismatches: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const key = randomBytes(i % 97);
      if (murmur2(key) !== kafkajsMurmur2(key)) mismatches.push(key.toString('hex'));
    }
    expect(mismatches).toEqual([]);
  });
});

describe('JavaCompatiblePartitioner', () => {
  it('maps a key exactly as kafkajs DefaultPartitioner does', () => {
    const partition = JavaCompatiblePartitioner();
    for (let i = 0; i < 2000; i++) {
      const key = randomBytes(1 + (i % 40));
      const expected = (kafkajsMurmur2(key) & 0x7fffffff) % 6;
      expect(partition(args({key, value: null}))).toBe(expected);
      expect(partitionForKey(key, 6)).toBe(expected);
    }
  });

  it('hashes string keys as their UTF-8 bytes', () => {
    const partition = JavaCompatiblePartitioner();
    expect(partition(args({key: 'pin:ü-1', value: null}))).toBe(partitionForKey(Buffer.from('pin:ü-1'), 6));
  });

  it('keeps an explicit partition', () => {
    expect(JavaCompatiblePartitioner()(args({key: 'k', value: null, partition: 4}))).toBe(4);
  });

  it('spreads keyless messages over partitions that have a leader only', () => {
    const partition = JavaCompatiblePartitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 30; i++) seen.add(partition(args({value: 'v'}, partitions(4, [1, 3]))));
    expect([...seen].sort()).toEqual([0, 2]);
  });
});
