/**
 * The analytics row differ against the state of the window: pure (no I/O), so no seam is stubbed. Its changelog
 * output restores into the same state (the exactly-once argument after a restart).
 */
import {AnalyticsRowDiffer, type Attribution} from '../../../src/analytics';
import {adAnalytics, adAccountAnalytics} from '../../../src/collections';
import type {AnalyticsRow} from '../../../src/pinterest';
import {applyChangelogRecord, StateStore} from '../../../src/state';
import type {PipelineOutput} from '../../../src/sync/transaction-pipeline';

const ACCOUNT = '549755885175';
const AD = '687195134316';
const ATTRIBUTION: Attribution = {
  clickWindowDays: 30,
  engagementWindowDays: 30,
  viewWindowDays: 1,
  conversionReportTime: 'TIME_OF_AD_ACTION',
};

function setup(options: {windowStart?: string; attribution?: Attribution; store?: StateStore} = {}) {
  const store = options.store ?? new StateStore();
  const state = store.analytics('ad_analytics', ACCOUNT);
  const differ = new AnalyticsRowDiffer({
    declaration: adAnalytics,
    state,
    context: {name: 'p', version: '1', collection: 'ad_analytics', adAccountId: ACCOUNT, syncId: 's'},
    attribution: options.attribution ?? ATTRIBUTION,
    windowStart: options.windowStart ?? '2026-06-01',
    now: () => 1,
  });
  return {store, state, differ};
}

const row = (date: string, metrics: Record<string, unknown>, entityId = AD): AnalyticsRow => ({
  level: 'ad',
  adAccountId: ACCOUNT,
  entityId,
  date,
  source: 'sync',
  metrics,
});
const ops = (outputs: PipelineOutput[]) => outputs.map((o) => `${o.event.op} ${o.event.key.date}`);
const RANGE = {start: '2026-06-01', end: '2026-06-30'};

