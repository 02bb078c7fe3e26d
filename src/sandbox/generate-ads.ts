/**
 * Ad accounts, campaigns, ad groups and ads as pure functions of (seed, ad account, index). Shapes follow the
 * OpenAPI schemas AdAccount, CampaignResponse, AdGroupResponse, AdResponse plus what live responses show
 * (notes/pinterest-api.md §2 and §10; field presence checked against the public recordings in
 * NangoHQ/integration-templates `integrations/pinterest/tests/*.test.json`): Unix-second timestamps, many nulls,
 * sentinels (lifetime_frequency_cap -1, feed_profile_id "0", lifetime_spend_cap 0), nested targeting_spec, and
 * fields the spec does not list.
 */
import {IdCodec} from './ids';
import {SandboxScale} from './options';
import {hash32, Rand} from './rng';

export type ApiRecord = Record<string, unknown>;

export interface GenContext {
  seed: number;
  ids: IdCodec;
  scale: SandboxScale;
  /** The sandbox's start, Unix seconds: generated records are created before it. */
  originSec: number;
}

const ENTITY_STATUS_PATTERN = [
  'ACTIVE',
  'PAUSED',
  'ARCHIVED',
  'ACTIVE',
  'DRAFT',
  'ACTIVE',
  'PAUSED',
  'DELETED_DRAFT',
  'ACTIVE',
  'ARCHIVED',
] as const;

const SALT = {account: 11, campaign: 12, adGroup: 13, ad: 14} as const;
const HISTORY_SEC = 400 * 86_400;

function statusFor(scope: number, index: number): string {
  return ENTITY_STATUS_PATTERN[(index + scope) % ENTITY_STATUS_PATTERN.length] as string;
}

/** Creation spread over the 400 days before the origin, growing with the index (ids grow with it too). */
function createdSec(ctx: GenContext, index: number, count: number, r: Rand): number {
  const span = HISTORY_SEC - 86_400;
  return ctx.originSec - HISTORY_SEC + Math.floor((index / Math.max(count, 1)) * span) + r.int(0, 3599);
}

function updatedSec(ctx: GenContext, created: number, r: Rand): number {
  return Math.min(ctx.originSec - 60, created + (r.chance(0.3) ? 0 : r.int(60, 90 * 86_400)));
}

export function campaignSummaryStatus(status: string, r: Rand): string {
  if (status === 'ACTIVE') return r.pick(['RUNNING', 'RUNNING', 'RUNNING', 'COMPLETED', 'NOT_STARTED']);
  if (status === 'PAUSED') return r.chance(0.1) ? 'ADVERTISER_DISABLED' : 'PAUSED';
  return status; // ARCHIVED, DRAFT, DELETED_DRAFT share their name
}

export function adSummaryStatus(status: string, review: string): string {
  if (status === 'ACTIVE')
    return review === 'REJECTED' ? 'REJECTED' : review === 'PENDING' ? 'PENDING' : 'APPROVED';
  return status;
}

export function generateAdAccount(ctx: GenContext, index: number): ApiRecord {
  const r = new Rand(hash32(ctx.seed, SALT.account, index));
  const created = createdSec(ctx, index, ctx.scale.adAccounts, r);
  const owner: ApiRecord = {username: ctx.ids.username()};
  // Older records lack owner.id (notes/pinterest-api.md §10).
  if (index % 2 === 0) owner.id = ctx.ids.userId();
  const account: ApiRecord = {
    id: ctx.ids.encode('ad_accounts', -1, index),
    name: `Sandbox Ad Account ${index + 1}`,
    owner,
    country: r.pick(['US', 'US', 'GB', 'DE', 'FR', 'CA']),
    currency: r.pick(['USD', 'USD', 'EUR', 'GBP']),
    permissions: r.chance(0.8) ? ['OWNER'] : ['ADMIN', 'ANALYST'],
    created_time: created,
    updated_time: updatedSec(ctx, created, r),
  };
  // Recorded live: `time_zone` on 2 of 7 ad accounts, absent on the rest.
  if (r.chance(2 / 7))
    account.time_zone = r.pick(['America/New_York', 'Europe/London', 'America/Los_Angeles']);
  return account;
}

export interface CampaignParent {
  scope: number;
}

