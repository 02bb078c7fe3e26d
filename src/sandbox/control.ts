/**
 * The control API (docs/contracts.md, Sandbox): clock, changes with their ground truth, truth listings, faults,
 * limits, stats, tokens, report outcomes. The HTTP control routes call exactly these methods.
 */
import {createHash} from 'node:crypto';

import {AnalyticsLevel, buildRow, TRUTH_COLUMNS} from './analytics';
import {CdcError} from '../errors';
import {SCOPED_KINDS} from './entity-store';
import {FaultConfig} from './faults';
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
import {RateCategory, SandboxLimits, SandboxOptions} from './options';
import {hash32, Rand} from './rng';
import {SandboxState} from './state';
import {SandboxStats} from './stats';
import {dayToDate, utcDay} from './time-format';

export class SandboxControlError extends CdcError {
  constructor(message: string) {
    super(message, {retriable: false});
  }
}

export type AnalyticsCollection = 'ad_analytics' | 'campaign_analytics' | 'ad_group_analytics';

export type SandboxChange =
  | {
      kind: 'create' | 'update' | 'archive' | 'delete';
      collection: EntityKind;
      count?: number;
      ids?: string[];
      adAccountId?: string;
      /** update only: fields to set (e.g. {status: 'PAUSED'}); default: the name changes. */
      set?: Record<string, unknown>;
    }
  | {kind: 'restate'; collection: AnalyticsCollection; adAccountId?: string; days?: number; count?: number};

export interface AppliedChange {
  collection: string;
  op: 'c' | 'u' | 'd';
  key: Record<string, string>;
  before: ApiRecord | null;
  after: ApiRecord | null;
}

export interface SandboxControl {
  now(): Date;
  advanceClock(seconds: number): {now: string};
  applyChanges(changes: SandboxChange[]): {applied: AppliedChange[]};
  truth(collection: string, adAccountId?: string): {items: ApiRecord[]};
  setFaults(config: FaultConfig): FaultConfig;
  clearFaults(): void;
  setLimits(patch: SandboxOptions['limits']): SandboxLimits;
  exhaust(category: RateCategory): void;
  stats(): SandboxStats;
  resetStats(): void;
  tokens(): {refreshTokens: {current: string; retired: number}};
  forceReport(status: 'FAILED' | 'EXPIRED' | 'CANCELLED', token?: string): {tokens: string[]};
}

const ANALYTICS_LEVELS: Record<
  AnalyticsCollection,
  {level: AnalyticsLevel; kind: EntityKind; idKey: string}
> = {
  ad_analytics: {level: 'ad', kind: 'ads', idKey: 'ad_id'},
  campaign_analytics: {level: 'campaign', kind: 'campaigns', idKey: 'campaign_id'},
  ad_group_analytics: {level: 'ad_group', kind: 'ad_groups', idKey: 'ad_group_id'},
};
// Guard for /truth: it materialises every record.
const TRUTH_MAX_RECORDS = 200_000;

