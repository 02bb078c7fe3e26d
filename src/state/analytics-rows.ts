/**
 * The rows of one (analytics collection, ad account) inside the restatement window: (entity, day) -> figures,
 * kept compactly because a 100,000-ad account x 30 days is millions of rows. Figures of numeric columns live in
 * one Float64Array (a row is `width` doubles, NaN = the API sent no value); anything else (strings, a column the
 * catalog does not know) as one canonical JSON text per row in a side map. An open-addressing index (linear
 * probing, backward-shift deletion) maps (entity number, day) to the row's slot. About 8 bytes per column plus
 * ~24 per row (bench/analytics.ts measures it).
 */
import {FIELD_ABSENT} from './analytics-codec';

export const ROW_NEW = 0;
export const ROW_SAME = 1;
export const ROW_CHANGED = 2;
export type RowUpsert = typeof ROW_NEW | typeof ROW_SAME | typeof ROW_CHANGED;

const MIN_SLOTS = 64;
const MIN_INDEX = 128;
const MAX_LOAD = 0.7;

export interface RowRef {
  readonly entity: number;
  readonly day: number;
}

export class AnalyticsRowTable {
  /** Catalog indexes of the numeric columns, in the order of a row's doubles. */
  private layout: number[] = [];
  private readonly columnAt = new Map<number, number>();
  private capacity = 0;
  private values = new Float64Array(0);
  private entityOf = new Uint32Array(0);
  /** day + 1 (0 = free slot). */
  private dayOf = new Uint32Array(0);
  private markOf = new Uint32Array(0);
  private readonly extras = new Map<number, string>();
  private readonly free: number[] = [];
  private highWater = 0;
  private count = 0;
  private index = new Uint32Array(MIN_INDEX);
  private indexMask = MIN_INDEX - 1;
  private readonly entityNumbers = new Map<string, number>();
  private readonly entityIds: string[] = [];
  private epoch = 0;
  /** Figures a ROW_CHANGED upsert replaced (valid until the next upsert). */
  readonly previous = {values: new Float64Array(0), extras: null as string | null};

  get size(): number {
    return this.count;
  }

  get width(): number {
    return this.layout.length;
  }

  /** Catalog indexes of the numeric columns, in row order. */
  columns(): readonly number[] {
    return this.layout;
  }

  /** The position of a catalog column in a row, adding it (every row gets NaN there) when new. */
  column(catalogIndex: number): number {
    const at = this.columnAt.get(catalogIndex);
    if (at !== undefined) return at;
    const oldWidth = this.layout.length;
    const width = oldWidth + 1;
    const values = new Float64Array(this.capacity * width).fill(FIELD_ABSENT);
    for (let slot = 0; slot < this.highWater; slot++) {
      values.set(this.values.subarray(slot * oldWidth, slot * oldWidth + oldWidth), slot * width);
    }
    this.values = values;
    this.layout.push(catalogIndex);
    this.columnAt.set(catalogIndex, oldWidth);
    this.previous.values = new Float64Array(width);
    return oldWidth;
  }

  /** The number of an entity id (created on first use; numbers are never reused). */
  entity(id: string): number {
    let n = this.entityNumbers.get(id);
    if (n === undefined) {
      n = this.entityIds.length;
      this.entityIds.push(id);
      this.entityNumbers.set(id, n);
    }
    return n;
  }

  entityId(n: number): string {
    const id = this.entityIds[n];
    if (id === undefined) throw new Error(`unknown entity number ${n}`);
    return id;
  }

  /** Starts a read of a part: rows upserted from now on are marked as seen by it. */
  beginPart(): void {
    this.epoch = (this.epoch + 1) >>> 0 || 1;
  }

  /** Slot of (entity, day), or -1. */
  find(entity: number, day: number): number {
    const at = this.locate(entity, day);
    return at < 0 ? -1 : (this.index[at] as number) - 1;
  }

  seenInPart(slot: number): boolean {
    return this.markOf[slot] === this.epoch;
  }

  /** A row's figures: `width` doubles (NaN = no value) and its extras JSON (null = none). */
  read(slot: number, into: Float64Array): string | null {
    const w = this.layout.length;
    into.set(this.values.subarray(slot * w, slot * w + w));
    return this.extras.get(slot) ?? null;
  }

  value(slot: number, column: number): number {
    return this.values[slot * this.layout.length + column] as number;
  }

  extrasOf(slot: number): string | null {
    return this.extras.get(slot) ?? null;
  }

  refOf(slot: number): RowRef {
    return {entity: this.entityOf[slot] as number, day: (this.dayOf[slot] as number) - 1};
  }

