/**
 * The metric columns of the synchronous analytics endpoints, each with the Avro type of its value-schema field.
 * One catalog for config validation (`analytics.columns`), the .avsc files of the analytics collections (a test
 * checks they agree: test/unit/collections/analytics-columns.test.ts), and the state changelog, which stores a
 * row's figures by catalog index: so this list only ever grows at its end.
 */

// notes/pinterest-api.md §3: the 175 values of `#/components/parameters/query_columns` (spec 5.23.0), in the
// spec's order. New columns go at the end: a column's position is persisted.
export const SYNC_COLUMN_NAMES: readonly string[] = [
  'SPEND_IN_MICRO_DOLLAR',
  'PAID_IMPRESSION',
  'SPEND_IN_DOLLAR',
  'CPC_IN_MICRO_DOLLAR',
  'ECPC_IN_MICRO_DOLLAR',
  'ECPC_IN_DOLLAR',
  'CTR',
  'ECTR',
  'OUTBOUND_CTR_1',
  'CAMPAIGN_NAME',
  'CAMPAIGN_BRAND_LABEL',
  'PIN_ID',
  'TOTAL_ENGAGEMENT',
  'ENGAGEMENT_1',
  'ENGAGEMENT_2',
  'ECPE_IN_DOLLAR',
  'ENGAGEMENT_RATE',
  'EENGAGEMENT_RATE',
  'ECPM_IN_MICRO_DOLLAR',
  'REPIN_RATE',
  'CTR_2',
  'CAMPAIGN_ID',
  'ADVERTISER_ID',
  'AD_ACCOUNT_ID',
  'PIN_PROMOTION_ID',
  'AD_ID',
  'AD_GROUP_ID',
  'CAMPAIGN_ENTITY_STATUS',
  'CAMPAIGN_OBJECTIVE_TYPE',
  'CPM_IN_MICRO_DOLLAR',
  'CPM_IN_DOLLAR',
  'AD_GROUP_NAME',
  'AD_GROUP_BUDGET_TYPE',
  'AD_GROUP_BUDGET_IN_LOCAL_CURRENCY',
  'AD_GROUP_ENTITY_STATUS',
  'AD_GROUP_BID_MULTIPLIER',
  'PROMO_ID',
  'PROMO_NAME',
  'ORDER_LINE_ID',
  'ORDER_LINE_NAME',
  'CLICKTHROUGH_1',
  'REPIN_1',
  'IMPRESSION_1',
  'IMPRESSION_1_GROSS',
  'CLICKTHROUGH_1_GROSS',
  'OUTBOUND_CLICK_1',
  'CLICKTHROUGH_2',
  'REPIN_2',
  'IMPRESSION_2',
  'OUTBOUND_CLICK_2',
  'TOTAL_CLICKTHROUGH',
  'TOTAL_IMPRESSION',
  'TOTAL_IMPRESSION_USER',
  'TOTAL_IMPRESSION_FREQUENCY',
  'COST_PER_OUTBOUND_CLICK_IN_DOLLAR',
  'COST_PER_OUTBOUND_CLICK_IN_DOLLAR_1',
  'TOTAL_ENGAGEMENT_SIGNUP',
  'TOTAL_ENGAGEMENT_CHECKOUT',
  'TOTAL_ENGAGEMENT_LEAD',
  'TOTAL_CLICK_SIGNUP',
  'TOTAL_CLICK_CHECKOUT',
  'TOTAL_CLICK_ADD_TO_CART',
  'TOTAL_CLICK_LEAD',
  'TOTAL_VIEW_SIGNUP',
  'TOTAL_VIEW_CHECKOUT',
  'TOTAL_VIEW_ADD_TO_CART',
  'TOTAL_VIEW_LEAD',
  'TOTAL_CONVERSIONS',
  'TOTAL_ENGAGEMENT_SIGNUP_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_ENGAGEMENT_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_CLICK_SIGNUP_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_VIEW_SIGNUP_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_WEB_SESSIONS',
  'WEB_SESSIONS_1',
  'WEB_SESSIONS_2',
  'AD_NAME',
  'CAMPAIGN_LIFETIME_SPEND_CAP',
  'AD_GROUP_OPTIMIZATION',
  'CAMPAIGN_DAILY_SPEND_CAP',
  'CAMPAIGN_BUDGET_OPTIMIZATION',
  'IS_PREMIERE_CAMPAIGN',
  'TOTAL_PAGE_VISIT',
  'TOTAL_SIGNUP',
  'TOTAL_CHECKOUT',
  'TOTAL_CUSTOM',
  'TOTAL_LEAD',
  'TOTAL_ADD_TO_WISHLIST',
  'TOTAL_SUBSCRIBE',
  'TOTAL_SIGNUP_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_CUSTOM_VALUE_IN_MICRO_DOLLAR',
  'PAGE_VISIT_COST_PER_ACTION',
  'PAGE_VISIT_ROAS',
  'CHECKOUT_ROAS',
  'CUSTOM_ROAS',
  'PRODUCT_GROUP_AD_IMAGE_TAG',
  'PRODUCT_GROUP_AD_VIDEO_TAG',
  'VIDEO_3SEC_VIEWS_1',
  'VIDEO_15SEC_UNIQUE_VIEWS_1',
  'VIDEO_MRC_VIEWS_1',
  'VIDEO_3SEC_VIEWS_2',
  'VIDEO_15SEC_UNIQUE_VIEWS_2',
  'VIDEO_P100_COMPLETE_2',
  'VIDEO_P0_COMBINED_2',
  'VIDEO_P25_COMBINED_2',
  'VIDEO_P50_COMBINED_2',
  'VIDEO_P75_COMBINED_2',
  'VIDEO_P95_COMBINED_2',
  'VIDEO_MRC_VIEWS_2',
  'PAID_VIDEO_VIEWABLE_RATE',
  'VIDEO_LENGTH',
  'VIDEO_SPEND_IN_DOLLAR',
  'ECPV_IN_DOLLAR',
  'ECPCV_IN_DOLLAR',
  'ECPCV_P95_IN_DOLLAR',
  'TOTAL_VIDEO_3SEC_VIEWS',
  'TOTAL_VIDEO_15SEC_UNIQUE_VIEWS',
  'TOTAL_VIDEO_P100_COMPLETE',
  'TOTAL_VIDEO_P0_COMBINED',
  'TOTAL_VIDEO_P25_COMBINED',
  'TOTAL_VIDEO_P50_COMBINED',
  'TOTAL_VIDEO_P75_COMBINED',
  'TOTAL_VIDEO_P95_COMBINED',
  'TOTAL_VIDEO_MRC_VIEWS',
  'TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND',
  'TOTAL_REPIN_RATE',
  'WEB_CHECKOUT_COST_PER_ACTION',
  'WEB_CHECKOUT_ROAS',
  'TOTAL_WEB_CHECKOUT',
  'TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_WEB_CLICK_CHECKOUT',
  'TOTAL_WEB_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_WEB_ENGAGEMENT_CHECKOUT',
  'TOTAL_WEB_ENGAGEMENT_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'TOTAL_WEB_VIEW_CHECKOUT',
  'TOTAL_WEB_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
  'INAPP_CHECKOUT_COST_PER_ACTION',
  'TOTAL_OFFLINE_CHECKOUT',
  'TOTAL_APP_INSTALL_CONVERSION_RATE',
  'TOTAL_INAPP_APP_INSTALL_CONVERSION_RATE',
  'IDEA_PIN_PRODUCT_TAG_VISIT_1',
  'IDEA_PIN_PRODUCT_TAG_VISIT_2',
  'TOTAL_IDEA_PIN_PRODUCT_TAG_VISIT',
  'LEADS',
  'COST_PER_LEAD',
  'QUIZ_COMPLETED',
  'QUIZ_PIN_RESULT_OPEN',
  'QUIZ_COMPLETION_RATE',
  'SHOWCASE_PIN_CLICKTHROUGH',
  'SHOWCASE_SUBPAGE_CLICKTHROUGH',
  'SHOWCASE_SUBPIN_CLICKTHROUGH',
  'SHOWCASE_SUBPAGE_IMPRESSION',
  'SHOWCASE_SUBPIN_IMPRESSION',
  'SHOWCASE_SUBPAGE_SWIPE_LEFT',
  'SHOWCASE_SUBPAGE_SWIPE_RIGHT',
  'SHOWCASE_SUBPIN_SWIPE_LEFT',
  'SHOWCASE_SUBPIN_SWIPE_RIGHT',
  'SHOWCASE_SUBPAGE_REPIN',
  'SHOWCASE_SUBPIN_REPIN',
  'SHOWCASE_SUBPAGE_CLOSEUP',
  'SHOWCASE_CARD_THUMBNAIL_SWIPE_FORWARD',
  'SHOWCASE_CARD_THUMBNAIL_SWIPE_BACKWARD',
  'SHOWCASE_AVERAGE_SUBPAGE_CLOSEUP_PER_SESSION',
  'TOTAL_CHECKOUT_CONVERSION_RATE',
  'TOTAL_VIEW_CATEGORY_CONVERSION_RATE',
  'TOTAL_ADD_TO_CART_CONVERSION_RATE',
  'TOTAL_SIGNUP_CONVERSION_RATE',
  'TOTAL_PAGE_VISIT_CONVERSION_RATE',
  'TOTAL_LEAD_CONVERSION_RATE',
  'TOTAL_SEARCH_CONVERSION_RATE',
  'TOTAL_WATCH_VIDEO_CONVERSION_RATE',
  'TOTAL_UNKNOWN_CONVERSION_RATE',
  'TOTAL_CUSTOM_CONVERSION_RATE',
];

