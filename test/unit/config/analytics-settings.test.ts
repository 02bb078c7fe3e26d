/** The `analytics` settings group: columns checked against the catalog, warnings, defaults. */
import {configWarnings, loadConfig, loadConfigWithSources} from '../../../src/config';
import {ConfigError} from '../../../src/errors';

const NOW = new Date('2025-06-15T12:00:00Z');
const REQUIRED = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7',
  PINTEREST_ACCESS_TOKEN: 'pina.x',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({env: {...REQUIRED, ...env}, now: NOW});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('analytics settings', () => {
  it('defaults: ad and campaign analytics, hourly, 30-day window, explicit attribution', () => {
    const config = loadConfig({env: REQUIRED, now: NOW});
    expect(config.analytics.collections).toEqual(['ad_analytics', 'campaign_analytics']);
    expect(config.analytics.intervalSeconds).toBe(3600);
    expect(config.analytics.restatementDays).toBe(30);
    expect(config.analytics.startDate).toBe('2025-05-16');
    expect(config.analytics.conversionReportTime).toBe('TIME_OF_AD_ACTION');
    expect(configWarnings(config)).toEqual([]);
  });

  it('lists every unknown column, each with its position', () => {
    const problems = problemsOf({
      PINTEREST_CDC_ANALYTICS__COLUMNS: 'SPEND_IN_MICRO_DOLLAR,SPEND,IMPRESSION_1,clicks,TOTAL_CHECKOUT',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^analytics\.columns\[1\]: unknown column "SPEND": not one of the 175/);
    expect(problems[1]).toMatch(/^analytics\.columns\[3\]: unknown column "clicks"/);
  });

  it('accepts any documented column, and all four collections', () => {
    const config = loadConfig({
      env: {
        ...REQUIRED,
        PINTEREST_CDC_ANALYTICS__COLUMNS: 'CAMPAIGN_NAME,CTR,TOTAL_CUSTOM_CONVERSION_RATE',
        PINTEREST_CDC_ANALYTICS__COLLECTIONS:
          'ad_analytics,campaign_analytics,ad_group_analytics,ad_account_analytics',
      },
      now: NOW,
    });
    expect(config.analytics.columns).toEqual(['CAMPAIGN_NAME', 'CTR', 'TOTAL_CUSTOM_CONVERSION_RATE']);
    expect(config.analytics.collections).toHaveLength(4);
  });

  it('refuses a column async reports lack when the start date needs reports', () => {
    const recent = problemsOf({PINTEREST_CDC_ANALYTICS__COLUMNS: 'QUIZ_PIN_RESULT_OPEN'});
    expect(recent).toEqual([]);
    const old = problemsOf({
      PINTEREST_CDC_ANALYTICS__COLUMNS: 'SPEND_IN_MICRO_DOLLAR,QUIZ_PIN_RESULT_OPEN',
      PINTEREST_CDC_ANALYTICS__START_DATE: '2025-01-01',
    });
    expect(old).toEqual([expect.stringMatching(/^analytics\.columns: QUIZ_PIN_RESULT_OPEN cannot be read/)]);
  });

  it('warns (does not refuse) when an attribution window is longer than the restatement window', () => {
    const config = loadConfig({
      env: {
        ...REQUIRED,
        PINTEREST_CDC_ANALYTICS__CLICK_WINDOW_DAYS: '60',
        PINTEREST_CDC_ANALYTICS__RESTATEMENT_DAYS: '14',
      },
      now: NOW,
    });
    expect(configWarnings(config)).toEqual([
      expect.stringMatching(
        /^analytics\.restatementDays: 14 is shorter than the longest attribution window \(60 days\)/
      ),
    ]);
    // Every command prints the loaded configuration's warnings (src/cli/context.ts).
    const loaded = loadConfigWithSources({
      env: {
        ...REQUIRED,
        PINTEREST_CDC_ANALYTICS__CLICK_WINDOW_DAYS: '60',
        PINTEREST_CDC_ANALYTICS__RESTATEMENT_DAYS: '14',
      },
      now: NOW,
    });
    expect(loaded.warnings).toEqual(configWarnings(config));
  });
});
