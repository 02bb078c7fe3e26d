import {errorChain} from './kafka-errors';

/**
 * Produce answers about the records themselves rather than about Kafka's state, so that the same records can never
 * be written as they are, while others can: MESSAGE_TOO_LARGE (a batch over the topic's `max.message.bytes`),
 * RECORD_LIST_TOO_LARGE (over `segment.bytes`), INVALID_RECORD (broker-side validation, e.g. a null key on a
 * compacted topic) and CORRUPT_MESSAGE (what older brokers answer for the same). Authorization, a missing topic,
 * fencing, timeouts and INVALID_TIMESTAMP (a clock or topic setting that would refuse every record alike) are not.
 */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
]);

/** The refusal type (e.g. MESSAGE_TOO_LARGE) when the error is the broker refusing records, else undefined. */
export function recordRefusal(error: unknown): string | undefined {
  for (const e of errorChain(error)) {
    if (typeof e.type === 'string' && RECORD_REFUSALS.has(e.type)) return e.type;
  }
  return undefined;
}

export type ProbeResult =
  {readonly accepted: true} | {readonly accepted: false; readonly reason: string; readonly detail: string};

export interface Refusal<T> {
  readonly item: T;
  readonly reason: string;
  readonly detail: string;
}

/**
 * Which items Kafka refuses on their own, by bisection: `probe` sends a subset (in a transaction that is always
 * aborted, so nothing becomes visible) and says whether the broker took it. `refused` is what the whole list got.
 * About 2 log2(n) probes per refused item. Empty when every part passes alone: then only the combination was too
 * large, which planning should prevent.
 */
export async function findRefused<T>(
  items: readonly T[],
  refused: Exclude<ProbeResult, {accepted: true}>,
  probe: (subset: readonly T[]) => Promise<ProbeResult>
): Promise<Refusal<T>[]> {
  if (items.length === 1) return [{item: items[0] as T, reason: refused.reason, detail: refused.detail}];
  const out: Refusal<T>[] = [];
  const middle = Math.ceil(items.length / 2);
  for (const half of [items.slice(0, middle), items.slice(middle)]) {
    if (half.length === 0) continue;
    const result = await probe(half);
    if (!result.accepted) out.push(...(await findRefused(half, result, probe)));
  }
  return out;
}
