/** List and get endpoints of ad accounts, campaigns, ad groups, ads, boards and pins (notes/pinterest-api.md §1). */
import {
  AD_ACCOUNT_NOT_FOUND,
  ApiError,
  BOARD_NOT_FOUND,
  ENTITY_NOT_FOUND,
  invalidParameter,
  PIN_NOT_FOUND,
} from './api-error';
import {decodeBookmark, encodeBookmark} from './bookmark';
import {IndexRange} from './entity-store';
import {ApiRecord} from './generate-ads';
import {EntityKind} from './ids';
import {entityStatuses, ID_FILTER_MAX, idList, numericId, order, pageSize} from './query';
import {ApiRequest, ApiResponse, ok, Route} from './route';
import {SandboxState} from './state';

interface ListSpec {
  kind: EntityKind;
  scope: number;
  route: string;
  predicate?: (record: ApiRecord) => boolean;
  baseRanges?: IndexRange[];
  ordered?: boolean;
  /** `/pins` quirk: a non-null bookmark on the short last page, then an empty page with bookmark null. */
  pinsQuirk?: boolean;
}

function listPage(state: SandboxState, req: ApiRequest, spec: ListSpec): ApiResponse {
  const size = pageSize(req.query);
  const desc = spec.ordered ? order(req.query) : false;
  const routeKey = `${spec.route}:${spec.scope}:${desc ? 'd' : 'a'}`;
  const raw = req.query.get('bookmark');
  const after = raw === null || raw === '' ? undefined : decodeBookmark(raw, routeKey);
  const page = state.store.list(spec.kind, spec.scope, {
    after,
    desc,
    pageSize: size,
    predicate: spec.predicate,
    baseRanges: spec.baseRanges,
  });
  const next = spec.pinsQuirk ? page.items.length > 0 : page.more;
  // Every list here ends with `"bookmark": null` as recorded live (notes/pinterest-api.md §10; the lists without
  // a bookmark key are ones the sandbox does not serve). The emptyListingRate fault sends no key at all.
  const bookmark =
    next && page.lastIndex !== undefined ? encodeBookmark({route: routeKey, after: page.lastIndex}) : null;
  return ok({items: page.items, bookmark});
}

/** Path ad account -> its index, or the 404 the API gives. */
export function accountScope(state: SandboxState, raw: string): number {
  numericId('ad_account_id', raw);
  // Spec `path_ad_account_id`: maxLength 18.
  if (raw.length > 18) throw invalidParameter(`'ad_account_id' value '${raw}' is longer than 18 characters`);
  const decoded = state.ids.decode('ad_accounts', raw);
  if (!decoded || !state.store.accountExists(decoded.index)) throw AD_ACCOUNT_NOT_FOUND();
  return decoded.index;
}

function getOne(
  state: SandboxState,
  kind: EntityKind,
  scope: number,
  name: string,
  raw: string,
  notFound: () => ApiError
) {
  numericId(name, raw);
  const decoded = state.ids.decode(kind, raw);
  if (!decoded || (scope >= 0 && decoded.scope !== scope)) throw notFound();
  const record = state.store.get(kind, scope, decoded.index);
  if (!record) throw notFound();
  return ok(record);
}

/** `GET /ad_accounts/{ad_account_id}/<collection>/{<idParam>}`: one campaign, ad group or ad of the account. */
function adAccountEntityGet(
  collection: 'campaigns' | 'ad_groups' | 'ads',
  idParam: string,
  label: string
): Route {
  return {
    method: 'GET',
    template: `/v5/ad_accounts/{ad_account_id}/${collection}/{${idParam}}`,
    categories: ADS_READ,
    auth: true,
    handle: (state, req) =>
      getOne(
        state,
        collection,
        accountScope(state, req.params.ad_account_id ?? ''),
        idParam,
        req.params[idParam] ?? '',
        () => ENTITY_NOT_FOUND(label)
      ),
  };
}

function statusPredicate(req: ApiRequest, extra?: (r: ApiRecord) => boolean): (r: ApiRecord) => boolean {
  const statuses = entityStatuses(req.query);
  return (r) => statuses.has(r.status as string) && (!extra || extra(r));
}

