import {ALL_STATUSES, harness, Harness, walk} from './helpers';

const SCALE = {
  adAccounts: 2,
  campaignsPerAccount: 6,
  adGroupsPerCampaign: 3,
  adsPerAdGroup: 4,
  boards: 5,
  pins: 103,
};

describe('sandbox listing', () => {
  let h: Harness;
  let account: string;
  beforeAll(async () => {
    h = await harness({scale: SCALE});
    account = ((await h.json<{items: {id: string}[]}>('/ad_accounts')).body.items[0] as {id: string}).id;
  });
  afterAll(() => h.sb.close());

  test('ids are numeric strings: 19 digits for pins and boards, 12-18 for ad entities', async () => {
    const pins = (await h.json<{items: {id: string; board_id: string}[]}>('/pins')).body.items;
    expect(pins.every((p) => /^\d{19}$/.test(p.id) && /^\d{19}$/.test(p.board_id))).toBe(true);
    const ads = (await h.json<{items: Record<string, string>[]}>(`/ad_accounts/${account}/ads`)).body.items;
    for (const ad of ads)
      for (const k of ['id', 'ad_account_id', 'campaign_id', 'ad_group_id'])
        expect(ad[k]).toMatch(/^\d{12,18}$/);
    expect(typeof ads[0]?.created_time).toBe('number');
  });

  test('page_size: default 25, max 250; 251 and non-numeric are 400 code 1', async () => {
    expect((await h.json<{items: unknown[]}>('/pins')).body.items).toHaveLength(25);
    expect((await h.json<{items: unknown[]}>('/pins?page_size=250')).body.items).toHaveLength(103);
    const over = await h.json(`/ad_accounts/${account}/campaigns?page_size=251`);
    expect(over.status).toBe(400);
    expect(over.body).toEqual({
      code: 1,
      message: "Parameter 'page_size' must be between 1 and 250 (was 251)",
    });
    const nan = await h.json('/pins?page_size=3e');
    expect(nan.body).toEqual({code: 1, message: "Parameter 'page_size' was not numeric (was 3e)"});
  });

  test('bookmark paging returns every record exactly once; bookmarks need URL-encoding', async () => {
    const truth = h.sb.control.truth('ads', account).items.map((r) => r.id);
    const walked = await walk(h, `/ad_accounts/${account}/ads?page_size=7&${ALL_STATUSES}`);
    expect(walked.items.map((r) => r.id)).toEqual(truth);
    const bookmark = walked.pages[0]?.bookmark as string;
    expect(bookmark).toMatch(/\+/);
    expect(bookmark).toMatch(/\//);
    expect(bookmark).toMatch(/=$/);
    const raw = await h.json(`/ad_accounts/${account}/ads?page_size=7&${ALL_STATUSES}&bookmark=${bookmark}`);
    expect(raw.status).toBe(400);
    const desc = await walk(h, `/ad_accounts/${account}/ads?page_size=9&order=DESCENDING&${ALL_STATUSES}`);
    expect(desc.items.map((r) => r.id)).toEqual([...truth].reverse());
  });

  test('default entity_statuses is ACTIVE+PAUSED; repeated and comma-joined values select more', async () => {
    const all = h.sb.control.truth('campaigns', account).items;
    expect(new Set(all.map((c) => c.status))).toEqual(new Set(['ACTIVE', 'PAUSED', 'ARCHIVED', 'DRAFT']));
    const dflt = (await walk(h, `/ad_accounts/${account}/campaigns`)).items;
    expect(dflt.map((c) => c.id)).toEqual(
      all.filter((c) => ['ACTIVE', 'PAUSED'].includes(c.status as string)).map((c) => c.id)
    );
    const withArchived = (
      await walk(h, `/ad_accounts/${account}/campaigns?entity_statuses=ACTIVE&entity_statuses=ARCHIVED`)
    ).items;
    expect(new Set(withArchived.map((c) => c.status))).toEqual(new Set(['ACTIVE', 'ARCHIVED']));
    const joined = (await walk(h, `/ad_accounts/${account}/campaigns?entity_statuses=ACTIVE,ARCHIVED`)).items;
    expect(joined).toEqual(withArchived);
    const mixed = await walk(
      h,
      `/ad_accounts/${account}/campaigns?entity_statuses=ACTIVE,PAUSED&entity_statuses=ARCHIVED,DRAFT`
    );
    expect(mixed.items.map((c) => c.id)).toEqual(all.map((c) => c.id));
    const bad = await h.json(`/ad_accounts/${account}/campaigns?entity_statuses=ACTIVE,ARCHIVD`);
    expect(bad).toMatchObject({status: 400, body: {code: 1, message: expect.stringContaining("'ARCHIVD'")}});
    // Unknown parameters are ignored, as live: a misspelled filter falls back to the default.
    const misspelled = (await walk(h, `/ad_accounts/${account}/campaigns?entity_status=ARCHIVED&foo=1`))
      .items;
    expect(misspelled.map((c) => c.id)).toEqual(dflt.map((c) => c.id));
  });

  test('campaign_ids / ad_group_ids / ad_ids filters and their limits', async () => {
    const campaigns = h.sb.control.truth('campaigns', account).items;
    const c1 = campaigns[1]?.id as string;
    const ads = (await walk(h, `/ad_accounts/${account}/ads?campaign_ids=${c1}&${ALL_STATUSES}`)).items;
    expect(ads).toHaveLength(12);
    expect(ads.every((a) => a.campaign_id === c1)).toBe(true);
    const groups = (await walk(h, `/ad_accounts/${account}/ad_groups?campaign_ids=${c1}&${ALL_STATUSES}`))
      .items;
    expect(groups).toHaveLength(3);
    const ids = Array.from({length: 251}, (_, i) => `ad_ids=${i + 1}`).join('&');
    const tooMany = await h.json(`/ad_accounts/${account}/ads?${ids}`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({code: 1});
    // Comma-joined and repeated id lists are one list, counted after splitting; a bad id is named.
    const c2 = campaigns[2]?.id as string;
    const joined = (await walk(h, `/ad_accounts/${account}/ads?campaign_ids=${c1},${c2}&${ALL_STATUSES}`))
      .items;
    const repeated = (
      await walk(h, `/ad_accounts/${account}/ads?campaign_ids=${c1}&campaign_ids=${c2}&${ALL_STATUSES}`)
    ).items;
    expect(joined).toHaveLength(24);
    expect(joined).toEqual(repeated);
    const split251 = Array.from({length: 251}, (_, i) => i + 1);
    const tooManyJoined = await h.json(
      `/ad_accounts/${account}/ads?ad_ids=${split251.slice(0, 200).join(',')}&ad_ids=${split251.slice(200).join(',')}`
    );
    expect(tooManyJoined).toMatchObject({status: 400, body: {code: 1}});
    const badId = await h.json(`/ad_accounts/${account}/ads?ad_ids=${c1},12x4`);
    expect(badId.body).toEqual({code: 1, message: "'ad_ids' value '12x4' must match the pattern: ^\\d+$"});
    const both = await h.json(`/ad_accounts/${account}/ads?ad_ids=1&campaign_ids=2`);
    expect(both).toMatchObject({
      status: 400,
      body: {code: 400, message: 'Invalid ad account ads parameters.'},
    });
  });

  test('/pins: a bookmark on the short last page, then an empty page with bookmark null', async () => {
    const walked = await walk(h, '/pins?page_size=50');
    expect(walked.pages.map((p) => p.items.length)).toEqual([50, 50, 3, 0]);
    expect(walked.pages[2]?.bookmark).toEqual(expect.any(String));
    expect(walked.pages[3]?.bookmark).toBeNull();
    expect(new Set(walked.items.map((p) => p.id)).size).toBe(103);
    // Other lists end with `"bookmark": null` on the last page, as recorded live (ad accounts: 15 of 15).
    const boards = await walk(h, '/boards?page_size=5');
    expect(boards.pages.map((p) => p.items.length)).toEqual([5]);
    expect(boards.pages[0]).toHaveProperty('bookmark', null);
    for (const path of [
      '/ad_accounts',
      `/ad_accounts/${account}/campaigns?${ALL_STATUSES}`,
      `/ad_accounts/${account}/ads?${ALL_STATUSES}&page_size=7`,
    ]) {
      expect((await walk(h, path)).pages.at(-1)).toHaveProperty('bookmark', null);
    }
  });

  test('board pins are the pins of that board; unknown ids are 404 with the real bodies', async () => {
    const board = h.sb.control.truth('boards').items[2]?.id as string;
    const pins = (await walk(h, `/boards/${board}/pins?page_size=4`)).items;
    expect(pins.length).toBe(h.sb.control.truth('pins').items.filter((p) => p.board_id === board).length);
    expect(pins.every((p) => p.board_id === board)).toBe(true);
    expect((await h.json('/pins/1011000000000009999')).body).toEqual({code: 50, message: 'Pin not found.'});
    expect((await h.json('/boards/5411000000000009999')).body).toEqual({
      code: 40,
      message: 'Board not found.',
    });
    expect((await h.json('/ad_accounts/549110009999')).body).toEqual({
      code: 2,
      message: 'AdAccount not found.',
    });
    expect((await h.json('/ad_accounts/abc')).body).toEqual({
      code: 1,
      message: "'ad_account_id' value 'abc' must match the pattern: ^\\d+$",
    });
  });

  test('records are deterministic per seed and show live traits', async () => {
    const other = await harness({scale: SCALE, seed: 1});
    const again = (await other.json<{items: unknown[]}>('/pins?page_size=5')).body.items;
    expect(again).toEqual((await h.json<{items: unknown[]}>('/pins?page_size=5')).body.items);
    await other.sb.close();
    const groups = h.sb.control.truth('ad_groups', account).items;
    expect(groups.every((g) => g.lifetime_frequency_cap === -1 && g.feed_profile_id === '0')).toBe(true);
    const pins = h.sb.control.truth('pins').items;
    expect(pins.some((p) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(p.created_at as string))).toBe(true);
    expect(pins.some((p) => /\.\d{6}$/.test(p.created_at as string))).toBe(true);
    expect(new Set(pins.map((p) => (p.media as {media_type: string}).media_type)).size).toBeGreaterThan(1);
  });

  test('field presence and nulls as recorded live', () => {
    // Recordings: NangoHQ/integration-templates integrations/pinterest/tests/*.test.json (notes/pinterest-api.md §10).
    const accounts = h.sb.control.truth('ad_accounts').items;
    expect(accounts.every((a) => typeof a.updated_time === 'number')).toBe(true);
    const campaigns = h.sb.control.truth('campaigns', account).items;
    for (const c of campaigns) {
      expect(c).toMatchObject({
        ext_features: null,
        intended_promotion_type: 'STANDARD_AD',
        start_time: c.created_time,
      });
    }
    const groups = h.sb.control.truth('ad_groups', account).items;
    for (const g of groups) {
      expect(g).toMatchObject({
        start_time: null,
        ext_features: null,
        is_automated_campaign: false,
        is_creative_expansion: false,
        enabled_catalog_expansion: expect.any(Boolean),
        lifetime_frequency_cap: -1,
        feed_profile_id: '0',
      });
      expect(g).not.toHaveProperty('dca_assets');
    }
    for (const p of h.sb.control.truth('pins').items) {
      expect(p).toHaveProperty('is_removable', expect.any(Boolean));
      expect(p).not.toHaveProperty('note');
      expect(typeof p.description).toBe('string');
    }
    for (const b of h.sb.control.truth('boards').items) expect(typeof b.description).toBe('string');
  });

  test('time_zone is missing on most ad accounts (5 of 7 recorded)', async () => {
    const many = await harness({scale: {adAccounts: 70}});
    try {
      const withZone = many.sb.control.truth('ad_accounts').items.filter((a) => 'time_zone' in a).length;
      expect(withZone).toBeGreaterThan(5);
      expect(withZone).toBeLessThan(40);
    } finally {
      await many.sb.close();
    }
  });
});
