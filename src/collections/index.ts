export * from './types';
export {ALL_ENTITY_STATUSES, MAX_PAGE_SIZE} from './entity-statuses';
export {COLLECTIONS, CollectionRegistry, topicOf} from './registry';
export {adAccounts} from './ad-accounts';
export {campaigns} from './campaigns';
export {adGroups} from './ad-groups';
export {ads} from './ads';
export {boards} from './boards';
export {pins} from './pins';
export {adAnalytics} from './ad-analytics';
export {campaignAnalytics} from './campaign-analytics';
export {adGroupAnalytics} from './ad-group-analytics';
export {adAccountAnalytics} from './ad-account-analytics';
export {
  ANALYTICS_COLUMNS,
  ATTRIBUTION_FIELDS,
  COLUMN_TYPE_EXCEPTIONS,
  SYNC_COLUMN_NAMES,
  analyticsColumn,
  columnType,
  columnTypeFromName,
} from './analytics-columns';
export type {AnalyticsColumn, AnalyticsColumnType} from './analytics-columns';
