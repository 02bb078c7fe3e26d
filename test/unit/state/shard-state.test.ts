import {
  formatUint64Key,
  parseUint64Key,
  ShardState,
  UPSERT_CHANGED,
  UPSERT_NEW,
  UPSERT_SAME,
} from '../../../src/state';

describe('uint64 keys', () => {
  it.each(['0', '7', '549755885175', '9007199254740993', '1125968727281347814', '18446744073709551615'])(
    'round-trips %s exactly',
    (key) => {
      const out = new Uint32Array(2);
      expect(parseUint64Key(key, out)).toBe(true);
      expect(formatUint64Key(out[0]!, out[1]!)).toBe(key);
      expect((BigInt(out[0]!) << 32n) | BigInt(out[1]!)).toBe(BigInt(key));
    }
  );

  it.each(['', '007', '-1', '1.5', '12a', '18446744073709551616', '123456789012345678901', '2026-01-01'])(
    'sends %j to the generic table',
    (key) => expect(parseUint64Key(key, new Uint32Array(2))).toBe(false)
  );
});

/** A deterministic PRNG so the randomized model test is reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 4294967296;
  };
}

describe('ShardState', () => {
  it('behaves like a Map under random upserts and deletes (numeric and generic keys, with resizes)', () => {
    const random = prng(7);
    const state = new ShardState('c', 's');
    const model = new Map<string, {hi: number; lo: number; image?: string}>();
    const keys = Array.from({length: 3000}, (_, i) =>
      i % 10 === 0 ? `k${i}` : i % 3 === 0 ? String(1125968727281347814n + BigInt(i)) : String(1000 + i * 7)
    );
    for (let step = 0; step < 40000; step++) {
      const key = keys[Math.floor(random() * keys.length)]!;
      if (random() < 0.3) {
        expect(state.delete(key)).toBe(model.delete(key));
        continue;
      }
      const hi = Math.floor(random() * 4) >>> 0;
      const lo = 5;
      const image = random() < 0.5 ? `img${hi}` : undefined;
      const previous = model.get(key);
      const result = state.upsert(key, hi, lo, image);
      if (!previous) expect(result).toBe(UPSERT_NEW);
      else if (previous.hi === hi) expect(result).toBe(UPSERT_SAME);
      else {
        expect(result).toBe(UPSERT_CHANGED);
        expect(state.previousImage).toBe(previous.image);
      }
      if (!previous || previous.hi !== hi) model.set(key, {hi, lo, image});
    }
    expect(state.size).toBe(model.size);
    for (const [key, value] of model) {
      expect(state.get(key)).toEqual({
        key,
        hash: value.hi.toString(16).padStart(8, '0') + '00000005',
        image: value.image,
      });
    }
    expect([...state.entries()].map((e) => e.key).sort()).toEqual([...model.keys()].sort());
  });

  it('tracks which keys a snapshot saw', () => {
    const state = new ShardState('c', 's');
    for (const key of ['1', '2', 'x', '3']) state.upsert(key, 0, 1, undefined);
    state.clearSeen();
    state.upsert('2', 0, 1, undefined);
    state.upsert('x', 0, 2, undefined);
    expect(state.unseenKeys()).toEqual(['1', '3']);
  });
});
