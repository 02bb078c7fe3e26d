import type {CollectionDeclaration} from './types';

/** Declared only: the analytics window pipeline comes in a later issue. */
export const adAnalytics: CollectionDeclaration = {
  name: 'ad_analytics',
  kind: 'analytics',
  scope: 'ad_account',
  endpoint: {path: '/ad_accounts/{ad_account_id}/ads/analytics', query: {granularity: 'DAY'}},
  rateCategory: 'ads_analytics',
  keyFields: ['ad_account_id', 'ad_id', 'date'],
  schemas: {key: 'ad_analytics/key.avsc', value: 'ad_analytics/value.avsc'},
  keepBeforeImages: true,
};
