import type {ChangeEvent, EventKey, JsonRecord, Op, SyncContext} from './change-event';

/** epoch ms from a record's `updated_time` (Unix seconds) when it is a safe integer, else null. */
export function sourceTsMs(record: JsonRecord | null): number | null {
  const seconds = record?.['updated_time'];
  return typeof seconds === 'number' && Number.isSafeInteger(seconds) ? seconds * 1000 : null;
}

export interface BuildEventInput {
  readonly op: Op;
  readonly key: EventKey;
  readonly before?: JsonRecord | null;
  readonly after?: JsonRecord | null;
  readonly changedFields?: readonly string[] | null;
  readonly tsMs: number;
}

/** Builds a ChangeEvent, checking that before/after match the op (r/c: after only; d: no after). */
export function buildChangeEvent(context: SyncContext, input: BuildEventInput): ChangeEvent {
  const before = input.before ?? null;
  const after = input.after ?? null;
  if ((input.op === 'r' || input.op === 'c') && (after === null || before !== null)) {
    throw new Error(`op ${input.op} needs an after image and no before image`);
  }
  if (input.op === 'u' && after === null) throw new Error('op u needs an after image');
  if (input.op === 'd' && after !== null) throw new Error('op d has no after image');
  return {
    collection: context.collection,
    op: input.op,
    key: input.key,
    before,
    after,
    changedFields: input.op === 'u' ? (input.changedFields ?? null) : null,
    source: {
      name: context.name,
      version: context.version,
      collection: context.collection,
      adAccountId: context.adAccountId,
      syncId: context.syncId,
      snapshot: input.op === 'r',
      tsMs: sourceTsMs(after ?? before),
      ...(context.connection === undefined ? {} : {connection: context.connection}),
    },
    tsMs: input.tsMs,
  };
}

/** Top-level fields whose values differ between two images (absent = undefined), sorted. */
export function changedTopLevelFields(
  before: JsonRecord,
  after: JsonRecord,
  canonical: (value: unknown) => string
): string[] {
  const changed: string[] = [];
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[field];
    const b = after[field];
    if (a === b) continue;
    if (a === undefined || b === undefined || canonical(a) !== canonical(b)) changed.push(field);
  }
  return changed.sort();
}
