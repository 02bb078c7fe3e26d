/**
 * The control API (docs/contracts.md, Sandbox): clock, changes with their ground truth, truth listings, faults,
 * limits, stats, tokens, report outcomes. The HTTP control routes call exactly these methods. The control of a
 * sandbox acts on its first user; `control.user(name)` gives the same operations for another user. Limits and
 * exhaust on the sandbox's control apply to every user, stats are sandbox-wide with a per-user breakdown.
 */
import {createHash} from 'node:crypto';

import {AnalyticsTruthQuery, AnalyticsTruthRow, analyticsControl} from './control-analytics';
import {entityControl, liveAccounts} from './control-entities';
import {SandboxControlError} from './control-error';
import {FaultConfig} from './faults';
import {ApiRecord} from './generate-ads';
import {EntityKind} from './ids';
import {RateCategory, SandboxLimits, SandboxOptions} from './options';
import {hash32, Rand} from './rng';
import {SandboxState, ServerState} from './state';
import {SandboxStats} from './stats';

export {SandboxControlError} from './control-error';
export type {AnalyticsTruthQuery, AnalyticsTruthRow} from './control-analytics';

export type AnalyticsCollection =
  'ad_analytics' | 'campaign_analytics' | 'ad_group_analytics' | 'ad_account_analytics';

export type SandboxChange =
  | {
      kind: 'create' | 'update' | 'archive' | 'delete';
      collection: EntityKind;
      count?: number;
      ids?: string[];
      adAccountId?: string;
      /** update only: fields to set (e.g. {status: 'PAUSED'}); default: the name changes. */
      set?: Record<string, unknown>;
      /** update only: fields to remove from the record (a payload missing a field the API usually sends). */
      unset?: string[];
    }
  | {kind: 'restate'; collection: AnalyticsCollection; adAccountId?: string; days?: number; count?: number};

export interface AppliedChange {
  collection: string;
  op: 'c' | 'u' | 'd';
  key: Record<string, string>;
  before: ApiRecord | null;
  after: ApiRecord | null;
}

export interface TokenSummary {
  refreshTokens: {current: string; retired: number};
}

export interface SandboxControl {
  now(): Date;
  advanceClock(seconds: number): {now: string};
  applyChanges(changes: SandboxChange[]): {applied: AppliedChange[]};
  truth(collection: string, adAccountId?: string): {items: ApiRecord[]};
  /** How many records truth() would list, without listing them (any scale). */
  count(collection: string, adAccountId?: string): number;
  /** What the API would answer now for an analytics collection over a date range, keyed like events. */
  analyticsTruth(query: AnalyticsTruthQuery): {items: AnalyticsTruthRow[]};
  setFaults(config: FaultConfig): FaultConfig;
  clearFaults(): void;
  setLimits(patch: SandboxOptions['limits']): SandboxLimits;
  exhaust(category: RateCategory): void;
  stats(): SandboxStats;
  /** Resets every counter (sandbox-wide and per user). */
  resetStats(): void;
  tokens(): TokenSummary & {byUser?: Record<string, TokenSummary>};
  forceReport(status: 'FAILED' | 'EXPIRED' | 'CANCELLED', token?: string): {tokens: string[]};
  /** The users, in order (the first is the one this control acts on unless addressed). */
  users(): {index: number; name: string}[];
  /** The same operations for one user, by name or index; throws SandboxControlError for an unknown user. */
  user(nameOrIndex: string | number): SandboxControl;
}

