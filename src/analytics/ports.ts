/**
 * What the analytics runner needs from its neighbours, as narrow ports: rows from the Pinterest client, entity
 * lifetimes from the entity listings. Tests drive the runner with the real client on the sandbox or with fakes.
 */
import type {AnalyticsPart, AnalyticsRows} from '../pinterest/analytics';

/** One request's rows: a sync call or a whole async report (the client's `analyticsPart`). */
export interface AnalyticsRowSource {
  read(part: AnalyticsPart): Promise<AnalyticsRows>;
}

/** What decides whether an entity can have rows in a date range (eligibility.ts). */
export interface EntityLifetime {
  readonly id: string;
  /** EntityStatus: ACTIVE, PAUSED, ARCHIVED, DRAFT, DELETED_DRAFT. */
  readonly status?: string;
  /** Unix seconds. */
  readonly createdTime?: number;
  /** Unix seconds: the last change, so for a paused or archived entity no later than when it stopped. */
  readonly updatedTime?: number;
  /** Ids of its parents (an ad's ad group and campaign, an ad group's campaign). */
  readonly parents?: readonly string[];
}

/** The entities of a level in one ad account (the `campaigns`, `ad_groups` or `ads` listing). */
export interface EntityLifetimeSource {
  entities(collection: string, adAccountId: string): Promise<readonly EntityLifetime[]>;
}

/** Metrics seam of the analytics runner (every argument a bounded label value). */
export interface AnalyticsHooks {
  /** A date range of one (collection, ad account) ended: read completely, or stopped part way. */
  onAnalyticsWindow?(collection: string, outcome: 'complete' | 'interrupted'): void;
}
