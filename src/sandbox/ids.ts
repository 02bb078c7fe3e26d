/**
 * Ids as the real API gives them: numeric strings, 19 digits for pins, boards and users, 12-18 for ad entities
 * (notes/pinterest-api.md §0 and §10). Each id encodes its (ad account, index), so ids grow with the index
 * ("higher-value IDs are associated with more-recently added items", `order` in the spec) and parse back
 * without a lookup table. Several sandbox users share one id layout: each owns a block of ad-account numbers
 * (which also keeps their campaigns, ad groups and ads apart) and a block of board/pin numbers; user 0's blocks
 * start at 0, so a one-user sandbox has the ids it always had.
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

/** Ad-account numbers are 4 digits inside campaign, ad group and ad ids: every user's block fits below this. */
export const ACCOUNT_NUMBER_SPACE = 10_000;
/** Board and pin numbers per user (15 index digits leave room for 1,000 users). */
export const ORG_BLOCK = 1_000_000_000_000;

/** Where one user's numbers start, and how many ad-account numbers the user owns. */
export interface IdSpace {
  userIndex: number;
  accountBase: number;
  accountBlock: number;
}

const FIRST_USER: IdSpace = {userIndex: 0, accountBase: 0, accountBlock: ACCOUNT_NUMBER_SPACE};

export class IdCodec {
  private readonly tag: string;

  constructor(
    seed: number,
    private readonly space: IdSpace = FIRST_USER
  ) {
    this.tag = seedTag(seed);
  }

  private base(kind: EntityKind): number {
    if (kind === 'boards' || kind === 'pins') return this.space.userIndex * ORG_BLOCK;
    return kind === 'ad_accounts' ? this.space.accountBase : 0;
  }

  private limit(kind: EntityKind): number {
    if (kind === 'boards' || kind === 'pins') return ORG_BLOCK;
    return kind === 'ad_accounts' ? this.space.accountBlock : Infinity;
  }

  /** scope = the user's ad account index for campaigns, ad groups and ads; ignored otherwise. */
  encode(kind: EntityKind, scope: number, index: number): string {
    const l = LAYOUTS[kind];
    const scopePart =
      l.scopeDigits > 0 ? String(this.space.accountBase + scope).padStart(l.scopeDigits, '0') : '';
    return l.prefix + this.tag + scopePart + String(this.base(kind) + index).padStart(l.indexDigits, '0');
  }

  /** The (scope, index) of an id of this user, or undefined (malformed, another seed or another user). */
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
    let scope = -1;
    if (l.scopeDigits > 0) {
      scope = Number(id.slice(head.length, head.length + l.scopeDigits)) - this.space.accountBase;
      if (scope < 0 || scope >= this.space.accountBlock) return undefined;
    }
    const index = Number(id.slice(head.length + l.scopeDigits)) - this.base(kind);
    if (index < 0 || index >= this.limit(kind)) return undefined;
    return {scope, index};
  }

  userId(): string {
    const u = this.space.userIndex;
    return u === 0
      ? '7' + this.tag + '0000000000004242'
      : '7' + this.tag + String(u).padStart(12, '0') + '4242';
  }

  username(): string {
    const u = this.space.userIndex;
    return u === 0 ? `sandbox_user_${this.tag}` : `sandbox_user_${this.tag}_${u + 1}`;
  }
}
