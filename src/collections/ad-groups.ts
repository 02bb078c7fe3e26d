import type {CollectionDeclaration} from './types';
import {ALL_ENTITY_STATUSES, MAX_PAGE_SIZE} from './entity-statuses';

export const adGroups: CollectionDeclaration = {
  name: 'ad_groups',
  kind: 'entity',
  scope: 'ad_account',
  endpoint: {
    path: '/ad_accounts/{ad_account_id}/ad_groups',
    query: {page_size: MAX_PAGE_SIZE, entity_statuses: ALL_ENTITY_STATUSES},
  },
  rateCategory: 'ads_read',
  keyFields: ['ad_account_id', 'id'],
  schemas: {key: 'ad_groups/key.avsc', value: 'ad_groups/value.avsc'},
  keepBeforeImages: true,
  changeHintField: 'updated_time',
};
