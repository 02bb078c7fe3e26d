import type {AnalyticsLevel, LevelSpec} from '../pinterest/analytics';
import type {RateCategory} from '../pinterest/types';

/**
 * Where a collection's records come from, which also decides the state shard:
 * - `ad_account`: one listing per ad account (path has `{ad_account_id}`), shard = the ad account id;
 * - `token_user`: the token user's own boards/pins, shard `user`;
 * - `ad_accounts`: the list of ad accounts itself, shard `all`.
 */
export type CollectionScope = 'ad_account' | 'token_user' | 'ad_accounts';

/** Entities are listed in full and diffed; analytics rows are re-read per date window (src/analytics). */
export type CollectionKind = 'entity' | 'analytics';

/** What an analytics collection reads (kind `analytics` only). */
export interface AnalyticsDeclaration {
  /** DAY rows of this level. */
  readonly level: AnalyticsLevel;
  /** Endpoint, id parameter, row id column and report level (notes/pinterest-api.md §3-§4). */
  readonly api: LevelSpec;
  /** The key field that names the level's entity (`ad_id`); null for the ad-account level. */
  readonly idField: string | null;
  /** The entity collection whose listing gives the level's ids and lifetimes; null for the ad-account level. */
  readonly entities: string | null;
  /**
   * Entity collections of the level's parents (an ad's ad group and campaign): an entity delivers only while its
   * parents do, so one whose parent stopped before a range began has no rows in it.
   */
  readonly parents: readonly string[];
}

export type QueryValue = string | number | boolean | readonly string[];

/** One collection, declared once: the runner, the serde and the state read everything they need from here. */
export interface CollectionDeclaration {
  /** snake_case: topic suffix (`<prefix>.<name>`), Avro namespace `pinterest.cdc.<name>`, state id. */
  readonly name: string;
  readonly kind: CollectionKind;
  readonly scope: CollectionScope;
  /** List endpoint: path template (`{ad_account_id}` for `ad_account` scope) and the fixed query. */
  readonly endpoint: {readonly path: string; readonly query: Readonly<Record<string, QueryValue>>};
  readonly rateCategory: RateCategory;
  /** Fields that identify a record, in key-schema order; all strings (`date` for analytics). */
  readonly keyFields: readonly string[];
  /** `.avsc` files, relative to the top-level `avro/` folder. */
  readonly schemas: {readonly key: string; readonly value: string};
  /** Keep the last image of each record in state so `u` and `d` carry `before` and `changed_fields`. */
  readonly keepBeforeImages: boolean;
  /** A field that changes whenever the record changes (informational: the differ still hashes everything). */
  readonly changeHintField?: string;
  /** Analytics collections: the level, its API and where its ids come from. */
  readonly analytics?: AnalyticsDeclaration;
}

/** The field that names the shard in the key of `ad_account`-scoped collections. */
export const AD_ACCOUNT_KEY_FIELD = 'ad_account_id';
export const TOKEN_USER_SHARD = 'user';
export const AD_ACCOUNTS_SHARD = 'all';
