/** The fleet's sticky assignment: a pure function, no seam (no Kafka). */
import fc from 'fast-check';

import {
  decodeClaim,
  encodeClaim,
  planStickyAssignment,
  type Assignment,
  type MemberClaim,
} from '../../../src/kafka/sticky-assignment';

const range = (n: number) => Array.from({length: n}, (_, i) => i);
const claim = (memberId: string, owned: number[] = [], generation = 1): MemberClaim => ({
  memberId,
  owned,
  generation,
});

/** Every partition exactly once, and every member within one of every other. */
function expectBalancedCover(assignment: Assignment, partitions: readonly number[]): void {
  const all = [...assignment.values()].flat();
  expect(all.sort((a, b) => a - b)).toEqual([...partitions].sort((a, b) => a - b));
  const sizes = [...assignment.values()].map((p) => p.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
}

/** Claims as the members would send them after `assignment`, at `generation`. */
const claimsOf = (assignment: Assignment, generation: number): MemberClaim[] =>
  [...assignment].map(([memberId, owned]) => claim(memberId, owned, generation));

const moved = (before: Assignment, after: Assignment) =>
  [...after].reduce(
    (n, [member, owned]) => n + owned.filter((p) => !before.get(member)?.includes(p)).length,
    0
  );

describe('planStickyAssignment', () => {
  it('gives a lone new member every partition', () => {
    expect([...planStickyAssignment([claim('a')], range(12))]).toEqual([['a', range(12)]]);
  });

  it('moves only what a joining member needs, one join after another', () => {
    const one = planStickyAssignment([claim('a')], range(12));
    const two = planStickyAssignment([...claimsOf(one, 1), claim('b')], range(12));
    expectBalancedCover(two, range(12));
    expect(moved(one, two)).toBe(6);
    expect(two.get('a')).toEqual(range(6)); // a kept six of its own
    const three = planStickyAssignment([...claimsOf(two, 2), claim('c')], range(12));
    expectBalancedCover(three, range(12));
    expect(moved(two, three)).toBe(4); // only c's four moved; round robin would move 8 of 12 here
    for (const member of ['a', 'b'])
      expect(three.get(member)!.every((p) => two.get(member)!.includes(p))).toBe(true);
  });

  it("hands a departed member's partitions to the others and leaves theirs in place", () => {
    const before = new Map([
      ['a', [0, 1, 2, 3]],
      ['b', [4, 5, 6, 7]],
      ['c', [8, 9, 10, 11]],
    ]);
    const after = planStickyAssignment(claimsOf(before, 3).slice(0, 2), range(12));
    expectBalancedCover(after, range(12));
    expect(after.get('a')).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    expect(after.get('b')).toEqual(expect.arrayContaining([4, 5, 6, 7]));
    expect(moved(before, after)).toBe(4);
  });

  it('gives a doubly claimed partition to the newer generation (an evicted member came back)', () => {
    const after = planStickyAssignment([claim('a', [0, 1], 2), claim('b', [1, 2, 3], 5)], range(4));
    expect(after.get('b')).toEqual([1, 2]);
    expect(after.get('a')).toEqual([0, 3]);
  });

  it('ignores claims on partitions the topic does not have, and members beyond the partitions get none', () => {
    const after = planStickyAssignment([claim('a', [0, 7]), claim('b'), claim('c'), claim('d')], range(3));
    expectBalancedCover(new Map([...after].filter(([, p]) => p.length > 0)), range(3));
    expect(after.get('a')).toEqual([0]);
    expect([...after.values()].filter((p) => p.length === 0)).toHaveLength(1);
  });

  it('is deterministic: the order the members arrive in does not matter', () => {
    const members = [claim('b', [3, 4]), claim('a', [0, 1, 2, 5]), claim('c')];
    expect([...planStickyAssignment(members, range(6))]).toEqual([
      ...planStickyAssignment([...members].reverse(), range(6)),
    ]);
  });

  it('property: any claims, joins and leaves: each partition once, balanced, a balanced holder keeps its share', () => {
    fc.assert(
      fc.property(
        fc.integer({min: 1, max: 24}),
        fc.array(fc.tuple(fc.boolean(), fc.integer({min: 0, max: 9})), {minLength: 1, maxLength: 12}),
        (partitionCount, steps) => {
          const partitions = range(partitionCount);
          let current: Assignment = new Map();
          let next = 0;
          for (const [join, pick] of steps) {
            const members = [...current.keys()];
            if (join || members.length < 2) members.push(`m${String(next++).padStart(2, '0')}`);
            else members.splice(pick % members.length, 1);
            const generation = steps.length;
            const claims = members.map((m) => claim(m, current.get(m) ?? [], generation));
            const after = planStickyAssignment(claims, partitions);
            expectBalancedCover(after, partitions);
            // Stickiness: a member keeps min(what it held, its new quota) of its own partitions.
            const floor = Math.floor(partitionCount / members.length);
            for (const m of members) {
              const held = current.get(m) ?? [];
              const kept = after.get(m)!.filter((p) => held.includes(p)).length;
              expect(kept).toBeGreaterThanOrEqual(Math.min(held.length, floor));
            }
            current = after;
          }
        }
      ),
      {numRuns: 300}
    );
  });
});

describe('member claims in JoinGroup userData', () => {
  it('round-trips', () => {
    const bytes = encodeClaim({owned: [1, 4], generation: 7});
    expect(decodeClaim('m', bytes)).toEqual({memberId: 'm', owned: [1, 4], generation: 7});
  });

  it('reads no claim from empty or foreign bytes', () => {
    expect(decodeClaim('m', Buffer.alloc(0))).toEqual({memberId: 'm', owned: [], generation: -1});
    expect(decodeClaim('m', Buffer.from([0, 1, 2]))).toEqual({memberId: 'm', owned: [], generation: -1});
    expect(decodeClaim('m', null)).toEqual({memberId: 'm', owned: [], generation: -1});
  });
});