export function generateCampaign(
  ctx: GenContext,
  scope: number,
  index: number,
  createdOverride?: number
): ApiRecord {
  const r = new Rand(hash32(ctx.seed, SALT.campaign, scope, index));
  const created = createdOverride ?? createdSec(ctx, index, ctx.scale.campaignsPerAccount, r);
  const status = statusFor(scope, index);
  const cbo = r.chance(0.3);
  return {
    id: ctx.ids.encode('campaigns', scope, index),
    ad_account_id: ctx.ids.encode('ad_accounts', -1, scope),
    name: `Campaign ${index + 1} of account ${scope + 1}`,
    status,
    lifetime_spend_cap: r.chance(0.8) ? 0 : r.int(100, 5000) * 1_000_000,
    daily_spend_cap: cbo ? r.int(10, 500) * 1_000_000 : null,
    order_line_id: null,
    tracking_urls: r.chance(0.9)
      ? null
      : {impression: [], click: ['https://example.com/track?c={campaignid}']},
    // Recorded live: a campaign's start_time is its created_time.
    start_time: created,
    end_time: r.chance(0.8) ? null : created + 60 * 86_400,
    summary_status: campaignSummaryStatus(status, r),
    is_campaign_budget_optimization: cbo,
    is_flexible_daily_budgets: r.chance(0.2),
    objective_type: r.pick([
      'AWARENESS',
      'CONSIDERATION',
      'WEB_CONVERSION',
      'CATALOG_SALES',
      'VIDEO_COMPLETION',
    ]),
    created_time: created,
    updated_time: createdOverride ?? updatedSec(ctx, created, r),
    type: 'campaign',
    is_automated_campaign: r.chance(0.1),
    is_performance_plus: r.chance(0.1),
    bid_options: null,
    // Not in spec 5.23, seen live (notes/pinterest-api.md §10).
    is_top_of_search: r.chance(0.05),
    ext_features: null,
    intended_promotion_type: 'STANDARD_AD',
  };
}

export function generateAdGroup(
  ctx: GenContext,
  scope: number,
  index: number,
  campaignIndex: number,
  createdOverride?: number
): ApiRecord {
  const r = new Rand(hash32(ctx.seed, SALT.adGroup, scope, index));
  const created =
    createdOverride ??
    createdSec(ctx, index, ctx.scale.campaignsPerAccount * ctx.scale.adGroupsPerCampaign, r);
  const status = statusFor(scope, index + 3);
  const budgetType = r.pick(['DAILY', 'DAILY', 'LIFETIME', 'CBO_ADGROUP']);
  const targeting: ApiRecord = {
    AGE_BUCKET: r.chance(0.5) ? ['25-34', '35-44'] : ['18-24', '25-34', '35-44', '45-49'],
    APPTYPE: ['android_mobile', 'iphone', 'web'],
    GENDER: r.chance(0.7) ? ['female', 'male', 'unknown'] : ['female'],
    GEO: r.chance(0.5) ? ['US'] : ['US', 'CA'],
    INTEREST: r.chance(0.5) ? [] : [String(900000000000 + r.int(0, 99999))],
    LOCALE: ['en-US'],
    LOCATION: ['US'],
    TARGETING_STRATEGY: ['CHOOSE_YOUR_OWN'],
  };
  if (r.chance(0.2))
    targeting.SHOPPING_RETARGETING = [{lookback_window: 30, exclusion_window: 14, tag_types: [0, 6]}];
  return {
    name: `Ad group ${index + 1}`,
    status,
    budget_in_micro_currency: budgetType === 'CBO_ADGROUP' ? null : r.int(5, 500) * 1_000_000,
    bid_in_micro_currency: r.chance(0.6) ? null : r.int(100_000, 3_000_000),
    optimization_goal_metadata: r.chance(0.8)
      ? {}
      : {conversion_tag_v3_goal_metadata: {conversion_event: 'CHECKOUT', conversion_tag_id: '2612345678901'}},
    budget_type: budgetType,
    // Recorded live: start_time null on every ad group (31 of 31).
    start_time: null,
    end_time: r.chance(0.8) ? null : created + 30 * 86_400,
    targeting_spec: targeting,
    lifetime_frequency_cap: -1,
    tracking_urls: null,
    auto_targeting_enabled: r.chance(0.5),
    placement_group: r.pick(['ALL', 'ALL', 'SEARCH', 'BROWSE']),
    pacing_delivery_type: r.chance(0.9) ? 'STANDARD' : 'ACCELERATED',
    conversion_learning_mode_type: r.chance(0.7) ? null : 'NOT_ACTIVE',
    summary_status: campaignSummaryStatus(status, r),
    feed_profile_id: '0',
    billable_event: r.pick(['CLICKTHROUGH', 'IMPRESSION', 'VIDEO_V_50_MRC']),
    id: ctx.ids.encode('ad_groups', scope, index),
    type: 'adgroup',
    ad_account_id: ctx.ids.encode('ad_accounts', -1, scope),
    campaign_id: ctx.ids.encode('campaigns', scope, campaignIndex),
    created_time: created,
    updated_time: createdOverride ?? updatedSec(ctx, created, r),
    bid_strategy_type: r.pick(['AUTOMATIC_BID', 'MAX_BID', null]),
    targeting_template_ids: null,
    is_creative_optimization: null,
    promotion_id: null,
    promotion_application_level: r.chance(0.5) ? null : 'NONE',
    bid_multiplier: null,
    // Not in spec 5.23, seen live (notes/pinterest-api.md §10); `dca_assets` is in the spec but not recorded.
    placement_traffic_type: null,
    promotion_ids: [],
    ext_features: null,
    is_automated_campaign: false,
    is_creative_expansion: false,
    enabled_catalog_expansion: r.chance(0.1),
  };
}

