/**
 * Entity changes on command (create, update, archive, delete) for one user, with the ground truth of each, and
 * the entity truth listings. Every change also tells the analytics side (lifetimes, delivery) so figures follow
 * entity lifetimes from the moment of the change.
 */
import {SCOPED_KINDS} from './entity-store';
import {
  adSummaryStatus,
  ApiRecord,
  campaignSummaryStatus,
  generateAd,
  generateAdAccount,
  generateAdGroup,
  generateCampaign,
} from './generate-ads';
import {generateBoard, generatePin} from './generate-org';
import {ENTITY_KINDS, EntityKind} from './ids';
import {Rand} from './rng';
import {SandboxState} from './state';
import type {AppliedChange, SandboxChange} from './control';
import {SandboxControlError} from './control-error';

export type EntityChange = Exclude<SandboxChange, {kind: 'restate'}>;

export interface ControlContext {
  state: SandboxState;
  nowSec(): number;
  rand(): Rand;
  /** The user's ad account index for an id (default: the first live account). */
  accountOf(adAccountId: string | undefined): number;
}

// Guard for /truth: it materialises every record.
const TRUTH_MAX_RECORDS = 200_000;

export function liveAccounts(state: SandboxState): number[] {
  const out: number[] = [];
  for (let a = 0; a < state.store.accountSlots(); a++) if (state.store.accountExists(a)) out.push(a);
  return out;
}

