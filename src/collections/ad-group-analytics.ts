import {LEVELS} from '../pinterest/analytics';
import type {CollectionDeclaration} from './types';

/** Daily figures of each ad group (GET /ad_accounts/{id}/ad_groups/analytics; reports at level AD_GROUP). */
export const adGroupAnalytics: CollectionDeclaration = {
  name: 'ad_group_analytics',
  kind: 'analytics',
  scope: 'ad_account',
  endpoint: {path: LEVELS.ad_group.path, query: {granularity: 'DAY'}},
  rateCategory: 'ads_analytics',
  keyFields: ['ad_account_id', 'ad_group_id', 'date'],
  schemas: {key: 'ad_group_analytics/key.avsc', value: 'ad_group_analytics/value.avsc'},
  keepBeforeImages: true,
  analytics: {
    level: 'ad_group',
    api: LEVELS.ad_group,
    idField: 'ad_group_id',
    entities: 'ad_groups',
    parents: ['campaigns'],
  },
};
