import {LEVELS} from '../pinterest/analytics';
import type {CollectionDeclaration} from './types';

/** Daily figures of each campaign (GET /ad_accounts/{id}/campaigns/analytics; reports at level CAMPAIGN). */
export const campaignAnalytics: CollectionDeclaration = {
  name: 'campaign_analytics',
  kind: 'analytics',
  scope: 'ad_account',
  endpoint: {path: LEVELS.campaign.path, query: {granularity: 'DAY'}},
  rateCategory: 'ads_analytics',
  keyFields: ['ad_account_id', 'campaign_id', 'date'],
  schemas: {key: 'campaign_analytics/key.avsc', value: 'campaign_analytics/value.avsc'},
  keepBeforeImages: true,
  analytics: {
    level: 'campaign',
    api: LEVELS.campaign,
    idField: 'campaign_id',
    entities: 'campaigns',
    parents: [],
  },
};
