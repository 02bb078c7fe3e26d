import {LEVELS} from '../pinterest/analytics';
import type {CollectionDeclaration} from './types';

/** Daily figures of the whole ad account (GET /ad_accounts/{id}/analytics; reports at level ADVERTISER). */
export const adAccountAnalytics: CollectionDeclaration = {
  name: 'ad_account_analytics',
  kind: 'analytics',
  scope: 'ad_account',
  endpoint: {path: LEVELS.ad_account.path, query: {granularity: 'DAY'}},
  rateCategory: 'ads_analytics',
  keyFields: ['ad_account_id', 'date'],
  schemas: {key: 'ad_account_analytics/key.avsc', value: 'ad_account_analytics/value.avsc'},
  keepBeforeImages: true,
  analytics: {level: 'ad_account', api: LEVELS.ad_account, idField: null, entities: null, parents: []},
};
