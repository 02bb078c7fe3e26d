import {ShardWriters} from '../../../src/kafka/shard-writers';
import type {TransactionalWriter, TransactionalWriterOptions} from '../../../src/kafka/types';

function fakeFactory() {
  const made: TransactionalWriterOptions[] = [];
  const closed: string[] = [];
  const create = (options: TransactionalWriterOptions): TransactionalWriter => {
    made.push(options);
    return {
      transactionalId: options.transactionalId,
      init: async () => undefined,
      writeBatch: async () => ({
        transactionalId: options.transactionalId,
        messages: 0,
        bytes: 0,
        byTopic: {},
        durationSeconds: 0,
      }),
      batchLimit: async () => undefined,
      close: async () => {
        closed.push(options.transactionalId);
      },
    };
  };
  return {made, closed, create};
}

describe('ShardWriters', () => {
  it('creates one writer per shard on first use, with a transactional id derived from prefix, shard and fingerprint', () => {
    const f = fakeFactory();
    const shards = new ShardWriters(f.create, {
      prefix: 'pinterest',
      configFingerprint: 'fp1',
      writer: {transactionTimeoutMs: 5000},
    });
    const a = shards.forShard('111');
    expect(shards.forShard('111')).toBe(a);
    shards.forShard('222');
    expect(f.made).toEqual([
      {transactionTimeoutMs: 5000, transactionalId: 'pinterest-cdc.pinterest.111.fp1'},
      {transactionTimeoutMs: 5000, transactionalId: 'pinterest-cdc.pinterest.222.fp1'},
    ]);
    expect(shards.shards()).toEqual(['111', '222']);
  });

  it('releases one shard and closes all', async () => {
    const f = fakeFactory();
    const shards = new ShardWriters(f.create, {prefix: 'p'});
    shards.forShard('1');
    shards.forShard('2');
    shards.forShard('3');
    await shards.release('2');
    expect(f.closed).toEqual(['pinterest-cdc.p.2']);
    expect(shards.shards()).toEqual(['1', '3']);
    await shards.closeAll();
    expect(f.closed.sort()).toEqual(['pinterest-cdc.p.1', 'pinterest-cdc.p.2', 'pinterest-cdc.p.3']);
    expect(shards.shards()).toEqual([]);
    shards.forShard('1');
    expect(f.made).toHaveLength(4); // a released shard gets a new writer
  });
});
