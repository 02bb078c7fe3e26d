import {parseUint64Key} from './numeric-key';
import {NumericTable, UPSERT_CHANGED, type UpsertResult} from './numeric-table';
import {StringTable} from './string-table';

export {UPSERT_CHANGED, UPSERT_NEW, UPSERT_SAME} from './numeric-table';
export type {UpsertResult} from './numeric-table';

/** One tracked record as the state knows it. */
export interface StateEntry {
  readonly key: string;
  /** The 64-bit content hash as 16 hex digits. */
  readonly hash: string;
  /** Canonical JSON of the last emitted image, when the collection keeps images. */
  readonly image: string | undefined;
}

export function hashToHex(hashHi: number, hashLo: number): string {
  return hashHi.toString(16).padStart(8, '0') + hashLo.toString(16).padStart(8, '0');
}

/**
 * State of one (collection, shard): record key -> content hash (+ image), plus whether the first complete
 * snapshot is done. Record keys are the key fields other than the shard's own (ad_account_id), joined by
 * U+001F; uint64-decimal keys go to a typed-array table, others to a Map.
 */
export class ShardState {
  private readonly numeric = new NumericTable();
  private readonly strings = new StringTable();
  private readonly scratch = new Uint32Array(2);
  firstSnapshotComplete = false;
  /** Digest of the deletes the delete guard holds for this shard, until a listing confirms them. */
  heldDeletes: string | undefined;
  /** Set by upsert when it returns UPSERT_CHANGED: the image replaced, if one was kept. */
  previousImage: string | undefined;

  constructor(
    readonly collection: string,
    readonly shard: string
  ) {}

  get size(): number {
    return this.numeric.size + this.strings.size;
  }

  /** Records the key's hash (and image), marks it seen, and says whether it was new, the same or changed. */
  upsert(key: string, hashHi: number, hashLo: number, image: string | undefined): UpsertResult {
    let result: UpsertResult;
    if (parseUint64Key(key, this.scratch)) {
      result = this.numeric.upsert(
        this.scratch[0] as number,
        this.scratch[1] as number,
        hashHi,
        hashLo,
        image
      );
      if (result === UPSERT_CHANGED) this.previousImage = this.numeric.previousImage;
    } else {
      result = this.strings.upsert(key, hashHi, hashLo, image);
      if (result === UPSERT_CHANGED) this.previousImage = this.strings.previousImage;
    }
    return result;
  }

  get(key: string): StateEntry | undefined {
    const numeric = parseUint64Key(key, this.scratch);
    const hash = numeric
      ? this.numeric.hash(this.scratch[0] as number, this.scratch[1] as number)
      : this.strings.hash(key);
    if (!hash) return undefined;
    const image = numeric
      ? this.numeric.image(this.scratch[0] as number, this.scratch[1] as number)
      : this.strings.image(key);
    return {key, hash: hashToHex(hash[0], hash[1]), image};
  }

  delete(key: string): boolean {
    return parseUint64Key(key, this.scratch)
      ? this.numeric.delete(this.scratch[0] as number, this.scratch[1] as number)
      : this.strings.delete(key);
  }

  /** Starts a snapshot: every key becomes unseen until upserted again. */
  clearSeen(): void {
    this.numeric.clearSeen();
    this.strings.clearSeen();
  }

  /** Keys not upserted since clearSeen, sorted so deletes come out in a deterministic order. */
  unseenKeys(): string[] {
    return [...this.numeric.unseen(), ...this.strings.unseen()].sort();
  }

  *entries(): IterableIterator<StateEntry> {
    for (const table of [this.numeric, this.strings]) {
      for (const e of table.entries())
        yield {key: e.key, hash: hashToHex(e.hashHi, e.hashLo), image: e.image};
    }
  }
}