/** Types a column's field can have: the Avro `long`, `double`, `string`, or a JSON text (`"x-format": "json"`). */
export type AnalyticsColumnType = 'long' | 'double' | 'string' | 'json';

export interface AnalyticsColumn {
  /** The API's name (UPPER_SNAKE), as sent in `columns` and returned as a row key. */
  readonly name: string;
  /** The Avro field: the name in lower snake case. */
  readonly field: string;
  readonly type: AnalyticsColumnType;
  /** Whether async reports know the column (spec `ReportingColumnAsync`): they serve dates older than 89 days. */
  readonly inReports: boolean;
  /** Position in SYNC_COLUMN_NAMES (persisted in the state changelog). */
  readonly index: number;
}

// notes/pinterest-api.md §4: the one query_columns value the async reports' `ReportingColumnAsync` (613 values)
// lacks.
const NOT_IN_REPORTS: ReadonlySet<string> = new Set(['QUIZ_PIN_RESULT_OPEN']);

/**
 * Where the name rule below is wrong. The spec gives no value types for columns, so these follow the meaning:
 * costs per click / per mille are ratios of micro amounts (fractional, the sandbox answers 1234567.8);
 * a video length is a duration; three columns whose type nothing documents keep their JSON text, whatever it is.
 */
export const COLUMN_TYPE_EXCEPTIONS: Readonly<Record<string, AnalyticsColumnType>> = {
  CPC_IN_MICRO_DOLLAR: 'double',
  ECPC_IN_MICRO_DOLLAR: 'double',
  CPM_IN_MICRO_DOLLAR: 'double',
  ECPM_IN_MICRO_DOLLAR: 'double',
  VIDEO_LENGTH: 'double',
  AD_GROUP_OPTIMIZATION: 'json',
  CAMPAIGN_BUDGET_OPTIMIZATION: 'json',
  IS_PREMIERE_CAMPAIGN: 'json',
};

