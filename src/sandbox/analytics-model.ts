/**
 * One user's analytics: an entity's metrics on a day as of the sandbox's today, at any of the four levels, from
 * delivery (delivery.ts), per-group figures (analytics.ts) and restated checkouts. Restatements always land on
 * one delivering ad, so every level above it moves by the same amount and the levels stay sums of each other.
 */
import {
  addMetrics,
  AnalyticsLevel,
  GroupDayFigures,
  groupDayFigures,
  Metrics,
  weighFigures,
  ZERO,
} from './analytics';
import {Delivery} from './delivery';
import {Rand} from './rng';

// Figures kept for the current day's requests (the ads of a group share them); dropped when full.
const FIGURES_CACHE_MAX = 200_000;

export class AnalyticsModel {
  private readonly extraByAd = new Map<string, number>();
  private readonly extraByGroup = new Map<string, number>();
  private readonly figuresCache = new Map<string, GroupDayFigures>();
  private figuresToday = NaN;

  constructor(
    private readonly seed: number,
    readonly delivery: Delivery
  ) {}

  private figures(scope: number, group: number, day: number, today: number): GroupDayFigures {
    if (today !== this.figuresToday || this.figuresCache.size >= FIGURES_CACHE_MAX) {
      this.figuresCache.clear();
      this.figuresToday = today;
    }
    const key = `${scope}|${group}|${day}`;
    let figures = this.figuresCache.get(key);
    if (!figures) {
      figures = groupDayFigures(this.seed, scope, group, day, today);
      this.figuresCache.set(key, figures);
    }
    return figures;
  }

  private extra(map: Map<string, number>, scope: number, index: number, day: number): number {
    return map.size === 0 ? 0 : (map.get(`${scope}|${index}|${day}`) ?? 0);
  }

  private groupMetrics(scope: number, group: number, day: number, today: number): Metrics {
    const weight = this.delivery.groupWeight(scope, group, day);
    const extra = this.extra(this.extraByGroup, scope, group, day);
    if (weight === 0 && extra === 0) return ZERO;
    return weighFigures(this.figures(scope, group, day, today), weight, extra);
  }

  /** Metrics of the entity at `index` of a level on a day, as of `today`; all zero when it had no data. */
  metrics(level: AnalyticsLevel, scope: number, index: number, day: number, today: number): Metrics {
    if (day > today || day < this.delivery.firstDay) return ZERO;
    if (level === 'ad') {
      const group = this.delivery.groupOfAd(scope, index);
      const weight = this.delivery.adWeight(scope, index, day, group);
      const extra = this.extra(this.extraByAd, scope, index, day);
      if (group === undefined || (weight === 0 && extra === 0)) return ZERO;
      return weighFigures(this.figures(scope, group, day, today), weight, extra);
    }
    const groups = this.delivery.groupsOf(scope, level, index);
    if (groups.length === 1) return this.groupMetrics(scope, groups[0] as number, day, today);
    let sum: Metrics = ZERO;
    for (const group of groups) {
      const m = this.groupMetrics(scope, group, day, today);
      if (m !== ZERO) sum = addMetrics(sum, m);
    }
    return sum;
  }

  /** An ad under the entity that delivered on the day (where a restatement can land), if any. */
  deliveringAd(
    level: AnalyticsLevel,
    scope: number,
    index: number,
    day: number,
    r: Rand
  ): number | undefined {
    if (level === 'ad') return this.delivery.adWeight(scope, index, day) > 0 ? index : undefined;
    const groups = this.delivery.groupsOf(scope, level, index);
    for (let attempt = 0; attempt < 3 * groups.length + 3 && groups.length > 0; attempt++) {
      const ad = this.delivery.deliveringAd(scope, r.pick(groups), day, r);
      if (ad !== undefined) return ad;
    }
    return undefined;
  }

  /** Late conversions for an ad on a day (the control API's `restate`). */
  restate(scope: number, ad: number, day: number, extraCheckouts: number): void {
    const group = this.delivery.groupOfAd(scope, ad);
    if (group === undefined) return;
    const bump = (map: Map<string, number>, key: string): void => {
      map.set(key, (map.get(key) ?? 0) + extraCheckouts);
    };
    bump(this.extraByAd, `${scope}|${ad}|${day}`);
    bump(this.extraByGroup, `${scope}|${group}|${day}`);
  }
}
