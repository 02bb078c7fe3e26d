import {formatUint64Key} from './numeric-key';

export const UPSERT_NEW = 0;
export const UPSERT_SAME = 1;
export const UPSERT_CHANGED = 2;
export type UpsertResult = typeof UPSERT_NEW | typeof UPSERT_SAME | typeof UPSERT_CHANGED;

const OCCUPIED = 1;
const SEEN = 2;
const WORDS = 4; // per slot: key hi, key lo, hash hi, hash lo
const MIN_CAPACITY = 16;
const MAX_LOAD = 0.75;

/**
 * Open-addressing hash table (linear probing, backward-shift deletion) from a uint64 key to a 64-bit content
 * hash, in typed arrays: 17 bytes per slot instead of a Map entry plus a key string and a hash string.
 * Images, when kept, live in a parallel array.
 */
export class NumericTable {
  private capacity = MIN_CAPACITY;
  private mask = MIN_CAPACITY - 1;
  private words = new Uint32Array(MIN_CAPACITY * WORDS);
  private flags = new Uint8Array(MIN_CAPACITY);
  private images: (string | undefined)[] | undefined;
  private count = 0;
  /** Set by upsert when it returns UPSERT_CHANGED: the image replaced (undefined if none was kept). */
  previousImage: string | undefined;

  get size(): number {
    return this.count;
  }

  upsert(
    keyHi: number,
    keyLo: number,
    hashHi: number,
    hashLo: number,
    image: string | undefined
  ): UpsertResult {
    let slot = this.find(keyHi, keyLo);
    if (slot >= 0) {
      const w = slot * WORDS;
      this.flags[slot] = OCCUPIED | SEEN;
      if (this.words[w + 2] === hashHi && this.words[w + 3] === hashLo) return UPSERT_SAME;
      this.words[w + 2] = hashHi;
      this.words[w + 3] = hashLo;
      this.previousImage = this.images?.[slot];
      this.setImage(slot, image);
      return UPSERT_CHANGED;
    }
    if (this.count + 1 > this.capacity * MAX_LOAD) this.grow();
    slot = ~this.find(keyHi, keyLo);
    const w = slot * WORDS;
    this.words[w] = keyHi;
    this.words[w + 1] = keyLo;
    this.words[w + 2] = hashHi;
    this.words[w + 3] = hashLo;
    this.flags[slot] = OCCUPIED | SEEN;
    this.setImage(slot, image);
    this.count++;
    return UPSERT_NEW;
  }

  /** Image of a key, or undefined (absent key or no image kept). */
  image(keyHi: number, keyLo: number): string | undefined {
    const slot = this.find(keyHi, keyLo);
    return slot >= 0 ? this.images?.[slot] : undefined;
  }

  /** [hashHi, hashLo] of a key, or undefined. */
  hash(keyHi: number, keyLo: number): [number, number] | undefined {
    const slot = this.find(keyHi, keyLo);
    if (slot < 0) return undefined;
    return [this.words[slot * WORDS + 2] as number, this.words[slot * WORDS + 3] as number];
  }

  delete(keyHi: number, keyLo: number): boolean {
    let hole = this.find(keyHi, keyLo);
    if (hole < 0) return false;
    let next = hole;
    for (;;) {
      next = (next + 1) & this.mask;
      if (!((this.flags[next] as number) & OCCUPIED)) break;
      const w = next * WORDS;
      const home = this.home(this.words[w] as number, this.words[w + 1] as number);
      // Move the entry back into the hole unless its home lies cyclically in (hole, next].
      const inRange = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (inRange) continue;
      this.words.copyWithin(hole * WORDS, w, w + WORDS);
      this.flags[hole] = this.flags[next] as number;
      if (this.images) this.images[hole] = this.images[next];
      hole = next;
    }
    this.flags[hole] = 0;
    if (this.images) this.images[hole] = undefined;
    this.count--;
    return true;
  }

  clearSeen(): void {
    for (let i = 0; i < this.capacity; i++) this.flags[i] = (this.flags[i] as number) & OCCUPIED;
  }

  /** Keys not marked seen since the last clearSeen. */
  unseen(): string[] {
    const keys: string[] = [];
    for (let i = 0; i < this.capacity; i++) {
      if (this.flags[i] === OCCUPIED)
        keys.push(formatUint64Key(this.words[i * WORDS] as number, this.words[i * WORDS + 1] as number));
    }
    return keys;
  }

  *entries(): IterableIterator<{key: string; hashHi: number; hashLo: number; image: string | undefined}> {
    for (let i = 0; i < this.capacity; i++) {
      if (!((this.flags[i] as number) & OCCUPIED)) continue;
      const w = i * WORDS;
      yield {
        key: formatUint64Key(this.words[w] as number, this.words[w + 1] as number),
        hashHi: this.words[w + 2] as number,
        hashLo: this.words[w + 3] as number,
        image: this.images?.[i],
      };
    }
  }

  private setImage(slot: number, image: string | undefined): void {
    if (image === undefined && !this.images) return;
    (this.images ??= new Array<string | undefined>(this.capacity))[slot] = image;
  }

  private home(keyHi: number, keyLo: number): number {
    let h = Math.imul(keyLo ^ Math.imul(keyHi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  /** Slot of the key, or ~(free slot where it would go). */
  private find(keyHi: number, keyLo: number): number {
    let slot = this.home(keyHi, keyLo);
    for (;;) {
      if (!((this.flags[slot] as number) & OCCUPIED)) return ~slot;
      const w = slot * WORDS;
      if (this.words[w + 1] === keyLo && this.words[w] === keyHi) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldWords = this.words;
    const oldFlags = this.flags;
    const oldImages = this.images;
    const oldCapacity = this.capacity;
    this.capacity *= 2;
    this.mask = this.capacity - 1;
    this.words = new Uint32Array(this.capacity * WORDS);
    this.flags = new Uint8Array(this.capacity);
    this.images = oldImages ? new Array<string | undefined>(this.capacity) : undefined;
    for (let i = 0; i < oldCapacity; i++) {
      if (!((oldFlags[i] as number) & OCCUPIED)) continue;
      const w = i * WORDS;
      const slot = ~this.find(oldWords[w] as number, oldWords[w + 1] as number);
      this.words.set(oldWords.subarray(w, w + WORDS), slot * WORDS);
      this.flags[slot] = oldFlags[i] as number;
      if (oldImages && this.images) this.images[slot] = oldImages[i];
    }
  }
}
