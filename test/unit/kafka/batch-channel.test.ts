import {BatchChannel} from '../../../src/kafka/batch-channel';

describe('BatchChannel', () => {
  it('hands items over in order and ends after the queue drains', async () => {
    const channel = new BatchChannel<number>(10);
    await channel.push(1);
    await channel.push(2);
    channel.end();
    const seen: number[] = [];
    for await (const n of channel) seen.push(n);
    expect(seen).toEqual([1, 2]);
  });

  it('blocks the writer at capacity until the reader takes an item', async () => {
    const channel = new BatchChannel<number>(2);
    await channel.push(1);
    let released = false;
    const blocked = channel.push(2).then(() => (released = true));
    await new Promise((r) => setImmediate(r));
    expect(released).toBe(false);
    const iterator = channel[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    await blocked;
    expect(released).toBe(true);
  });

  it('throws the failure to the reader, and cancel releases blocked writers', async () => {
    const failing = new BatchChannel<number>(5);
    failing.fail(new Error('boom'));
    await expect(
      (async () => {
        for await (const _ of failing) void _;
      })()
    ).rejects.toThrow('boom');

    const channel = new BatchChannel<number>(1);
    const blocked = channel.push(1);
    channel.cancel();
    await expect(blocked).resolves.toBeUndefined();
  });
});
