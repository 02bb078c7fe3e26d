import {LEVELS} from '../pinterest/analytics';
import type {CollectionDeclaration} from './types';

/** Daily figures of each ad (GET /ad_accounts/{id}/ads/analytics; async reports at level PIN_PROMOTION). */
export const adAnalytics: CollectionDeclaration = {
  name: 'ad_analytics',
  kind: 'analytics',
  scope: 'ad_account',
  endpoint: {path: LEVELS.ad.path, query: {granularity: 'DAY'}},
  rateCategory: 'ads_analytics',
  keyFields: ['ad_account_id', 'ad_id', 'date'],
  schemas: {key: 'ad_analytics/key.avsc', value: 'ad_analytics/value.avsc'},
  keepBeforeImages: true,
  analytics: {
    level: 'ad',
    api: LEVELS.ad,
    idField: 'ad_id',
    entities: 'ads',
    parents: ['ad_groups', 'campaigns'],
  },
};