export function createControl(server: ServerState): SandboxControl {
  const find = (nameOrIndex: string | number): SandboxState => {
    const byName = server.users.find((u) => u.user.name === String(nameOrIndex));
    const index =
      typeof nameOrIndex === 'number' ? nameOrIndex : /^\d+$/.test(nameOrIndex) ? Number(nameOrIndex) : -1;
    const user = byName ?? server.users[index];
    if (!user) throw new SandboxControlError(`unknown sandbox user ${String(nameOrIndex)}`);
    return user;
  };
  const perUser = new Map<SandboxState, SandboxControl>();
  const userControl = (state: SandboxState): SandboxControl => {
    let control = perUser.get(state);
    if (!control) {
      control = createUserControl(server, state, find, userControl);
      perUser.set(state, control);
    }
    return control;
  };
  const first = userControl(server.users[0] as SandboxState);
  const each = (fn: (u: SandboxState) => void): void => server.users.forEach(fn);
  return {
    ...first,
    setFaults: (config) => {
      if (config.user !== undefined) find(config.user);
      if (config.revokeTokens) {
        each((u) => {
          if (config.user === undefined || u.user.name === config.user) u.tokens.revokeAccessTokens();
        });
      }
      return server.faults.set(config);
    },
    setLimits: (patch) => {
      each((u) => u.limiter.setLimits(patch));
      return first.setLimits({});
    },
    exhaust: (category) => each((u) => userControl(u).exhaust(category)),
    stats: () => {
      const byUser: Record<string, SandboxStats> = {};
      each((u) => (byUser[u.user.name] = u.stats.snapshot()));
      return {...server.stats.snapshot(), byUser};
    },
    tokens: () => {
      const byUser: Record<string, TokenSummary> = {};
      each((u) => (byUser[u.user.name] = userControl(u).tokens()));
      return {...first.tokens(), byUser};
    },
  };
}

function createUserControl(
  server: ServerState,
  state: SandboxState,
  find: (nameOrIndex: string | number) => SandboxState,
  userControl: (state: SandboxState) => SandboxControl
): SandboxControl {
  const ctx = {
    state,
    nowSec: (): number => Math.floor(state.clock.nowMs() / 1000),
    rand: (): Rand => new Rand(hash32(state.gen.seed, 0xc0de, ++state.changeSeq.value)),
    accountOf: (adAccountId: string | undefined): number => {
      if (adAccountId === undefined) {
        const first = liveAccounts(state)[0];
        if (first === undefined) throw new SandboxControlError('no ad account left');
        return first;
      }
      const d = state.ids.decode('ad_accounts', adAccountId);
      if (!d || !state.store.accountExists(d.index))
        throw new SandboxControlError(`unknown ad account ${adAccountId} of user ${state.user.name}`);
      return d.index;
    },
  };
  const entities = entityControl(ctx);
  const analytics = analyticsControl(ctx);
  return {
    now: () => new Date(server.clock.nowMs()),
    advanceClock: (seconds) => ({now: new Date(server.clock.advance(seconds)).toISOString()}),
    applyChanges: (changes) => ({
      applied: changes.flatMap((change) =>
        change.kind === 'restate' ? analytics.restate(change) : entities.apply(change)
      ),
    }),
    truth: (collection, adAccountId) => entities.truth(collection, adAccountId),
    count: (collection, adAccountId) => entities.count(collection, adAccountId),
    analyticsTruth: (query) => analytics.truth(query),
    setFaults: (config) => {
      if (config.revokeTokens) state.tokens.revokeAccessTokens();
      return server.faults.set({...config, user: state.user.name});
    },
    clearFaults: () => server.faults.clear(),
    setLimits: (patch) => state.limiter.setLimits(patch),
    exhaust: (category) => {
      if (!(category in state.limiter.current().categories))
        throw new SandboxControlError(`unknown category ${category}`);
      state.limiter.exhaust(category);
    },
    stats: () => state.stats.snapshot(),
    resetStats: () => {
      server.stats.reset();
      server.users.forEach((u) => u.stats.reset());
    },
    tokens: () => {
      const s = state.tokens.summary();
      // Only a fingerprint of a token the sandbox minted; the initial one (set by the caller) is shown as is.
      const current =
        s.refreshTokens.current === state.user.refreshToken
          ? s.refreshTokens.current
          : `sha256:${createHash('sha256').update(s.refreshTokens.current).digest('hex').slice(0, 16)}`;
      return {refreshTokens: {current, retired: s.refreshTokens.retired}};
    },
    forceReport: (status, token) => {
      if (!['FAILED', 'EXPIRED', 'CANCELLED'].includes(status))
        throw new SandboxControlError(`bad report status ${status}`);
      return {tokens: state.reports.force(status, token)};
    },
    users: () => server.users.map((u) => ({index: u.user.index, name: u.user.name})),
    user: (nameOrIndex) => userControl(find(nameOrIndex)),
  };
}
