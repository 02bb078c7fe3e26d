/**
 * Analytics rows as the API gives them, for the synchronous endpoints, async report files, the ground truth and
 * restatement before/after images alike: one row per entity and day (or one per entity for TOTAL), UPPER_CASE
 * keys, zero columns and all-zero rows omitted.
 */
import {addMetrics, AnalyticsLevel, buildRow, Metrics, ZERO} from './analytics';
import {ApiRecord} from './generate-ads';
import {EntityKind} from './ids';
import {SandboxState} from './state';
import {dayToDate} from './time-format';

export const LEVEL_KIND: Record<AnalyticsLevel, EntityKind> = {
  ad: 'ads',
  ad_group: 'ad_groups',
  campaign: 'campaigns',
  ad_account: 'ad_accounts',
};

// Columns naming an entity rather than measuring it (filled from the record when requested).
const ID_COLUMNS = new Set([
  'AD_ACCOUNT_ID',
  'ADVERTISER_ID',
  'CAMPAIGN_ID',
  'AD_GROUP_ID',
  'AD_ID',
  'PIN_PROMOTION_ID',
  'PIN_ID',
]);

export interface RowsRequest {
  level: AnalyticsLevel;
  scope: number;
  ids: readonly string[];
  startDay: number;
  endDay: number;
  columns: readonly string[];
  total: boolean;
  today: number;
}

/** The index of an entity of the level in the account, or undefined (malformed, elsewhere, never existed). */
export function entityIndex(
  state: SandboxState,
  level: AnalyticsLevel,
  scope: number,
  id: string
): number | undefined {
  const kind = LEVEL_KIND[level];
  const decoded = state.ids.decode(kind, id);
  if (!decoded) return undefined;
  if (level === 'ad_account') return decoded.index === scope ? scope : undefined;
  if (decoded.scope !== scope || decoded.index >= state.store.count(kind, scope)) return undefined;
  return decoded.index;
}

/** Every entity id of a level in the account, deleted ones included (their history stays). */
export function levelIds(state: SandboxState, level: AnalyticsLevel, scope: number): string[] {
  if (level === 'ad_account') return [state.ids.encode('ad_accounts', -1, scope)];
  const kind = LEVEL_KIND[level];
  return Array.from({length: state.store.count(kind, scope)}, (_, i) => state.ids.encode(kind, scope, i));
}

/** The id columns an entity can fill in a row (AD_ACCOUNT_ID, CAMPAIGN_ID, ...). */
function idColumns(record: ApiRecord | undefined, accountId: string): Record<string, string> {
  const out: Record<string, string> = {AD_ACCOUNT_ID: accountId, ADVERTISER_ID: accountId};
  if (!record) return out;
  const put = (col: string, field: string): void => {
    if (typeof record[field] === 'string') out[col] = record[field] as string;
  };
  put('CAMPAIGN_ID', record.type === 'campaign' ? 'id' : 'campaign_id');
  if (record.type === 'adgroup') put('AD_GROUP_ID', 'id');
  else put('AD_GROUP_ID', 'ad_group_id');
  if (record.type === 'pinpromotion') {
    put('AD_ID', 'id');
    put('PIN_PROMOTION_ID', 'id');
    put('PIN_ID', 'pin_id');
  }
  return out;
}

/** Rows of many entities (in the order of `ids`, then date order); ids of other accounts give no rows. */
export function analyticsRows(state: SandboxState, q: RowsRequest): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  const accountId = state.ids.encode('ad_accounts', -1, q.scope);
  const wantsIds = q.columns.some((c) => ID_COLUMNS.has(c));
  const dates = Array.from({length: q.endDay - q.startDay + 1}, (_, i) => dayToDate(q.startDay + i));
  for (const id of q.ids) {
    const index = entityIndex(state, q.level, q.scope, id);
    if (index === undefined) continue;
    const record = wantsIds ? state.store.peek(LEVEL_KIND[q.level], q.scope, index) : undefined;
    const cols = idColumns(q.level === 'ad_account' ? undefined : record, accountId);
    const rows: Record<string, unknown>[] = [];
    let sum: Metrics = ZERO;
    for (let day = q.startDay; day <= q.endDay; day++) {
      const m = state.analytics.metrics(q.level, q.scope, index, day, q.today);
      if (m === ZERO) continue;
      if (q.total) {
        sum = addMetrics(sum, m);
        continue;
      }
      const date = dates[day - q.startDay];
      const row = buildRow({level: q.level, id, date, metrics: m, columns: q.columns, idColumns: cols});
      if (row) rows.push(row);
    }
    if (q.total && sum !== ZERO) {
      const row = buildRow({level: q.level, id, metrics: sum, columns: q.columns, idColumns: cols});
      if (row) rows.push(row);
    }
    if (rows.length > 0) out.set(id, rows);
  }
  return out;
}
