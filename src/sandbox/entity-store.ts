/**
 * Entities = generated records + small overlays (a deleted-index set, an override map, appended created
 * records) per (kind, ad account). Nothing is materialised up front, so 1M pins cost the overlays only.
 */
import {
  adGroupCampaignOf,
  adParentOf,
  ApiRecord,
  GenContext,
  generateAd,
  generateAdAccount,
  generateAdGroup,
  generateCampaign,
} from './generate-ads';
import {generateBoard, generatePin, pinBoardOf} from './generate-org';
import {EntityKind} from './ids';

export const SCOPED_KINDS: ReadonlySet<EntityKind> = new Set(['campaigns', 'ad_groups', 'ads']);

/** A run of base indices: start, start+step, ... below end. */
export interface IndexRange {
  start: number;
  end: number;
  step: number;
}

interface Overlay {
  deleted: Set<number>;
  overrides: Map<number, ApiRecord>;
  created: ApiRecord[];
}

export interface ListOptions {
  /** Exclusive cursor: the index of the last record of the previous page. */
  after?: number;
  desc: boolean;
  pageSize: number;
  predicate?: (record: ApiRecord) => boolean;
  /** Restricts the generated part; created records are always visited and filtered by the predicate. */
  baseRanges?: IndexRange[];
}

export interface ListResult {
  items: ApiRecord[];
  lastIndex: number | undefined;
  more: boolean;
}

export class EntityStore {
  private readonly overlays = new Map<string, Overlay>();

  constructor(readonly ctx: GenContext) {}

  private overlay(kind: EntityKind, scope: number): Overlay {
    const key = `${kind}:${scope}`;
    let o = this.overlays.get(key);
    if (!o) {
      o = {deleted: new Set(), overrides: new Map(), created: []};
      this.overlays.set(key, o);
    }
    return o;
  }

  private normScope(kind: EntityKind, scope: number): number {
    return SCOPED_KINDS.has(kind) ? scope : -1;
  }

  baseCount(kind: EntityKind, scope: number): number {
    const s = this.ctx.scale;
    if (SCOPED_KINDS.has(kind) && (scope < 0 || scope >= s.adAccounts)) return 0;
    switch (kind) {
      case 'ad_accounts':
        return s.adAccounts;
      case 'campaigns':
        return s.campaignsPerAccount;
      case 'ad_groups':
        return s.campaignsPerAccount * s.adGroupsPerCampaign;
      case 'ads':
        return s.campaignsPerAccount * s.adGroupsPerCampaign * s.adsPerAdGroup;
      case 'boards':
        return s.boards;
      case 'pins':
        return s.pins;
    }
  }

  count(kind: EntityKind, scope: number): number {
    const sc = this.normScope(kind, scope);
    return this.baseCount(kind, sc) + (this.overlays.get(`${kind}:${sc}`)?.created.length ?? 0);
  }

  /** Records that exist now (count() less the deleted ones), without materialising any. */
  liveCount(kind: EntityKind, scope: number): number {
    const deleted = this.overlays.get(`${kind}:${this.normScope(kind, scope)}`)?.deleted.size ?? 0;
    return this.count(kind, scope) - deleted;
  }

  /** Number of ad accounts ever (generated + created), deleted ones included. */
  accountSlots(): number {
    return this.count('ad_accounts', -1);
  }

  accountExists(scope: number): boolean {
    return scope >= 0 && this.get('ad_accounts', -1, scope) !== undefined;
  }

  generate(kind: EntityKind, scope: number, index: number): ApiRecord {
    const ctx = this.ctx;
    switch (kind) {
      case 'ad_accounts':
        return generateAdAccount(ctx, index);
      case 'campaigns':
        return generateCampaign(ctx, scope, index);
      case 'ad_groups':
        return generateAdGroup(ctx, scope, index, adGroupCampaignOf(ctx, index));
      case 'ads':
        return generateAd(ctx, scope, index, adParentOf(ctx, index));
      case 'boards':
        return generateBoard(ctx, index);
      case 'pins':
        return generatePin(ctx, index, pinBoardOf(ctx, index));
    }
  }

  get(kind: EntityKind, scopeIn: number, index: number): ApiRecord | undefined {
    const scope = this.normScope(kind, scopeIn);
    if (index < 0 || !Number.isInteger(index)) return undefined;
    const o = this.overlays.get(`${kind}:${scope}`);
    if (o?.deleted.has(index)) return undefined;
    const override = o?.overrides.get(index);
    if (override) return override;
    const base = this.baseCount(kind, scope);
    if (index < base) return this.generate(kind, scope, index);
    return o?.created[index - base];
  }

