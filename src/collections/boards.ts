import type {CollectionDeclaration} from './types';
import {MAX_PAGE_SIZE} from './entity-statuses';

export const boards: CollectionDeclaration = {
  name: 'boards',
  kind: 'entity',
  scope: 'token_user',
  // ALL: the default omits secret/protected boards, whose absence would look like a delete.
  endpoint: {path: '/boards', query: {page_size: MAX_PAGE_SIZE, privacy: 'ALL'}},
  rateCategory: 'org_read',
  keyFields: ['id'],
  schemas: {key: 'boards/key.avsc', value: 'boards/value.avsc'},
  keepBeforeImages: true,
};
