import type {CollectionDeclaration} from './types';
import {ALL_ENTITY_STATUSES, MAX_PAGE_SIZE} from './entity-statuses';

export const ads: CollectionDeclaration = {
  name: 'ads',
  kind: 'entity',
  scope: 'ad_account',
  endpoint: {
    path: '/ad_accounts/{ad_account_id}/ads',
    query: {page_size: MAX_PAGE_SIZE, entity_statuses: ALL_ENTITY_STATUSES},
  },
  rateCategory: 'ads_read',
  keyFields: ['ad_account_id', 'id'],
  schemas: {key: 'ads/key.avsc', value: 'ads/value.avsc'},
  keepBeforeImages: true,
  changeHintField: 'updated_time',
};
