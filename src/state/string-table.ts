import {UPSERT_CHANGED, UPSERT_NEW, UPSERT_SAME, type UpsertResult} from './numeric-table';

interface Entry {
  hashHi: number;
  hashLo: number;
  image: string | undefined;
  seen: boolean;
}

/** The generic fallback for keys that are not uint64 decimals (composite analytics keys, odd ids). */
export class StringTable {
  private readonly map = new Map<string, Entry>();
  previousImage: string | undefined;

  get size(): number {
    return this.map.size;
  }

  upsert(key: string, hashHi: number, hashLo: number, image: string | undefined): UpsertResult {
    const entry = this.map.get(key);
    if (!entry) {
      this.map.set(key, {hashHi, hashLo, image, seen: true});
      return UPSERT_NEW;
    }
    entry.seen = true;
    if (entry.hashHi === hashHi && entry.hashLo === hashLo) return UPSERT_SAME;
    this.previousImage = entry.image;
    entry.hashHi = hashHi;
    entry.hashLo = hashLo;
    entry.image = image;
    return UPSERT_CHANGED;
  }

  image(key: string): string | undefined {
    return this.map.get(key)?.image;
  }

  hash(key: string): [number, number] | undefined {
    const entry = this.map.get(key);
    return entry ? [entry.hashHi, entry.hashLo] : undefined;
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  clearSeen(): void {
    for (const entry of this.map.values()) entry.seen = false;
  }

  unseen(): string[] {
    const keys: string[] = [];
    for (const [key, entry] of this.map) if (!entry.seen) keys.push(key);
    return keys;
  }

  *entries(): IterableIterator<{key: string; hashHi: number; hashLo: number; image: string | undefined}> {
    for (const [key, entry] of this.map)
      yield {key, hashHi: entry.hashHi, hashLo: entry.hashLo, image: entry.image};
  }
}
