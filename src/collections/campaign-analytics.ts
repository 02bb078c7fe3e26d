import type {CollectionDeclaration} from './types';

/** Declared only: the analytics window pipeline comes in a later issue. */
export const campaignAnalytics: CollectionDeclaration = {
  name: 'campaign_analytics',
  kind: 'analytics',
  scope: 'ad_account',
  endpoint: {path: '/ad_accounts/{ad_account_id}/campaigns/analytics', query: {granularity: 'DAY'}},
  rateCategory: 'ads_analytics',
  keyFields: ['ad_account_id', 'campaign_id', 'date'],
  schemas: {key: 'campaign_analytics/key.avsc', value: 'campaign_analytics/value.avsc'},
  keepBeforeImages: true,
};