export function createControl(state: SandboxState): SandboxControl {
  const {store, ids} = state;
  const nowSec = (): number => Math.floor(state.clock.nowMs() / 1000);
  const rand = (): Rand => new Rand(hash32(state.options.seed, 0xc0de, ++state.changeSeq.value));

  const liveAccounts = (): number[] => {
    const out: number[] = [];
    for (let a = 0; a < store.accountSlots(); a++) if (store.accountExists(a)) out.push(a);
    return out;
  };

  const accountOf = (adAccountId: string | undefined): number => {
    if (adAccountId === undefined) {
      const first = liveAccounts()[0];
      if (first === undefined) throw new SandboxControlError('no ad account left');
      return first;
    }
    const d = ids.decode('ad_accounts', adAccountId);
    if (!d || !store.accountExists(d.index))
      throw new SandboxControlError(`unknown ad account ${adAccountId}`);
    return d.index;
  };

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

  const keyOf = (kind: EntityKind, record: ApiRecord): Record<string, string> =>
    SCOPED_KINDS.has(kind)
      ? {ad_account_id: record.ad_account_id as string, id: record.id as string}
      : {id: record.id as string};

  const create = (kind: EntityKind, scope: number, r: Rand): ApiRecord => {
    const gen = state.gen;
    const now = nowSec();
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
    return store.get(kind, scope, index) as ApiRecord;
  };

  const modify = (
    kind: EntityKind,
    before: ApiRecord,
    change: {kind: string; set?: Record<string, unknown>}
  ): ApiRecord => {
    const after: ApiRecord = structuredClone(before);
    const r = rand();
    if (change.kind === 'archive') {
      if (!SCOPED_KINDS.has(kind))
        throw new SandboxControlError(`${kind} cannot be archived (only ad entities have a status)`);
      after.status = 'ARCHIVED';
    } else if (change.set) {
      Object.assign(after, change.set);
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
      after.updated_time = Math.max(nowSec(), prev + 1);
    }
    return after;
  };

  const targets = (
    kind: EntityKind,
    change: {ids?: string[]; count?: number; adAccountId?: string},
    r: Rand
  ): {scope: number; index: number}[] => {
    if (change.ids) {
      return change.ids.map((id) => {
        const d = ids.decode(kind, id);
        const scope = SCOPED_KINDS.has(kind) ? (d?.scope ?? -1) : -1;
        if (!d || !store.get(kind, scope, d.index)) throw new SandboxControlError(`unknown ${kind} id ${id}`);
        return {scope, index: d.index};
      });
    }
    const scope = SCOPED_KINDS.has(kind) ? accountOf(change.adAccountId) : -1;
    const chosen = new Set<number>();
    for (let k = 0; k < (change.count ?? 1); k++) chosen.add(pickLive(kind, scope, r, chosen));
    return [...chosen].map((index) => ({scope, index}));
  };

  const restate = (change: Extract<SandboxChange, {kind: 'restate'}>): AppliedChange[] => {
    const spec = ANALYTICS_LEVELS[change.collection];
    if (!spec) throw new SandboxControlError(`unknown analytics collection ${String(change.collection)}`);
    const scope = accountOf(change.adAccountId);
    const r = rand();
    const today = utcDay(state.clock.nowMs());
    const days = Math.max(1, change.days ?? 7);
    const accountId = ids.encode('ad_accounts', -1, scope);
    const out: AppliedChange[] = [];
    const seen = new Set<string>();
    for (let attempt = 0; out.length < (change.count ?? 5) && attempt < 1000; attempt++) {
      const index = pickLive(spec.kind, scope, r, new Set());
      const id = ids.encode(spec.kind, scope, index);
      const day = today - r.int(1, days);
      if (seen.has(`${id}|${day}`) || !state.analytics.isActive(spec.level, id, day, today)) continue;
      seen.add(`${id}|${day}`);
      const row = (): ApiRecord =>
        buildRow({
          level: spec.level,
          id,
          day,
          metrics: state.analytics.metrics(spec.level, id, day, today),
          columns: TRUTH_COLUMNS,
        }) ?? {};
      const before = row();
      state.analytics.restate(spec.level, id, day, r.int(1, 5));
      out.push({
        collection: change.collection,
        op: 'u',
        key: {ad_account_id: accountId, [spec.idKey]: id, date: dayToDate(day)},
        before,
        after: row(),
      });
    }
    return out;
  };

  return {
    now: () => new Date(state.clock.nowMs()),
    advanceClock: (seconds) => ({now: new Date(state.clock.advance(seconds)).toISOString()}),
    applyChanges: (changes) => {
      const applied: AppliedChange[] = [];
      for (const change of changes) {
        if (change.kind === 'restate') {
          applied.push(...restate(change));
          continue;
        }
        const kind = change.collection;
        if (!ENTITY_KINDS.includes(kind)) throw new SandboxControlError(`unknown collection ${String(kind)}`);
        const r = rand();
        if (change.kind === 'create') {
          const scope = SCOPED_KINDS.has(kind) ? accountOf(change.adAccountId) : -1;
          for (let k = 0; k < (change.count ?? 1); k++) {
            const after = create(kind, scope, r);
            applied.push({collection: kind, op: 'c', key: keyOf(kind, after), before: null, after});
          }
          continue;
        }
        if (!['update', 'archive', 'delete'].includes(change.kind)) {
          throw new SandboxControlError(`unknown change kind ${String(change.kind)}`);
        }
        for (const t of targets(kind, change, r)) {
          const before = store.get(kind, t.scope, t.index) as ApiRecord;
          if (change.kind === 'delete') {
            store.remove(kind, t.scope, t.index);
            applied.push({collection: kind, op: 'd', key: keyOf(kind, before), before, after: null});
          } else {
            const after = modify(kind, before, change);
            store.put(kind, t.scope, t.index, after);
            applied.push({collection: kind, op: 'u', key: keyOf(kind, before), before, after});
          }
        }
      }
      return {applied};
    },
    truth: (collection, adAccountId) => {
      const kind = collection as EntityKind;
      if (!ENTITY_KINDS.includes(kind)) throw new SandboxControlError(`unknown collection ${collection}`);
      const scopes = !SCOPED_KINDS.has(kind) ? [-1] : adAccountId ? [accountOf(adAccountId)] : liveAccounts();
      const total = scopes.reduce((n, s) => n + store.count(kind, s), 0);
      if (total > TRUTH_MAX_RECORDS)
        throw new SandboxControlError(`truth is for small scales (${total} ${kind})`);
      return {items: scopes.flatMap((s) => store.all(kind, s))};
    },
    setFaults: (config) => {
      if (config.revokeTokens) state.tokens.revokeAccessTokens();
      return state.faults.set(config);
    },
    clearFaults: () => state.faults.clear(),
    setLimits: (patch) => state.limiter.setLimits(patch),
    exhaust: (category) => {
      if (!(category in state.limiter.current().categories))
        throw new SandboxControlError(`unknown category ${category}`);
      state.limiter.exhaust(category);
    },
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(),
    tokens: () => {
      const s = state.tokens.summary();
      // Only a fingerprint of a token the sandbox minted; the initial one (set by the caller) is shown as is.
      const current =
        s.refreshTokens.current === state.options.refreshToken
          ? s.refreshTokens.current
          : `sha256:${createHash('sha256').update(s.refreshTokens.current).digest('hex').slice(0, 16)}`;
      return {refreshTokens: {current, retired: s.refreshTokens.retired}};
    },
    forceReport: (status, token) => {
      if (!['FAILED', 'EXPIRED', 'CANCELLED'].includes(status))
        throw new SandboxControlError(`bad report status ${status}`);
      return {tokens: state.reports.force(status, token)};
    },
  };
}