  /**
   * Stores a row's figures (`values` in row order, `width` long) and marks it seen by the current part. On
   * ROW_CHANGED the replaced figures are in `previous`.
   */
  upsert(entity: number, day: number, values: Float64Array, extras: string | null): RowUpsert {
    const w = this.layout.length;
    let at = this.locate(entity, day);
    if (at >= 0) {
      const slot = (this.index[at] as number) - 1;
      this.markOf[slot] = this.epoch;
      const base = slot * w;
      let same = (this.extras.get(slot) ?? null) === extras;
      for (let c = 0; same && c < w; c++)
        same = sameFigure(this.values[base + c] as number, values[c] as number);
      if (same) return ROW_SAME;
      this.previous.values.set(this.values.subarray(base, base + w));
      this.previous.extras = this.extras.get(slot) ?? null;
      this.values.set(values.subarray(0, w), base);
      this.setExtras(slot, extras);
      return ROW_CHANGED;
    }
    const slot = this.allocate();
    this.entityOf[slot] = entity;
    this.dayOf[slot] = day + 1;
    this.markOf[slot] = this.epoch;
    this.values.set(values.subarray(0, w), slot * w);
    this.setExtras(slot, extras);
    if ((this.count + 1) / this.index.length > MAX_LOAD) this.growIndex();
    at = ~this.locate(entity, day);
    this.index[at] = slot + 1;
    this.count++;
    return ROW_NEW;
  }

  delete(slot: number): void {
    const ref = this.refOf(slot);
    let hole = this.locate(ref.entity, ref.day);
    if (hole < 0) return;
    const mask = this.indexMask;
    for (let next = (hole + 1) & mask; this.index[next] !== 0; next = (next + 1) & mask) {
      const other = (this.index[next] as number) - 1;
      const home = this.home(this.entityOf[other] as number, (this.dayOf[other] as number) - 1);
      // Move the entry back into the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (stays) continue;
      this.index[hole] = this.index[next] as number;
      hole = next;
    }
    this.index[hole] = 0;
    this.dayOf[slot] = 0;
    this.extras.delete(slot);
    this.free.push(slot);
    this.count--;
  }

  /** Slots of every stored row, in slot order (a snapshot: deleting while iterating is safe). */
  slots(): number[] {
    const out: number[] = [];
    for (let slot = 0; slot < this.highWater; slot++) if (this.dayOf[slot] !== 0) out.push(slot);
    return out;
  }

  /** Approximate bytes held (typed arrays, extras texts, entity ids). */
  bytes(): number {
    let extras = 0;
    for (const text of this.extras.values()) extras += 48 + 2 * text.length;
    let ids = 0;
    for (const id of this.entityIds) ids += 56 + 2 * id.length;
    return (
      this.values.byteLength +
      this.entityOf.byteLength +
      this.dayOf.byteLength +
      this.markOf.byteLength +
      this.index.byteLength +
      extras +
      ids
    );
  }

  private setExtras(slot: number, extras: string | null): void {
    if (extras === null) this.extras.delete(slot);
    else this.extras.set(slot, extras);
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.highWater === this.capacity) this.growSlots();
    return this.highWater++;
  }

  private growSlots(): void {
    const capacity = Math.max(MIN_SLOTS, Math.ceil(this.capacity * 1.5));
    const w = this.layout.length;
    const values = new Float64Array(capacity * w).fill(FIELD_ABSENT);
    values.set(this.values);
    this.values = values;
    this.entityOf = grown(this.entityOf, capacity);
    this.dayOf = grown(this.dayOf, capacity);
    this.markOf = grown(this.markOf, capacity);
    this.capacity = capacity;
  }

  private growIndex(): void {
    const old = this.index;
    this.index = new Uint32Array(old.length * 2);
    this.indexMask = this.index.length - 1;
    for (const ref of old) {
      if (ref === 0) continue;
      const slot = ref - 1;
      this.index[~this.locate(this.entityOf[slot] as number, (this.dayOf[slot] as number) - 1)] = ref;
    }
  }

  private home(entity: number, day: number): number {
    let h = Math.imul(entity ^ Math.imul(day, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.indexMask;
  }

  /** Index position of (entity, day), or ~(the free position where it would go). */
  private locate(entity: number, day: number): number {
    const mask = this.indexMask;
    for (let at = this.home(entity, day); ; at = (at + 1) & mask) {
      const ref = this.index[at] as number;
      if (ref === 0) return ~at;
      const slot = ref - 1;
      if (this.entityOf[slot] === entity && this.dayOf[slot] === day + 1) return at;
    }
  }
}

function grown(array: Uint32Array, capacity: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(capacity);
  out.set(array);
  return out;
}

/** Equal figures: the same number, or both without a value. */
export function sameFigure(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
