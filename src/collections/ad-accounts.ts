import type {CollectionDeclaration} from './types';
import {MAX_PAGE_SIZE} from './entity-statuses';

export const adAccounts: CollectionDeclaration = {
  name: 'ad_accounts',
  kind: 'entity',
  scope: 'ad_accounts',
  endpoint: {path: '/ad_accounts', query: {page_size: MAX_PAGE_SIZE, include_shared_accounts: true}},
  rateCategory: 'ads_read',
  keyFields: ['id'],
  schemas: {key: 'ad_accounts/key.avsc', value: 'ad_accounts/value.avsc'},
  keepBeforeImages: true,
  changeHintField: 'updated_time',
};
