/**
 * Which ads deliver on which day, and with what weight. An ad delivers on a day when it, its ad group and its
 * campaign were all ACTIVE that day (lifetimes.ts), the day is not the one weekday the ad skips (a third of ads
 * skip one), and its ad group delivered that day (85% of days). An ad's weight (1..5) scales its group's
 * per-unit figures (analytics.ts). Per ad group the ads and their delivering days are computed once and kept
 * until a control change touches the group, its campaign or one of its ads: a 250-ad request generates a few
 * groups' records, not the account's.
 */
import {adParentOf, ApiRecord, GenContext} from './generate-ads';
import {EntityStore} from './entity-store';
import {EntityKind, IdCodec} from './ids';
import {DayRange, inRanges, intersectRanges, Lifetimes} from './lifetimes';
import {hash32, Rand} from './rng';
import type {AnalyticsLevel} from './analytics';

interface DeliveringAd {
  weight: number;
  /** Day of week (0..6, days since the epoch mod 7) the ad skips; -1 = none. */
  skips: number;
  days: DayRange[];
}

interface GroupDelivery {
  ads: Map<number, DeliveringAd>;
  /** Summed weight per day. */
  weights: Map<number, number>;
}

const DELIVERY_SALT = 43;
const AD_SALT = 44;
// Share of days an ad group delivers at all (the rest have no rows).
const GROUP_DELIVERS_PERCENT = 85;

export class Delivery {
  /** Per ad account, per ad group. */
  private readonly groups = new Map<number, Map<number, GroupDelivery>>();

  constructor(
    private readonly gen: GenContext,
    private readonly store: EntityStore,
    private readonly lifetimes: Lifetimes,
    /** First UTC day with any data (scale.analyticsDays before the sandbox start). */
    readonly firstDay: number
  ) {}

  private get ids(): IdCodec {
    return this.gen.ids;
  }

  private parentIndex(kind: EntityKind, record: ApiRecord | undefined, field: string): number | undefined {
    const id = record?.[field];
    return typeof id === 'string' ? this.ids.decode(kind, id)?.index : undefined;
  }

  /** The ad group of an ad (generated ads by arithmetic, created ones from their record). */
  groupOfAd(scope: number, ad: number): number | undefined {
    if (ad < this.store.baseCount('ads', scope)) return adParentOf(this.gen, ad).adGroupIndex;
    return this.parentIndex('ad_groups', this.store.peek('ads', scope, ad), 'ad_group_id');
  }

  /** The campaign of an ad group. */
  campaignOfGroup(scope: number, group: number): number | undefined {
    return this.parentIndex('campaigns', this.store.peek('ad_groups', scope, group), 'campaign_id');
  }

  /**
   * The children of a generated parent are a run of indices (generate-ads.ts numbers them that way), plus any
   * created through the control API whose parent field names it.
   */
  private children(
    scope: number,
    parent: {kind: EntityKind; index: number},
    child: {kind: EntityKind; perParent: number; field: string}
  ): number[] {
    const out: number[] = [];
    if (parent.index < this.store.baseCount(parent.kind, scope)) {
      const end = Math.min((parent.index + 1) * child.perParent, this.store.baseCount(child.kind, scope));
      for (let i = parent.index * child.perParent; i < end; i++) out.push(i);
    }
    const id = this.ids.encode(parent.kind, scope, parent.index);
    for (const c of this.store.created(child.kind, scope))
      if (c.record[child.field] === id) out.push(c.index);
    return out;
  }

  /** The ad groups whose ads make up an entity's figures. */
  groupsOf(scope: number, level: Exclude<AnalyticsLevel, 'ad'>, index: number): number[] {
    if (level === 'ad_group') return [index];
    if (level === 'ad_account')
      return Array.from({length: this.store.count('ad_groups', scope)}, (_, g) => g);
    return this.children(
      scope,
      {kind: 'campaigns', index},
      {kind: 'ad_groups', perParent: this.gen.scale.adGroupsPerCampaign, field: 'campaign_id'}
    );
  }

  private group(scope: number, group: number): GroupDelivery {
    let groups = this.groups.get(scope);
    if (!groups) {
      groups = new Map();
      this.groups.set(scope, groups);
    }
    let entry = groups.get(group);
    if (entry) return entry;
    const campaign = this.campaignOfGroup(scope, group);
    const parents =
      campaign === undefined
        ? []
        : intersectRanges(
            this.lifetimes.activeDays('ad_groups', scope, group),
            this.lifetimes.activeDays('campaigns', scope, campaign)
          );
    const delivering = new Map<number, DeliveringAd>();
    if (parents.length > 0) {
      const ads = this.children(
        scope,
        {kind: 'ad_groups', index: group},
        {kind: 'ads', perParent: this.gen.scale.adsPerAdGroup, field: 'ad_group_id'}
      );
      for (const ad of ads) {
        const days = intersectRanges(this.lifetimes.activeDays('ads', scope, ad), parents);
        if (days.length === 0) continue;
        const h = hash32(this.gen.seed, AD_SALT, scope, ad);
        delivering.set(ad, {weight: 1 + (h % 5), skips: (h >>> 8) % 3 === 0 ? (h >>> 12) % 7 : -1, days});
      }
    }
    entry = {ads: delivering, weights: new Map()};
    groups.set(group, entry);
    return entry;
  }

  private groupDelivers(scope: number, group: number, day: number): boolean {
    if (day < this.firstDay) return false;
    return hash32(this.gen.seed, DELIVERY_SALT, scope, group, day) % 100 < GROUP_DELIVERS_PERCENT;
  }

  private weightOn(ad: DeliveringAd, day: number): number {
    return ad.skips !== day % 7 && inRanges(ad.days, day) ? ad.weight : 0;
  }

  /** An ad's delivering weight on a day (0 = no data); `group`: its ad group when the caller knows it. */
  adWeight(scope: number, ad: number, day: number, group = this.groupOfAd(scope, ad)): number {
    if (group === undefined || !this.groupDelivers(scope, group, day)) return 0;
    const entry = this.group(scope, group).ads.get(ad);
    return entry ? this.weightOn(entry, day) : 0;
  }

  /** The summed weight of an ad group's ads delivering on a day. */
  groupWeight(scope: number, group: number, day: number): number {
    const entry = this.group(scope, group);
    let weight = entry.weights.get(day);
    if (weight === undefined) {
      weight = 0;
      if (this.groupDelivers(scope, group, day))
        for (const ad of entry.ads.values()) weight += this.weightOn(ad, day);
      entry.weights.set(day, weight);
    }
    return weight;
  }

  /** A random ad of the group that delivered on the day, if any. */
  deliveringAd(scope: number, group: number, day: number, r: Rand): number | undefined {
    if (this.groupWeight(scope, group, day) === 0) return undefined;
    const candidates = [...this.group(scope, group).ads.entries()]
      .filter(([, ad]) => this.weightOn(ad, day) > 0)
      .map(([index]) => index);
    return candidates.length > 0 ? r.pick(candidates) : undefined;
  }

  /** Forgets what a control change may have altered: the groups under the changed entity. */
  invalidate(kind: EntityKind, scope: number, index: number): void {
    const drop = (group: number | undefined): void => {
      if (group !== undefined) this.groups.get(scope)?.delete(group);
    };
    if (kind === 'ads') drop(this.groupOfAd(scope, index));
    else if (kind === 'ad_groups') drop(index);
    else if (kind === 'campaigns') this.groupsOf(scope, 'campaign', index).forEach(drop);
  }
}