const STRING_SUFFIX = /_(ID|NAME|STATUS|TYPE|LABEL|TAG)$/;
const RATIO_PARTS = [
  '_IN_DOLLAR',
  'RATE',
  'ROAS',
  'COST_PER',
  'FREQUENCY',
  'AVG',
  'AVERAGE',
  'MULTIPLIER',
  'LOCAL_CURRENCY',
];
const CLICK_THROUGH_RATE = /(^|_)E?CTR(_\d)?$/;

/**
 * The type rule, from the name: ids, names, statuses, types, labels and tags are strings; micro-currency amounts
 * (`*_IN_MICRO_DOLLAR`) are longs; dollar amounts, rates, ratios, ROAS, costs per action, frequencies and averages
 * are doubles; everything else is a count, a long. COLUMN_TYPE_EXCEPTIONS overrides it.
 */
export function columnTypeFromName(name: string): AnalyticsColumnType {
  if (STRING_SUFFIX.test(name)) return 'string';
  if (name.endsWith('_IN_MICRO_DOLLAR')) return 'long';
  if (CLICK_THROUGH_RATE.test(name) || RATIO_PARTS.some((part) => name.includes(part))) return 'double';
  return 'long';
}

export function columnType(name: string): AnalyticsColumnType {
  return COLUMN_TYPE_EXCEPTIONS[name] ?? columnTypeFromName(name);
}

export const ANALYTICS_COLUMNS: readonly AnalyticsColumn[] = SYNC_COLUMN_NAMES.map((name, index) => ({
  name,
  field: name.toLowerCase(),
  type: columnType(name),
  inReports: !NOT_IN_REPORTS.has(name),
  index,
}));

const BY_NAME: ReadonlyMap<string, AnalyticsColumn> = new Map(ANALYTICS_COLUMNS.map((c) => [c.name, c]));

/** The catalog entry of an API column name, or undefined for a column the catalog does not know. */
export function analyticsColumn(name: string): AnalyticsColumn | undefined {
  return BY_NAME.get(name);
}

/**
 * Value-schema fields besides the key and the metric columns: the attribution settings and the conversion report
 * time the figures were asked with (notes/pinterest-api.md §3), so a consumer knows what a conversion count means.
 */
export const ATTRIBUTION_FIELDS = [
  {name: 'click_window_days', type: 'long', doc: 'click_window_days the figures were asked with.'},
  {name: 'engagement_window_days', type: 'long', doc: 'engagement_window_days the figures were asked with.'},
  {name: 'view_window_days', type: 'long', doc: 'view_window_days the figures were asked with.'},
  {
    name: 'conversion_report_time',
    type: 'string',
    doc: 'TIME_OF_AD_ACTION or TIME_OF_CONVERSION: which date a conversion is counted on.',
  },
] as const;
