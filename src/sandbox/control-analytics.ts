/**
 * Analytics on command for one user: restatements (late conversions on past days, at any level) with their
 * before/after rows, and the ground truth of an analytics collection over a date range: the rows the API would
 * answer now, keyed as events are (ad_account_id, the level's id, date).
 */
import {AnalyticsLevel, TRUTH_COLUMNS} from './analytics';
import {SYNC_ANALYTICS_COLUMNS} from './analytics-columns';
import {analyticsRows, LEVEL_KIND, levelIds} from './analytics-rows';
import type {AnalyticsCollection, AppliedChange, SandboxChange} from './control';
import type {ControlContext} from './control-entities';
import {SandboxControlError} from './control-error';
import {dayToDate, parseDate, utcDay} from './time-format';

export interface AnalyticsTruthQuery {
  collection: AnalyticsCollection;
  /** Default: the user's first live ad account. */
  adAccountId?: string;
  /** YYYY-MM-DD, inclusive. */
  startDate: string;
  endDate: string;
  /** Default TRUTH_COLUMNS; a row without any non-zero column is absent, as in the API. */
  columns?: string[];
}

export interface AnalyticsTruthRow {
  key: Record<string, string>;
  row: Record<string, unknown>;
}

const COLLECTIONS: Record<AnalyticsCollection, {level: AnalyticsLevel; idKey?: string}> = {
  ad_analytics: {level: 'ad', idKey: 'ad_id'},
  ad_group_analytics: {level: 'ad_group', idKey: 'ad_group_id'},
  campaign_analytics: {level: 'campaign', idKey: 'campaign_id'},
  ad_account_analytics: {level: 'ad_account'},
};
// Guard for the analytics truth: entity-days it computes.
const TRUTH_MAX_ENTITY_DAYS = 5_000_000;

function collectionSpec(collection: string): {level: AnalyticsLevel; idKey?: string} {
  const spec = COLLECTIONS[collection as AnalyticsCollection];
  if (!spec) throw new SandboxControlError(`unknown analytics collection ${collection}`);
  return spec;
}

export function isAnalyticsCollection(name: string): name is AnalyticsCollection {
  return name in COLLECTIONS;
}

export function analyticsControl(ctx: ControlContext) {
  const {state} = ctx;
  const today = (): number => utcDay(state.clock.nowMs());

  const keyOf = (idKey: string | undefined, accountId: string, id: string, date: string) =>
    idKey ? {ad_account_id: accountId, [idKey]: id, date} : {ad_account_id: accountId, date};

  /** The row of one entity and day with the given columns ({} when it has no data). */
  const rowOf = (level: AnalyticsLevel, scope: number, id: string, day: number, columns: readonly string[]) =>
    analyticsRows(state, {
      level,
      scope,
      ids: [id],
      startDay: day,
      endDay: day,
      columns,
      total: false,
      today: today(),
    }).get(id)?.[0] ?? {};

  return {
    restate(change: Extract<SandboxChange, {kind: 'restate'}>): AppliedChange[] {
      const {level, idKey} = collectionSpec(change.collection);
      const scope = ctx.accountOf(change.adAccountId);
      const r = ctx.rand();
      const days = Math.max(1, change.days ?? 7);
      const accountId = state.ids.encode('ad_accounts', -1, scope);
      const kind = LEVEL_KIND[level];
      const count = level === 'ad_account' ? 1 : state.store.count(kind, scope);
      const out: AppliedChange[] = [];
      const seen = new Set<string>();
      for (let attempt = 0; out.length < (change.count ?? 5) && attempt < 1000 && count > 0; attempt++) {
        const index = level === 'ad_account' ? scope : r.int(0, count - 1);
        // Live records of any status: paused and archived entities' past days still restate.
        if (level !== 'ad_account' && !state.store.get(kind, scope, index)) continue;
        const id = level === 'ad_account' ? accountId : state.ids.encode(kind, scope, index);
        const day = today() - r.int(1, days);
        if (seen.has(`${id}|${day}`)) continue;
        const ad = state.analytics.deliveringAd(level, scope, index, day, r);
        if (ad === undefined) continue;
        seen.add(`${id}|${day}`);
        const before = rowOf(level, scope, id, day, TRUTH_COLUMNS);
        state.analytics.restate(scope, ad, day, r.int(1, 5));
        out.push({
          collection: change.collection,
          op: 'u',
          key: keyOf(idKey, accountId, id, dayToDate(day)),
          before,
          after: rowOf(level, scope, id, day, TRUTH_COLUMNS),
        });
      }
      return out;
    },

    truth(query: AnalyticsTruthQuery): {items: AnalyticsTruthRow[]} {
      const {level, idKey} = collectionSpec(query.collection);
      const scope = ctx.accountOf(query.adAccountId);
      const day = (name: string, text: string | undefined): number => {
        const parsed = text === undefined ? undefined : parseDate(text);
        if (parsed === undefined) throw new SandboxControlError(`${name} must be a date YYYY-MM-DD`);
        return parsed;
      };
      const startDay = day('start_date', query.startDate);
      const endDay = day('end_date', query.endDate);
      if (endDay < startDay) throw new SandboxControlError('end_date is before start_date');
      const columns = query.columns ?? TRUTH_COLUMNS;
      for (const c of columns)
        if (!SYNC_ANALYTICS_COLUMNS.has(c)) throw new SandboxControlError(`unknown column ${c}`);
      const ids = levelIds(state, level, scope);
      if (ids.length * (endDay - startDay + 1) > TRUTH_MAX_ENTITY_DAYS)
        throw new SandboxControlError(`analytics truth is for at most ${TRUTH_MAX_ENTITY_DAYS} entity-days`);
      const accountId = state.ids.encode('ad_accounts', -1, scope);
      const rows = analyticsRows(state, {
        level,
        scope,
        ids,
        startDay,
        endDay,
        columns,
        total: false,
        today: today(),
      });
      const items: AnalyticsTruthRow[] = [];
      for (const [id, list] of rows) {
        for (const row of list) items.push({key: keyOf(idKey, accountId, id, row.DATE as string), row});
      }
      return {items};
    },
  };
}