  /** The record at an index even when deleted (its analytics history stays); undefined if it never existed. */
  peek(kind: EntityKind, scopeIn: number, index: number): ApiRecord | undefined {
    const scope = this.normScope(kind, scopeIn);
    if (index < 0 || !Number.isInteger(index)) return undefined;
    const o = this.overlays.get(`${kind}:${scope}`);
    const override = o?.overrides.get(index);
    if (override) return override;
    const base = this.baseCount(kind, scope);
    if (index < base) return this.generate(kind, scope, index);
    return o?.created[index - base];
  }

  /** Records created through the control API (deleted ones too), with their indices. */
  created(kind: EntityKind, scopeIn: number): {index: number; record: ApiRecord}[] {
    const scope = this.normScope(kind, scopeIn);
    const base = this.baseCount(kind, scope);
    return (this.overlays.get(`${kind}:${scope}`)?.created ?? []).map((record, i) => ({
      index: base + i,
      record,
    }));
  }

  isDeleted(kind: EntityKind, scope: number, index: number): boolean {
    return this.overlays.get(`${kind}:${this.normScope(kind, scope)}`)?.deleted.has(index) ?? false;
  }

  put(kind: EntityKind, scope: number, index: number, record: ApiRecord): void {
    this.overlay(kind, this.normScope(kind, scope)).overrides.set(index, record);
  }

  /** Deletes from listings and gets; the last state stays for peek (analytics history). */
  remove(kind: EntityKind, scope: number, index: number): void {
    this.overlay(kind, this.normScope(kind, scope)).deleted.add(index);
  }

  /** Appends a record built for the next index; returns that index. */
  create(kind: EntityKind, scope: number, build: (index: number) => ApiRecord): number {
    const sc = this.normScope(kind, scope);
    const index = this.count(kind, sc);
    this.overlay(kind, sc).created.push(build(index));
    return index;
  }

  private *indices(kind: EntityKind, scope: number, opts: ListOptions): Generator<number> {
    const base = this.baseCount(kind, scope);
    const total = this.count(kind, scope);
    const ranges = (opts.baseRanges ?? [{start: 0, end: base, step: 1}])
      .map((r) => ({start: r.start, end: Math.min(r.end, base), step: r.step}))
      .filter((r) => r.start < r.end)
      .sort((a, b) => a.start - b.start);
    const after = opts.after;
    if (!opts.desc) {
      for (const r of ranges) {
        let i = r.start;
        if (after !== undefined && after >= i)
          i = r.start + (Math.floor((after - r.start) / r.step) + 1) * r.step;
        for (; i < r.end; i += r.step) yield i;
      }
      for (let i = Math.max(base, after === undefined ? base : after + 1); i < total; i++) yield i;
    } else {
      const top = after === undefined ? total - 1 : Math.min(after - 1, total - 1);
      for (let i = top; i >= base; i--) yield i;
      for (let k = ranges.length - 1; k >= 0; k--) {
        const r = ranges[k] as IndexRange;
        const last = r.start + Math.floor((r.end - 1 - r.start) / r.step) * r.step;
        let i = last;
        if (after !== undefined && after <= i) {
          if (after <= r.start) continue;
          i = r.start + Math.floor((after - 1 - r.start) / r.step) * r.step;
        }
        for (; i >= r.start; i -= r.step) yield i;
      }
    }
  }

  list(kind: EntityKind, scopeIn: number, opts: ListOptions): ListResult {
    const scope = this.normScope(kind, scopeIn);
    const items: ApiRecord[] = [];
    let lastIndex: number | undefined;
    for (const index of this.indices(kind, scope, opts)) {
      const record = this.get(kind, scope, index);
      if (!record || (opts.predicate && !opts.predicate(record))) continue;
      if (items.length === opts.pageSize) return {items, lastIndex, more: true};
      items.push(record);
      lastIndex = index;
    }
    return {items, lastIndex, more: false};
  }

  /** Every live record of a kind (all statuses), for the truth endpoint. */
  all(kind: EntityKind, scope: number): ApiRecord[] {
    return this.list(kind, scope, {desc: false, pageSize: Number.MAX_SAFE_INTEGER}).items;
  }
}
