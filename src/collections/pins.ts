import type {CollectionDeclaration} from './types';
import {MAX_PAGE_SIZE} from './entity-statuses';

export const pins: CollectionDeclaration = {
  name: 'pins',
  kind: 'entity',
  scope: 'token_user',
  // Protected pins included so that toggling protection is not read as a delete. pin_metrics is not requested:
  // it would turn every impression into an update.
  endpoint: {path: '/pins', query: {page_size: MAX_PAGE_SIZE, include_protected_pins: true}},
  rateCategory: 'org_read',
  keyFields: ['id'],
  schemas: {key: 'pins/key.avsc', value: 'pins/value.avsc'},
  // Pins are the largest collection: hash only, so `u` events carry no `before`.
  keepBeforeImages: false,
};
