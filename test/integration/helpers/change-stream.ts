/**
 * The checks every reliability case makes on what a read_committed consumer of an entity topic sees, against the
 * sandbox's ground truth:
 *  - the live keys at the end (created or read, not deleted since) are exactly the truth's ids;
 *  - no duplicate: a key is read/created only while absent, an update changes the image, a delete removes a live key;
 *  - `before` = the previous `after` of the key, wherever the event carries a `before`;
 *  - every `d` is directly followed (in its partition) by the key's tombstone, and a tombstone follows only a `d`.
 * Returns the problems found (empty = all good) and the event counts, so a test can print what a round emitted.
 */
import type {ConsumedMessage} from './committed-events';

export interface StreamCheck {
  problems: string[];
  counts: {r: number; c: number; u: number; d: number; tombstones: number};
  /** live key -> its last `after` */
  live: Map<string, Record<string, unknown>>;
}

interface Envelope {
  op: 'r' | 'c' | 'u' | 'd';
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const keyText = (m: ConsumedMessage) => `${m.topic} ${JSON.stringify(m.key)}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Checks the committed events of one or more entity topics (in topic, partition, offset order as read). */
export function checkChangeStream(messages: readonly ConsumedMessage[]): StreamCheck {
  const problems: string[] = [];
  const counts = {r: 0, c: 0, u: 0, d: 0, tombstones: 0};
  const live = new Map<string, Record<string, unknown>>();
  /** key -> where its live image was written (to tell a record written twice from one read twice) */
  const writtenAt = new Map<string, string>();
  const positions = new Set<string>();
  /** partition -> the key whose `d` was the partition's last message, awaiting its tombstone */
  const awaitingTombstone = new Map<string, string>();
  for (const m of messages) {
    const key = keyText(m);
    const partition = `${m.topic}:${m.partition}`;
    const position = `${partition}@${m.offset}`;
    if (positions.has(position)) {
      problems.push(
        `${key} ${position}: the reader returned this record twice (a reader fault, not a duplicate)`
      );
      continue;
    }
    positions.add(position);
    const pending = awaitingTombstone.get(partition);
    awaitingTombstone.delete(partition);
    if (m.value === null) {
      counts.tombstones += 1;
      if (pending !== key)
        problems.push(`${key} @${m.offset}: a tombstone not directly after its key's delete`);
      continue;
    }
    if (pending !== undefined)
      problems.push(`${pending}: its delete is not directly followed by a tombstone`);
    const event = m.value as unknown as Envelope;
    counts[event.op] += 1;
    const previous = live.get(key);
    if (event.before !== null && event.before !== undefined && previous && !same(event.before, previous))
      problems.push(`${key} @${m.offset}: ${event.op}'s before is not the previous after`);
    switch (event.op) {
      case 'r':
      case 'c':
        if (previous)
          problems.push(
            `${key} @${m.offset}: ${event.op} of a key already live (a duplicate; first written @${writtenAt.get(key)})`
          );
        live.set(key, event.after!);
        writtenAt.set(key, String(m.offset));
        break;
      case 'u':
        if (!previous) problems.push(`${key} @${m.offset}: u of a key not live`);
        else if (same(previous, event.after))
          problems.push(
            `${key} @${m.offset}: u that changes nothing (a duplicate; first written @${writtenAt.get(key)})`
          );
        live.set(key, event.after!);
        writtenAt.set(key, String(m.offset));
        break;
      case 'd':
        if (!previous)
          problems.push(`${key} @${m.offset}: d of a key not live (a duplicate or a wrong delete)`);
        live.delete(key);
        awaitingTombstone.set(partition, key);
        break;
    }
  }
  for (const key of awaitingTombstone.values()) problems.push(`${key}: its delete has no tombstone`);
  return {problems, counts, live};
}

/**
 * checkChangeStream plus: the live ids of each collection are exactly the truth's. `truth` maps a collection to its
 * ids; `topicOf` names a collection's topic.
 */
export function checkAgainstTruth(
  messages: readonly ConsumedMessage[],
  truth: Record<string, readonly string[]>,
  topicOf: (collection: string) => string
): StreamCheck {
  const check = checkChangeStream(messages);
  for (const [collection, ids] of Object.entries(truth)) {
    const topic = topicOf(collection);
    const liveIds = new Set(
      [...check.live.keys()]
        .filter((k) => k.startsWith(`${topic} `))
        .map((k) => String((JSON.parse(k.slice(topic.length + 1)) as {id: unknown}).id))
    );
    const expected = new Set(ids);
    const missing = [...expected].filter((id) => !liveIds.has(id));
    const extra = [...liveIds].filter((id) => !expected.has(id));
    if (missing.length)
      check.problems.push(
        `${collection}: ${missing.length} ids lost, e.g. ${missing.slice(0, 3).join(', ')}`
      );
    if (extra.length)
      check.problems.push(
        `${collection}: ${extra.length} ids live that the truth does not have, e.g. ${extra.slice(0, 3).join(', ')}`
      );
  }
  return check;
}
