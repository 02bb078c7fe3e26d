/** The analytics request shapes the client sends (pure functions; no seam). */
import {buildQuery} from '../../../src/pinterest/client';
import {syncAnalyticsQuery} from '../../../src/pinterest/analytics';
import {parseByIdReport, reportBody} from '../../../src/pinterest/reports';

describe('analytics requests', () => {
  it('sends ids comma-joined in one value, commas as they are, everything else URL-encoded', () => {
    const query = syncAnalyticsQuery({
      level: 'ad',
      adAccountId: '1',
      ids: ['687195134316000001', '687195134316000002'],
      start: '2026-06-01',
      end: '2026-06-30',
      columns: ['SPEND_IN_MICRO_DOLLAR', 'IMPRESSION_1'],
      attribution: {clickWindowDays: 30, conversionReportTime: 'TIME_OF_AD_ACTION'},
      via: 'sync',
    });
    expect(buildQuery(query)).toBe(
      '?start_date=2026-06-01&end_date=2026-06-30&columns=SPEND_IN_MICRO_DOLLAR,IMPRESSION_1&granularity=DAY' +
        '&click_window_days=30&conversion_report_time=TIME_OF_AD_ACTION&ad_ids=687195134316000001,687195134316000002'
    );
    // Report tokens carry '-', '_', '=' and may carry '+' and '/': encoded.
    expect(buildQuery({token: 'ab-c_d+e/f=='})).toBe('?token=ab-c_d%2Be%2Ff%3D%3D');
  });

  it('refuses an id batch the endpoint does not take; the ad-account level takes none', () => {
    const base = {
      adAccountId: '1',
      start: '2026-06-01',
      end: '2026-06-30',
      columns: ['CTR'],
      via: 'sync' as const,
    };
    expect(() => syncAnalyticsQuery({...base, level: 'campaign', ids: []})).toThrow(RangeError);
    expect(() =>
      syncAnalyticsQuery({
        ...base,
        level: 'campaign',
        ids: Array.from({length: 251}, (_, i) => String(i + 1)),
      })
    ).toThrow(RangeError);
    expect(syncAnalyticsQuery({...base, level: 'ad_account', ids: null})).not.toHaveProperty('ad_ids');
  });

  it('reports: ADVERTISER level without ids, no filter for the whole level, BY_ID text files parsed', () => {
    const job = {
      level: 'ad_account' as const,
      adAccountId: '9',
      ids: null,
      start: '2026-01-01',
      end: '2026-03-01',
      columns: ['CTR'],
    };
    expect(reportBody(job)).toMatchObject({level: 'ADVERTISER', granularity: 'DAY', report_format: 'JSON'});
    expect(reportBody({...job, level: 'ad', ids: null})).not.toHaveProperty('ad_ids');
    expect(reportBody({...job, level: 'ad', ids: ['5']})).toMatchObject({
      level: 'PIN_PROMOTION',
      ad_ids: ['5'],
    });
    const file = JSON.stringify({
      '5': [{DATE: '2026-01-02', AD_ID: '5', PIN_PROMOTION_ID: '5', SPEND_IN_MICRO_DOLLAR: 7}, {NO_DATE: 1}],
      oops: [],
    });
    const parsed = parseByIdReport(file, {level: 'ad', adAccountId: '9'});
    expect(parsed.rows).toEqual([
      {
        level: 'ad',
        adAccountId: '9',
        entityId: '5',
        date: '2026-01-02',
        source: 'report',
        metrics: {SPEND_IN_MICRO_DOLLAR: 7},
      },
    ]);
    expect(parsed.rejected).toEqual([{AD_ID: '5', row: {NO_DATE: 1}}, {oops: []}]);
  });
});
