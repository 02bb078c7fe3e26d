import type {CollectionDeclaration} from './types';
import {ALL_ENTITY_STATUSES, MAX_PAGE_SIZE} from './entity-statuses';

export const campaigns: CollectionDeclaration = {
  name: 'campaigns',
  kind: 'entity',
  scope: 'ad_account',
  endpoint: {
    path: '/ad_accounts/{ad_account_id}/campaigns',
    query: {page_size: MAX_PAGE_SIZE, entity_statuses: ALL_ENTITY_STATUSES},
  },
  rateCategory: 'ads_read',
  keyFields: ['ad_account_id', 'id'],
  schemas: {key: 'campaigns/key.avsc', value: 'campaigns/value.avsc'},
  keepBeforeImages: true,
  changeHintField: 'updated_time',
};
