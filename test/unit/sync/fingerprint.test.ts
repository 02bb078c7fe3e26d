import {fingerprint, fingerprintHex, jsHash64, md5Hash64, sha1Hash64} from '../../../src/sync/fingerprint';

describe('fingerprint', () => {
  it('ignores key order at every depth, for both hashers', () => {
    const a = {id: '1', b: {x: [1, {p: 1, q: 2}], y: null}, c: 'é'};
    const b = {c: 'é', b: {y: null, x: [1, {q: 2, p: 1}]}, id: '1'};
    for (const hasher of [jsHash64, md5Hash64, sha1Hash64])
      expect(fingerprintHex(a, hasher)).toBe(fingerprintHex(b, hasher));
    expect(fingerprint(a).canonical).toBe(fingerprint(b).canonical);
  });

  it('changes with any value, with array order and with null versus absent', () => {
    const base = {id: '1', list: [1, 2], v: null as unknown};
    const variants = [
      {...base, list: [2, 1]},
      {...base, v: 0},
      {id: '1', list: [1, 2]},
      {...base, id: '2'},
      {...base, v: ''},
    ];
    const hashes = new Set([base, ...variants].map((r) => fingerprintHex(r)));
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('spreads 50,000 near-identical records over distinct 64-bit hashes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++)
      seen.add(fingerprintHex({id: String(1125968727281347814n + BigInt(i)), n: i % 7}));
    expect(seen.size).toBe(50_000);
  });

  it('is 16 hex digits', () => {
    expect(fingerprintHex({})).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintHex({}, md5Hash64)).toBe('99914b932bd37a50');
    expect(fingerprintHex({})).toBe('bf21a9e8fbc5a384'); // SHA-1 of '{}'
  });
});
