/**
 * Ids as the real API gives them: numeric strings, 19 digits for pins, boards and users, 12-18 for ad entities
 * (notes/pinterest-api.md §0 and §10). Each id encodes its (ad account, index), so ids grow with the index
 * ("higher-value IDs are associated with more-recently added items", `order` in the spec) and parse back
 * without a lookup table.
 */

export type EntityKind = 'ad_accounts' | 'campaigns' | 'ad_groups' | 'ads' | 'boards' | 'pins';

export const ENTITY_KINDS: readonly EntityKind[] = [
  'ad_accounts',
  'campaigns',
  'ad_groups',
  'ads',
  'boards',
  'pins',
];

interface IdLayout {
  prefix: string;
  scopeDigits: number; // 0 = not scoped by ad account
  indexDigits: number;
}

const LAYOUTS: Record<EntityKind, IdLayout> = {
  ad_accounts: {prefix: '549', scopeDigits: 0, indexDigits: 7}, // 12 digits
  campaigns: {prefix: '626', scopeDigits: 4, indexDigits: 6}, // 15
  ad_groups: {prefix: '2680', scopeDigits: 4, indexDigits: 7}, // 17
  ads: {prefix: '687', scopeDigits: 4, indexDigits: 9}, // 18
  boards: {prefix: '54', scopeDigits: 0, indexDigits: 15}, // 19
  pins: {prefix: '10', scopeDigits: 0, indexDigits: 15}, // 19
};

export function seedTag(seed: number): string {
  return String(10 + (Math.abs(Math.trunc(seed)) % 90));
}

export class IdCodec {
  private readonly tag: string;

  constructor(seed: number) {
    this.tag = seedTag(seed);
  }

  /** scope = ad account index for campaigns, ad groups and ads; ignored otherwise. */
  encode(kind: EntityKind, scope: number, index: number): string {
    const l = LAYOUTS[kind];
    const scopePart = l.scopeDigits > 0 ? String(scope).padStart(l.scopeDigits, '0') : '';
    return l.prefix + this.tag + scopePart + String(index).padStart(l.indexDigits, '0');
  }

  decode(kind: EntityKind, id: string): {scope: number; index: number} | undefined {
    const l = LAYOUTS[kind];
    const head = l.prefix + this.tag;
    if (
      id.length !== head.length + l.scopeDigits + l.indexDigits ||
      !id.startsWith(head) ||
      !/^\d+$/.test(id)
    ) {
      return undefined;
    }
    const scope = l.scopeDigits > 0 ? Number(id.slice(head.length, head.length + l.scopeDigits)) : -1;
    return {scope, index: Number(id.slice(head.length + l.scopeDigits))};
  }

  userId(): string {
    return '7' + this.tag + '0000000000004242';
  }

  username(): string {
    return `sandbox_user_${this.tag}`;
  }
}