/** Filter by ids of a parent (or own) field: base index ranges for speed, the predicate for created records. */
function idFilter(
  state: SandboxState,
  scope: number,
  kind: EntityKind,
  ids: string[],
  span: number,
  field: string
): {ranges: IndexRange[]; test: (r: ApiRecord) => boolean} {
  const set = new Set(ids);
  const ranges: IndexRange[] = [];
  for (const id of ids) {
    const d = state.ids.decode(kind, id);
    if (d && d.scope === scope) ranges.push({start: d.index * span, end: (d.index + 1) * span, step: 1});
  }
  return {ranges, test: (r) => set.has(r[field] as string)};
}

const ADS_READ = ['ads_read'] as const;
const ORG_READ = ['org_read'] as const;

export const ENTITY_ROUTES: Route[] = [
  {
    method: 'GET',
    template: '/v5/ad_accounts',
    categories: ADS_READ,
    auth: true,
    list: true,
    handle: (state, req) => listPage(state, req, {kind: 'ad_accounts', scope: -1, route: 'ad_accounts'}),
  },
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}',
    categories: ADS_READ,
    auth: true,
    handle: (state, req) => {
      const scope = accountScope(state, req.params.ad_account_id ?? '');
      return ok(state.store.get('ad_accounts', -1, scope));
    },
  },
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}/campaigns',
    categories: ADS_READ,
    auth: true,
    list: true,
    handle: (state, req) => {
      const scope = accountScope(state, req.params.ad_account_id ?? '');
      const campaignIds = idList(req.query, 'campaign_ids', ID_FILTER_MAX);
      const filter = campaignIds && idFilter(state, scope, 'campaigns', campaignIds, 1, 'id');
      return listPage(state, req, {
        kind: 'campaigns',
        scope,
        route: 'campaigns',
        ordered: true,
        predicate: statusPredicate(req, filter?.test),
        baseRanges: filter?.ranges,
      });
    },
  },
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}/ad_groups',
    categories: ADS_READ,
    auth: true,
    list: true,
    handle: (state, req) => {
      const scope = accountScope(state, req.params.ad_account_id ?? '');
      const campaignIds = idList(req.query, 'campaign_ids', ID_FILTER_MAX);
      const adGroupIds = idList(req.query, 'ad_group_ids', ID_FILTER_MAX);
      // Spec: campaign_ids or ad_group_ids, not both; body from the spec's example for ad_groups/list 400.
      if (campaignIds && adGroupIds) throw new ApiError(400, 400, 'Invalid ad account group parameters.');
      const filter = campaignIds
        ? idFilter(state, scope, 'campaigns', campaignIds, state.gen.scale.adGroupsPerCampaign, 'campaign_id')
        : adGroupIds && idFilter(state, scope, 'ad_groups', adGroupIds, 1, 'id');
      return listPage(state, req, {
        kind: 'ad_groups',
        scope,
        route: 'ad_groups',
        ordered: true,
        predicate: statusPredicate(req, filter?.test),
        baseRanges: filter?.ranges,
      });
    },
  },
  {
    method: 'GET',
    template: '/v5/ad_accounts/{ad_account_id}/ads',
    categories: ADS_READ,
    auth: true,
    list: true,
    handle: (state, req) => {
      const scope = accountScope(state, req.params.ad_account_id ?? '');
      const s = state.gen.scale;
      const campaignIds = idList(req.query, 'campaign_ids', ID_FILTER_MAX);
      const adGroupIds = idList(req.query, 'ad_group_ids', ID_FILTER_MAX);
      const adIds = idList(req.query, 'ad_ids', ID_FILTER_MAX);
      // Spec: "do not provide more than one type"; body from the spec's example for ads/list 400.
      if ([campaignIds, adGroupIds, adIds].filter(Boolean).length > 1) {
        throw new ApiError(400, 400, 'Invalid ad account ads parameters.');
      }
      const filter = campaignIds
        ? idFilter(
            state,
            scope,
            'campaigns',
            campaignIds,
            s.adGroupsPerCampaign * s.adsPerAdGroup,
            'campaign_id'
          )
        : adGroupIds
          ? idFilter(state, scope, 'ad_groups', adGroupIds, s.adsPerAdGroup, 'ad_group_id')
          : adIds && idFilter(state, scope, 'ads', adIds, 1, 'id');
      return listPage(state, req, {
        kind: 'ads',
        scope,
        route: 'ads',
        ordered: true,
        predicate: statusPredicate(req, filter?.test),
        baseRanges: filter?.ranges,
      });
    },
  },
  adAccountEntityGet('campaigns', 'campaign_id', 'Campaign'),
  adAccountEntityGet('ad_groups', 'ad_group_id', 'Ad group'),
  adAccountEntityGet('ads', 'ad_id', 'Ad'),
  {
    method: 'GET',
    template: '/v5/boards',
    categories: ORG_READ,
    auth: true,
    list: true,
    handle: (state, req) => {
      const privacy = req.query.get('privacy');
      const allowed: Record<string, string[]> = {
        ALL: ['PUBLIC', 'PROTECTED', 'SECRET'],
        PUBLIC: ['PUBLIC'],
        PROTECTED: ['PROTECTED'],
        SECRET: ['SECRET'],
        PUBLIC_AND_SECRET: ['PUBLIC', 'SECRET'],
      };
      const wanted = privacy === null ? undefined : allowed[privacy];
      if (privacy !== null && !wanted)
        throw invalidParameter(`Invalid value for parameter 'privacy': '${privacy}'`);
      return listPage(state, req, {
        kind: 'boards',
        scope: -1,
        route: 'boards',
        predicate: wanted ? (r) => wanted.includes(r.privacy as string) : undefined,
      });
    },
  },
  {
    method: 'GET',
    template: '/v5/boards/{board_id}',
    categories: ORG_READ,
    auth: true,
    handle: (state, req) =>
      getOne(state, 'boards', -1, 'board_id', req.params.board_id ?? '', BOARD_NOT_FOUND),
  },
  {
    method: 'GET',
    template: '/v5/boards/{board_id}/pins',
    categories: ORG_READ,
    auth: true,
    list: true,
    handle: (state, req) => {
      const raw = numericId('board_id', req.params.board_id ?? '');
      const decoded = state.ids.decode('boards', raw);
      // The spec's example for boards/list_pins 404.
      const notFound = (): ApiError => new ApiError(404, 404, 'Board not found.');
      if (!decoded || !state.store.get('boards', -1, decoded.index)) throw notFound();
      const boards = state.gen.scale.boards;
      return listPage(state, req, {
        kind: 'pins',
        scope: -1,
        route: `boards/${decoded.index}/pins`,
        predicate: (r) => r.board_id === raw,
        baseRanges:
          decoded.index < boards ? [{start: decoded.index, end: state.gen.scale.pins, step: boards}] : [],
      });
    },
  },
  {
    method: 'GET',
    template: '/v5/pins',
    categories: ORG_READ,
    auth: true,
    list: true,
    handle: (state, req) => listPage(state, req, {kind: 'pins', scope: -1, route: 'pins', pinsQuirk: true}),
  },
  {
    method: 'GET',
    template: '/v5/pins/{pin_id}',
    categories: ORG_READ,
    auth: true,
    handle: (state, req) => getOne(state, 'pins', -1, 'pin_id', req.params.pin_id ?? '', PIN_NOT_FOUND),
  },
  {
    method: 'GET',
    template: '/v5/user_account',
    categories: ORG_READ,
    auth: true,
    handle: (state) =>
      ok({
        account_type: 'BUSINESS',
        id: state.ids.userId(),
        username: state.ids.username(),
        profile_image: 'https://i.pinimg.com/600x600_R/42/f5/36/42f5364f737e2a8c1f8b3d1b4f5b8d2e.jpg',
        website_url: 'https://example.com',
        business_name: 'Sandbox Business',
        board_count: state.gen.scale.boards,
        pin_count: state.gen.scale.pins,
        follower_count: 42,
        following_count: 7,
        // Sentinel instead of null (notes/pinterest-api.md §10).
        monthly_views: -1,
      }),
  },
];
