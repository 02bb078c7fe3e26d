/**
 * A sticky, balanced assignment of one topic's partitions over a group's members, as Kafka's StickyAssignor
 * (KIP-54) and Kafka Streams' task assignor do it: every member reports the partitions it holds and the group
 * generation in which it got them; the leader keeps each partition with its current owner as far as balance
 * allows (every member gets floor(P/M) or ceil(P/M) partitions) and hands out only the rest. With kafkajs'
 * round robin, any join or leave moved most partitions, so a fleet whose instances joined one after another kept
 * revoking tasks that were still restoring (docs/notes.md, "Fleet").
 */

export interface MemberClaim {
  readonly memberId: string;
  /** Partitions the member holds now (its last assignment); empty for a new member. */
  readonly owned: readonly number[];
  /**
   * The group generation of that assignment: when two members claim one partition (one was evicted and the
   * partition moved on while it was away), the newer claim wins, as in KIP-341.
   */
  readonly generation: number;
}

/** Partitions per member id; every member of the input appears, maybe with none. */
export type Assignment = Map<string, number[]>;

export function planStickyAssignment(
  members: readonly MemberClaim[],
  partitions: readonly number[]
): Assignment {
  const sorted = [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
  );
  const assignment: Assignment = new Map(sorted.map((m) => [m.memberId, []]));
  if (sorted.length === 0) return assignment;

  // Each existing partition goes to its newest claimant (ties: the first member id).
  const existing = new Set(partitions);
  const claimant = new Map<number, MemberClaim>();
  for (const member of sorted)
    for (const partition of new Set(member.owned)) {
      if (!existing.has(partition)) continue;
      const other = claimant.get(partition);
      if (!other || member.generation > other.generation) claimant.set(partition, member);
    }
  const claims = new Map<string, number[]>(sorted.map((m) => [m.memberId, []]));
  for (const [partition, member] of claimant) claims.get(member.memberId)!.push(partition);

  // Balance: floor(P/M) each, and the P mod M one-more places go to the members that already hold the most, so
  // that as few partitions move as possible.
  const base = Math.floor(existing.size / sorted.length);
  let extra = existing.size % sorted.length;
  const byClaims = [...sorted].sort(
    (a, b) => claims.get(b.memberId)!.length - claims.get(a.memberId)!.length
  );
  const capacity = new Map<string, number>();
  for (const member of byClaims) {
    const more = extra > 0 && claims.get(member.memberId)!.length > base;
    if (more) extra -= 1;
    capacity.set(member.memberId, base + (more ? 1 : 0));
  }
  // Members without a claim above base take the remaining one-more places, in member id order.
  for (const member of sorted) {
    if (extra === 0) break;
    if (capacity.get(member.memberId) === base) {
      capacity.set(member.memberId, base + 1);
      extra -= 1;
    }
  }

  const placed = new Set<number>();
  for (const member of sorted) {
    const kept = claims
      .get(member.memberId)!
      .sort((a, b) => a - b)
      .slice(0, capacity.get(member.memberId));
    assignment.set(member.memberId, kept);
    for (const partition of kept) placed.add(partition);
  }
  // The rest (new partitions, those of departed members, a member's surplus) to the members with room, the
  // emptiest first.
  const free = [...existing].filter((p) => !placed.has(p)).sort((a, b) => a - b);
  for (const partition of free) {
    const target = sorted
      .filter((m) => assignment.get(m.memberId)!.length < capacity.get(m.memberId)!)
      .sort((a, b) => assignment.get(a.memberId)!.length - assignment.get(b.memberId)!.length)[0]!;
    assignment.get(target.memberId)!.push(partition);
  }
  for (const list of assignment.values()) list.sort((a, b) => a - b);
  return assignment;
}

/** What a member sends in its JoinGroup metadata (userData): its held partitions of the topic and their generation. */
export function encodeClaim(claim: Omit<MemberClaim, 'memberId'>): Buffer {
  return Buffer.from(JSON.stringify({owned: claim.owned, generation: claim.generation}), 'utf8');
}

/** The claim in a member's userData; a member without one (or with another assignor's bytes) claims nothing. */
export function decodeClaim(memberId: string, userData: Buffer | null | undefined): MemberClaim {
  try {
    const parsed = JSON.parse((userData ?? Buffer.alloc(0)).toString('utf8')) as {
      owned?: unknown;
      generation?: unknown;
    };
    const owned = Array.isArray(parsed.owned) ? parsed.owned.filter((p) => Number.isInteger(p)) : [];
    const generation = typeof parsed.generation === 'number' ? parsed.generation : -1;
    return {memberId, owned: owned as number[], generation};
  } catch {
    return {memberId, owned: [], generation: -1};
  }
}