describe('AnalyticsRowDiffer', () => {
  it('first read: r for every row, images in schema field names with the attribution settings', () => {
    const {differ, state} = setup();
    differ.beginPart();
    const out = differ.diffEntity(
      AD,
      [
        row('2026-06-01', {SPEND_IN_MICRO_DOLLAR: 5_000_000, IMPRESSION_1: 100, CAMPAIGN_ID: '626736533506'}),
        row('2026-06-02', {SPEND_IN_MICRO_DOLLAR: 1, FUTURE_COLUMN: 3}),
      ],
      'r',
      RANGE
    );
    expect(ops(out)).toEqual(['r 2026-06-01', 'r 2026-06-02']);
    expect(out[0]!.event.key).toEqual({ad_account_id: ACCOUNT, ad_id: AD, date: '2026-06-01'});
    expect(out[0]!.event.after).toEqual({
      ad_account_id: ACCOUNT,
      ad_id: AD,
      date: '2026-06-01',
      spend_in_micro_dollar: 5_000_000,
      impression_1: 100,
      campaign_id: '626736533506',
      click_window_days: 30,
      engagement_window_days: 30,
      view_window_days: 1,
      conversion_report_time: 'TIME_OF_AD_ACTION',
    });
    // A column the catalog does not know keeps its API name (the serializer puts it in unknown_fields_json).
    expect(out[1]!.event.after).toMatchObject({FUTURE_COLUMN: 3});
    expect(out.every((o) => o.state !== null)).toBe(true);
    expect(state.size).toBe(2);
  });

  it('a re-read: nothing for unchanged rows, u with before and changed_fields, c for a new row', () => {
    const {differ} = setup();
    differ.beginPart();
    differ.diffEntity(
      AD,
      [row('2026-06-01', {TOTAL_CHECKOUT: 1}), row('2026-06-02', {TOTAL_CHECKOUT: 2})],
      'r',
      RANGE
    );
    differ.beginPart();
    const out = differ.diffEntity(
      AD,
      [
        row('2026-06-01', {TOTAL_CHECKOUT: 1}),
        row('2026-06-02', {TOTAL_CHECKOUT: 3, TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR: 9}),
        row('2026-06-03', {TOTAL_CHECKOUT: 1}),
      ],
      'c',
      RANGE
    );
    expect(ops(out)).toEqual(['u 2026-06-02', 'c 2026-06-03']);
    const u = out[0]!.event;
    expect(u.before).toMatchObject({total_checkout: 2});
    expect(u.before).not.toHaveProperty('total_checkout_value_in_micro_dollar');
    expect(u.after).toMatchObject({total_checkout: 3, total_checkout_value_in_micro_dollar: 9});
    expect(u.changedFields).toEqual(['total_checkout', 'total_checkout_value_in_micro_dollar']);
  });

  it('a row that vanished inside the answered range is deleted; outside it, or unasked, it stays', () => {
    const {differ, state} = setup();
    differ.beginPart();
    differ.diffEntity(
      AD,
      ['2026-06-01', '2026-06-10', '2026-06-20'].map((d) => row(d, {CLICKTHROUGH_1: 1})),
      'r',
      RANGE
    );
    differ.beginPart();
    expect(differ.diffEntity(AD, [row('2026-06-01', {CLICKTHROUGH_1: 1})], 'c', null)).toEqual([]);
    differ.beginPart();
    const out = differ.diffEntity(AD, [row('2026-06-01', {CLICKTHROUGH_1: 1})], 'c', {
      start: '2026-06-01',
      end: '2026-06-15',
    });
    expect(ops(out)).toEqual(['d 2026-06-10']);
    expect(out[0]!.event.before).toMatchObject({clickthrough_1: 1, date: '2026-06-10'});
    expect(out[0]!.state?.value).toBeNull();
    expect(state.size).toBe(2);
  });

  it('rows dated before the window are emitted but never kept (they settled)', () => {
    const {differ, state} = setup({windowStart: '2026-06-15'});
    differ.beginPart();
    const out = differ.diffEntity(
      AD,
      [row('2026-03-01', {CLICKTHROUGH_1: 4}), row('2026-06-20', {CLICKTHROUGH_1: 5})],
      'r',
      {start: '2026-03-01', end: '2026-06-30'}
    );
    expect(ops(out)).toEqual(['r 2026-03-01', 'r 2026-06-20']);
    expect(out[0]!.state).toBeNull();
    expect(state.size).toBe(1);
  });

  it('other attribution settings make every re-read row a u naming them', () => {
    const store = new StateStore();
    const first = setup({store});
    first.differ.beginPart();
    first.differ.diffEntity(AD, [row('2026-06-01', {TOTAL_CHECKOUT: 1})], 'r', RANGE);
    const second = setup({store, attribution: {...ATTRIBUTION, clickWindowDays: 7}});
    second.differ.beginPart();
    const out = second.differ.diffEntity(AD, [row('2026-06-01', {TOTAL_CHECKOUT: 1})], 'c', RANGE);
    expect(ops(out)).toEqual(['u 2026-06-01']);
    expect(out[0]!.event.changedFields).toEqual(['click_window_days']);
    expect(out[0]!.event.before).toMatchObject({click_window_days: 30});
  });

  it('the ad-account level keys rows by (ad_account_id, date)', () => {
    const store = new StateStore();
    const differ = new AnalyticsRowDiffer({
      declaration: adAccountAnalytics,
      state: store.analytics('ad_account_analytics', ACCOUNT),
      context: {
        name: 'p',
        version: '1',
        collection: 'ad_account_analytics',
        adAccountId: ACCOUNT,
        syncId: 's',
      },
      attribution: ATTRIBUTION,
      windowStart: '2026-06-01',
    });
    differ.beginPart();
    const [out] = differ.diffEntity(
      ACCOUNT,
      [row('2026-06-05', {SPEND_IN_MICRO_DOLLAR: 1}, ACCOUNT)],
      'r',
      RANGE
    );
    expect(out!.event.key).toEqual({ad_account_id: ACCOUNT, date: '2026-06-05'});
  });

  it('its changelog records rebuild the same state: a restarted run diffs to nothing', () => {
    const {differ, store} = setup();
    const log: PipelineOutput[] = [];
    differ.beginPart();
    log.push(
      ...differ.diffEntity(
        AD,
        [row('2026-06-01', {TOTAL_CHECKOUT: 1}), row('2026-06-02', {CTR: 0.5})],
        'r',
        RANGE
      )
    );
    differ.beginPart();
    log.push(
      ...differ.diffEntity(AD, [row('2026-06-01', {TOTAL_CHECKOUT: 2, CAMPAIGN_NAME: 'x'})], 'c', RANGE)
    );
    expect(ops(log)).toEqual(['r 2026-06-01', 'r 2026-06-02', 'u 2026-06-01', 'd 2026-06-02']);
    const restored = new StateStore();
    for (const output of log)
      if (output.state) applyChangelogRecord(restored, output.state.key, output.state.value);
    expect(restored.analytics('ad_analytics', ACCOUNT).size).toBe(
      store.analytics('ad_analytics', ACCOUNT).size
    );
    const again = setup({store: restored});
    again.differ.beginPart();
    expect(
      again.differ.diffEntity(AD, [row('2026-06-01', {TOTAL_CHECKOUT: 2, CAMPAIGN_NAME: 'x'})], 'c', RANGE)
    ).toEqual([]);
  });
});
