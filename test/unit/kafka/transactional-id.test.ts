import {configFingerprint, transactionalIdFor} from '../../../src/kafka/transactional-id';

describe('transactional ids', () => {
  it('is deterministic per prefix, shard and fingerprint', () => {
    expect(transactionalIdFor({prefix: 'pinterest', shard: '549755885175'})).toBe(
      'pinterest-cdc.pinterest.549755885175'
    );
    expect(transactionalIdFor({prefix: 'pinterest', shard: '1', configFingerprint: 'abc123'})).toBe(
      'pinterest-cdc.pinterest.1.abc123'
    );
    expect(transactionalIdFor({prefix: 'p', shard: 's'})).toBe(transactionalIdFor({prefix: 'p', shard: 's'}));
  });

  it('escapes separators so distinct inputs never collide', () => {
    const a = transactionalIdFor({prefix: 'a.b', shard: 'c'});
    const b = transactionalIdFor({prefix: 'a', shard: 'b.c'});
    expect(a).not.toBe(b);
    expect(a).toBe('pinterest-cdc.a%2Eb.c');
    expect(transactionalIdFor({prefix: 'p', shard: 'ü'})).toBe('pinterest-cdc.p.%C3%BC');
    expect(() => transactionalIdFor({prefix: 'p', shard: ''})).toThrow(RangeError);
  });

  it('fingerprints identity settings independently of key order', () => {
    const fp = configFingerprint({prefix: 'pinterest', stateTopic: 'pinterest.state'});
    expect(fp).toMatch(/^[0-9a-f]{12}$/);
    expect(configFingerprint({stateTopic: 'pinterest.state', prefix: 'pinterest'})).toBe(fp);
    expect(configFingerprint({prefix: 'pinterest', stateTopic: 'other'})).not.toBe(fp);
  });
});