export function entityControl(ctx: ControlContext) {
  const {state} = ctx;
  const {store, ids} = state;

  /** A random live record of a kind in a scope. */
  const pickLive = (kind: EntityKind, scope: number, r: Rand, exclude: Set<number>): number => {
    const n = store.count(kind, scope);
    for (let attempt = 0; attempt < 64 && n > 0; attempt++) {
      const i = r.int(0, n - 1);
      if (!exclude.has(i) && store.get(kind, scope, i)) return i;
    }
    for (let i = 0; i < n; i++) if (!exclude.has(i) && store.get(kind, scope, i)) return i;
    throw new SandboxControlError(`no live ${kind} left to change`);
  };

  const scopesOf = (collection: string, adAccountId: string | undefined) => {
    const kind = collection as EntityKind;
    if (!ENTITY_KINDS.includes(kind)) throw new SandboxControlError(`unknown collection ${collection}`);
    const scopes = !SCOPED_KINDS.has(kind)
      ? [-1]
      : adAccountId
        ? [ctx.accountOf(adAccountId)]
        : liveAccounts(state);
    return {kind, scopes};
  };

  const keyOf = (kind: EntityKind, record: ApiRecord): Record<string, string> =>
    SCOPED_KINDS.has(kind)
      ? {ad_account_id: record.ad_account_id as string, id: record.id as string}
      : {id: record.id as string};

  const create = (kind: EntityKind, scope: number, r: Rand): {index: number; record: ApiRecord} => {
    const gen = state.gen;
    const now = ctx.nowSec();
    if (kind === 'ad_accounts' && store.count(kind, -1) >= state.user.ids.accountBlock)
      throw new SandboxControlError(`user ${state.user.name} has no room for another ad account`);
    const index = store.create(kind, scope, (i) => {
      switch (kind) {
        case 'ad_accounts':
          return {...generateAdAccount(gen, i), created_time: now, updated_time: now};
        case 'campaigns':
          return {...generateCampaign(gen, scope, i, now), status: 'ACTIVE', summary_status: 'RUNNING'};
        case 'ad_groups': {
          const c = pickLive('campaigns', scope, r, new Set());
          return {...generateAdGroup(gen, scope, i, c, now), status: 'ACTIVE', summary_status: 'RUNNING'};
        }
        case 'ads': {
          const g = pickLive('ad_groups', scope, r, new Set());
          const group = store.get('ad_groups', scope, g) as ApiRecord;
          const c = ids.decode('campaigns', group.campaign_id as string)?.index ?? 0;
          const pin = gen.scale.pins > 0 ? r.int(0, gen.scale.pins - 1) : 0;
          const ad = generateAd(gen, scope, i, {campaignIndex: c, adGroupIndex: g, pinIndex: pin}, now);
          return {
            ...ad,
            status: 'ACTIVE',
            review_status: 'PENDING',
            summary_status: 'PENDING',
            rejected_reasons: [],
            rejection_labels: [],
          };
        }
        case 'boards':
          return generateBoard(gen, i, now * 1000);
        case 'pins':
          return generatePin(gen, i, pickLive('boards', -1, r, new Set()), now * 1000);
      }
    });
    return {index, record: store.get(kind, scope, index) as ApiRecord};
  };

  const modify = (
    kind: EntityKind,
    before: ApiRecord,
    change: {kind: string; set?: Record<string, unknown>; unset?: string[]}
  ): ApiRecord => {
    const after: ApiRecord = structuredClone(before);
    const r = ctx.rand();
    if (change.kind === 'archive') {
      if (!SCOPED_KINDS.has(kind))
        throw new SandboxControlError(`${kind} cannot be archived (only ad entities have a status)`);
      after.status = 'ARCHIVED';
    } else if (change.set || change.unset) {
      Object.assign(after, change.set);
      for (const field of change.unset ?? []) delete after[field];
    } else if (kind === 'pins') {
      after.title = `${String(before.title ?? 'Pin')} (edited ${state.changeSeq.value})`;
    } else {
      after.name = `${String(before.name ?? 'Ad')} (edited ${state.changeSeq.value})`;
      if (kind === 'ad_groups' && typeof before.budget_in_micro_currency === 'number') {
        after.budget_in_micro_currency = before.budget_in_micro_currency + 1_000_000;
      }
      if (kind === 'campaigns') after.daily_spend_cap = (r.int(10, 500) * 1_000_000) as number;
    }
    if (after.status !== before.status) {
      const status = after.status as string;
      if (kind === 'ads') after.summary_status = adSummaryStatus(status, after.review_status as string);
      else if (kind === 'campaigns' || kind === 'ad_groups')
        after.summary_status = campaignSummaryStatus(status, r);
    }
    if ('updated_time' in before) {
      const prev = typeof before.updated_time === 'number' ? before.updated_time : 0;
      after.updated_time = Math.max(ctx.nowSec(), prev + 1);
    }
    return after;
  };

  const targets = (kind: EntityKind, change: EntityChange, r: Rand): {scope: number; index: number}[] => {
    if (change.ids) {
      return change.ids.map((id) => {
        const d = ids.decode(kind, id);
        const scope = SCOPED_KINDS.has(kind) ? (d?.scope ?? -1) : -1;
        if (!d || !store.get(kind, scope, d.index)) throw new SandboxControlError(`unknown ${kind} id ${id}`);
        return {scope, index: d.index};
      });
    }
    const scope = SCOPED_KINDS.has(kind) ? ctx.accountOf(change.adAccountId) : -1;
    const chosen = new Set<number>();
    for (let k = 0; k < (change.count ?? 1); k++) chosen.add(pickLive(kind, scope, r, chosen));
    return [...chosen].map((index) => ({scope, index}));
  };

  /** Analytics follow the change: lifetimes learn status changes and deletes, cached delivery is dropped. */
  const tellAnalytics = (
    kind: EntityKind,
    scope: number,
    index: number,
    before: ApiRecord | null,
    after: ApiRecord | null
  ): void => {
    state.lifetimes.noteChange(kind, scope, index, before, after, ctx.nowSec());
    if (!before || !after || before.status !== after.status)
      state.analytics.delivery.invalidate(kind, scope, index);
  };

  return {
    apply(change: EntityChange): AppliedChange[] {
      const kind = change.collection;
      if (!ENTITY_KINDS.includes(kind)) throw new SandboxControlError(`unknown collection ${String(kind)}`);
      const r = ctx.rand();
      const applied: AppliedChange[] = [];
      if (change.kind === 'create') {
        const scope = SCOPED_KINDS.has(kind) ? ctx.accountOf(change.adAccountId) : -1;
        for (let k = 0; k < (change.count ?? 1); k++) {
          const {index, record} = create(kind, scope, r);
          tellAnalytics(kind, scope, index, null, record);
          applied.push({collection: kind, op: 'c', key: keyOf(kind, record), before: null, after: record});
        }
        return applied;
      }
      if (!['update', 'archive', 'delete'].includes(change.kind)) {
        throw new SandboxControlError(`unknown change kind ${String(change.kind)}`);
      }
      for (const t of targets(kind, change, r)) {
        const before = store.get(kind, t.scope, t.index) as ApiRecord;
        if (change.kind === 'delete') {
          store.remove(kind, t.scope, t.index);
          tellAnalytics(kind, t.scope, t.index, before, null);
          applied.push({collection: kind, op: 'd', key: keyOf(kind, before), before, after: null});
        } else {
          const after = modify(kind, before, change);
          store.put(kind, t.scope, t.index, after);
          tellAnalytics(kind, t.scope, t.index, before, after);
          applied.push({collection: kind, op: 'u', key: keyOf(kind, before), before, after});
        }
      }
      return applied;
    },

    truth(collection: string, adAccountId?: string): {items: ApiRecord[]} {
      const {kind, scopes} = scopesOf(collection, adAccountId);
      const total = scopes.reduce((n, s) => n + store.count(kind, s), 0);
      if (total > TRUTH_MAX_RECORDS)
        throw new SandboxControlError(`truth is for small scales (${total} ${kind}); count() says how many`);
      return {items: scopes.flatMap((s) => store.all(kind, s))};
    },

    /** How many records truth() would list, at any scale. */
    count(collection: string, adAccountId?: string): number {
      const {kind, scopes} = scopesOf(collection, adAccountId);
      return scopes.reduce((n, s) => n + store.liveCount(kind, s), 0);
    },
  };
}
