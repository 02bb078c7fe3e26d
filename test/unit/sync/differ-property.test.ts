/**
 * Property of the differ (fast-check): for any sequence of snapshots of a collection (creates, updates, deletes,
 * any order, nested values with integers beyond 2^53, interrupted listings, restarts that restore the state from
 * the changelog records), replaying the emitted events rebuilds the last complete snapshot exactly, and every
 * `before` is the previous `after` (full-image collections) or the key alone (hash-only `d`). No stub: the real
 * SnapshotDiffer and ShardState; the changelog records are replayed through applyChangelogRecord as a restore
 * would read them from Kafka.
 */
import fc from 'fast-check';

import {campaigns} from '../../../src/collections';
import {canonicalJson, type ChangeEvent, type JsonRecord} from '../../../src/events';
import {applyChangelogRecord, StateStore, type ShardState} from '../../../src/state';
import {SnapshotDiffer} from '../../../src/sync/differ';

const ACCOUNT = '549755885175';
const IDS = Array.from({length: 12}, (_, i) => String(1000 + i));

/** A value of a nested free-form field: JSON of any shape, integers beyond 2^53 included (as the client parses). */
const nested: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    {depthSize: 'small'},
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({noNaN: true, noDefaultInfinity: true}),
    fc.bigInt({min: 2n ** 53n, max: 2n ** 70n}),
    fc.string({maxLength: 6}),
    fc.array(tie('value'), {maxLength: 3}),
    fc.dictionary(fc.string({maxLength: 4}), tie('value'), {maxKeys: 3})
  ),
})).value;

const record = (id: string): fc.Arbitrary<JsonRecord> =>
  fc.record(
    {
      id: fc.constant(id),
      ad_account_id: fc.constant(ACCOUNT),
      name: fc.string({maxLength: 8}),
      status: fc.constantFrom('ACTIVE', 'PAUSED', 'ARCHIVED', 'A_NEW_STATUS'),
      daily_spend_cap: fc.option(fc.integer({min: 0, max: 2 ** 40})),
      tracking_urls: nested,
      brand_new_field: nested,
    },
    {requiredKeys: ['id', 'ad_account_id']}
  );

/** One listing: a subset of the ids, each with some content, in any order; interrupted or complete. */
const listing = fc.record({
  records: fc
    .shuffledSubarray(IDS)
    .chain((ids) => fc.tuple(...ids.map(record)).map((records): JsonRecord[] => records)),
  complete: fc.boolean(),
  /** Whether the process restarts before this listing: the state is restored from the changelog records. */
  restart: fc.boolean(),
});

interface ChangelogRecord {
  key: Buffer;
  value: Buffer | null;
}

function restore(changelog: readonly ChangelogRecord[]): ShardState {
  const states = new StateStore();
  for (const r of changelog) applyChangelogRecord(states, r.key, r.value);
  return states.shard('campaigns', ACCOUNT);
}

const keyOf = (id: string) => ({ad_account_id: ACCOUNT, id});

describe('SnapshotDiffer (property)', () => {
  it.each([
    ['full images', true],
    ['hash only', false],
  ])(
    'replaying the events of random snapshot sequences rebuilds the last complete snapshot (%s)',
    (_label, keepImages) => {
      fc.assert(
        fc.property(fc.array(listing, {minLength: 1, maxLength: 6}), (listings) => {
          const changelog: ChangelogRecord[] = [];
          let state = restore([]);
          /** What the events say the collection is, by id: canonical JSON of the last `after`. */
          const replayed = new Map<string, string>();
          /** What the listings say it is: the model. */
          const model = new Map<string, string>();
          let firstComplete = false;
          for (const {records, complete, restart} of listings) {
            if (restart) state = restore(changelog);
            const differ = new SnapshotDiffer({
              declaration: campaigns,
              state,
              keepImages,
              context: {name: 'p', version: '0', collection: 'campaigns', adAccountId: ACCOUNT, syncId: 's'},
            });
            const pushed = differ.pushAll(records);
            const finish = differ.finish({complete});
            for (const output of [...pushed, ...finish.deletes]) {
              changelog.push(output.state);
              apply(output.event, replayed, keepImages, firstComplete);
            }
            // The first complete snapshot's marker goes to the changelog too: a restore must know it.
            expect(finish.marker !== null).toBe(complete && !firstComplete);
            if (finish.marker) changelog.push(finish.marker);
            for (const r of records) model.set(r.id as string, canonicalJson(r));
            if (complete) {
              const seen = new Set(records.map((r) => r.id as string));
              for (const id of [...model.keys()]) if (!seen.has(id)) model.delete(id);
              firstComplete = true;
            }
            expect(new Map([...replayed].sort())).toEqual(new Map([...model].sort()));
          }
        }),
        {numRuns: 100}
      );
    }
  );
});

/** Applies one event to the replayed collection, checking what can be checked from the events alone. */
function apply(
  event: ChangeEvent,
  replayed: Map<string, string>,
  keepImages: boolean,
  firstComplete: boolean
): void {
  const id = event.key.id as string;
  expect(event.key).toEqual(keyOf(id));
  const previous = replayed.get(id);
  switch (event.op) {
    case 'r':
      // Until the first snapshot completes: a read, again when a retried first snapshot finds the record changed
      // (a newer read of the same key), never twice the same content.
      expect(firstComplete).toBe(false);
      expect(canonicalJson(event.after)).not.toBe(previous);
      expect(event.before).toBeNull();
      replayed.set(id, canonicalJson(event.after));
      return;
    case 'c':
      expect(firstComplete).toBe(true);
      expect(previous).toBeUndefined();
      expect(event.before).toBeNull();
      replayed.set(id, canonicalJson(event.after));
      return;
    case 'u':
      expect(previous).toBeDefined();
      expect(canonicalJson(event.after)).not.toBe(previous);
      // `before` = the previous `after` exactly (images), or absent (hash only).
      if (keepImages) expect(canonicalJson(event.before)).toBe(previous);
      else expect(event.before).toBeNull();
      replayed.set(id, canonicalJson(event.after));
      return;
    case 'd':
      expect(previous).toBeDefined();
      expect(event.after).toBeNull();
      expect(canonicalJson(event.before)).toBe(keepImages ? previous : canonicalJson(keyOf(id)));
      replayed.delete(id);
      return;
  }
}