export interface AdParent {
  campaignIndex: number;
  adGroupIndex: number;
  pinIndex: number;
}

export function generateAd(
  ctx: GenContext,
  scope: number,
  index: number,
  parent: AdParent,
  createdOverride?: number
): ApiRecord {
  const r = new Rand(hash32(ctx.seed, SALT.ad, scope, index));
  const perAccount = ctx.scale.campaignsPerAccount * ctx.scale.adGroupsPerCampaign * ctx.scale.adsPerAdGroup;
  const created = createdOverride ?? createdSec(ctx, index, perAccount, r);
  const status = statusFor(scope, index + 7);
  const review =
    status === 'ACTIVE' ? r.pick(['APPROVED', 'APPROVED', 'APPROVED', 'PENDING', 'REJECTED']) : 'APPROVED';
  const creative = r.pick(['REGULAR', 'REGULAR', 'VIDEO', 'CAROUSEL', 'SHOPPING', 'IDEA']);
  const carousel = creative === 'CAROUSEL';
  return {
    ad_group_id: ctx.ids.encode('ad_groups', scope, parent.adGroupIndex),
    android_deep_link: null,
    carousel_android_deep_links: carousel ? [] : null,
    carousel_destination_urls: carousel ? ['https://example.com/a', 'https://example.com/b'] : null,
    carousel_ios_deep_links: carousel ? [] : null,
    click_tracking_url: null,
    creative_type: creative,
    destination_url: r.chance(0.8) ? `https://example.com/products/${index}` : null,
    ios_deep_link: null,
    is_pin_deleted: r.chance(0.02),
    is_removable: r.chance(0.5),
    name: r.chance(0.9) ? `Ad ${index + 1}` : null,
    status,
    tracking_urls: null,
    view_tracking_url: null,
    lead_form_id: null,
    grid_click_type: r.chance(0.7) ? 'CLOSEUP' : 'DIRECT_TO_DESTINATION',
    customizable_cta_type: null,
    quiz_pin_data: null,
    pin_id: ctx.ids.encode('pins', -1, parent.pinIndex),
    ad_account_id: ctx.ids.encode('ad_accounts', -1, scope),
    campaign_id: ctx.ids.encode('campaigns', scope, parent.campaignIndex),
    collection_items_destination_url_template: null,
    created_time: created,
    id: ctx.ids.encode('ads', scope, index),
    rejected_reasons: review === 'REJECTED' ? ['LANDING_PAGE'] : [],
    rejection_labels: review === 'REJECTED' ? ['Landing page is not available'] : [],
    review_status: review,
    // The spec says "Always 'ad'", its example says "pinpromotion" (notes/pinterest-api.md §2).
    type: 'pinpromotion',
    updated_time: createdOverride ?? updatedSec(ctx, created, r),
    summary_status: adSummaryStatus(status, review),
    disclosure_type: null,
    disclosure_url: null,
  };
}

/** The parents of a generated (not created) ad or ad group, by arithmetic on the index. */
export function adParentOf(ctx: GenContext, index: number): AdParent {
  const adGroupIndex = Math.floor(index / Math.max(ctx.scale.adsPerAdGroup, 1));
  return {
    adGroupIndex,
    campaignIndex: Math.floor(adGroupIndex / Math.max(ctx.scale.adGroupsPerCampaign, 1)),
    pinIndex: ctx.scale.pins > 0 ? index % ctx.scale.pins : 0,
  };
}

export function adGroupCampaignOf(ctx: GenContext, index: number): number {
  return Math.floor(index / Math.max(ctx.scale.adGroupsPerCampaign, 1));
}
