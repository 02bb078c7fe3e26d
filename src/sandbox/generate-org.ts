/**
 * Boards and pins of the token user as pure functions of (seed, index): OpenAPI schemas Board and Pin plus live
 * traits (notes/pinterest-api.md §2 and §10): 19-digit ids, zone-less ISO timestamps with varying fractions,
 * media oneOf by media_type, nulls, a one-space description, fields the spec does not list.
 */
import {ApiRecord, GenContext} from './generate-ads';
import {hash32, Rand} from './rng';
import {zonelessIso} from './time-format';

const SALT = {board: 21, pin: 22} as const;
const HISTORY_MS = 700 * 86_400_000;

function imageSizes(r: Rand, withLarge: boolean): ApiRecord {
  const path = `${r.hex(2)}/${r.hex(2)}/${r.hex(2)}/${r.hex(32)}.jpg`;
  const sizes: ApiRecord = {
    '150x150': {width: 150, height: 150, url: `https://i.pinimg.com/150x150/${path}`},
    '400x300': {width: 400, height: 300, url: `https://i.pinimg.com/400x300/${path}`},
    '600x': {width: 600, height: r.int(600, 1200), url: `https://i.pinimg.com/600x/${path}`},
  };
  // Image size keys come and go (notes/pinterest-api.md §10).
  if (withLarge)
    sizes['1200x'] = {width: 1200, height: r.int(1200, 2400), url: `https://i.pinimg.com/1200x/${path}`};
  return sizes;
}

export function boardCreatedMs(ctx: GenContext, index: number): number {
  return (
    ctx.originSec * 1000 - HISTORY_MS + Math.floor((index / Math.max(ctx.scale.boards, 1)) * (HISTORY_MS / 4))
  );
}

export function generateBoard(ctx: GenContext, index: number, createdMsOverride?: number): ApiRecord {
  const r = new Rand(hash32(ctx.seed, SALT.board, index));
  const created = createdMsOverride ?? boardCreatedMs(ctx, index) + r.int(0, 86_399_999);
  const pinCount = ctx.scale.boards > 0 ? Math.ceil((ctx.scale.pins - index) / ctx.scale.boards) : 0;
  // Recorded live: a board description is "" or text, never null.
  const description = r.pick(['', '', `Ideas for project ${index + 1}`]);
  return {
    id: ctx.ids.encode('boards', -1, index),
    created_at: zonelessIso(created, r.chance(0.5)),
    board_pins_modified_at: zonelessIso(created + r.int(0, 30 * 86_400_000), r.chance(0.5)),
    name: `Board ${index + 1}`,
    description,
    collaborator_count: r.chance(0.9) ? 0 : r.int(1, 5),
    // Counts disagree across endpoints (notes/pinterest-api.md §10): this one is stale by design.
    pin_count: Math.max(0, pinCount + r.int(-2, 2)),
    follower_count: r.int(0, 5000),
    media: {
      image_cover_url: r.chance(0.8) ? `https://i.pinimg.com/400x300/${r.hex(2)}/${r.hex(32)}.jpg` : null,
      pin_thumbnail_urls: r.chance(0.8) ? [`https://i.pinimg.com/150x150/${r.hex(2)}/${r.hex(32)}.jpg`] : [],
    },
    owner: {username: ctx.ids.username()},
    privacy: r.pick(['PUBLIC', 'PUBLIC', 'PUBLIC', 'PROTECTED', 'SECRET']),
    is_ads_only: r.chance(0.05),
  };
}

function pinMedia(r: Rand): ApiRecord {
  const kind = r.next();
  if (kind < 0.75) return {media_type: 'image', images: imageSizes(r, r.chance(0.7))};
  if (kind < 0.9) {
    return {
      media_type: 'video',
      images: imageSizes(r, false),
      cover_image_url: `https://i.pinimg.com/videos/thumbnails/originals/${r.hex(2)}/${r.hex(32)}.0000000.jpg`,
      video_url: r.chance(0.5) ? null : `https://v1.pinimg.com/videos/mc/720p/${r.hex(2)}/${r.hex(32)}.mp4`,
      duration: r.chance(0.1) ? null : r.int(3000, 60000),
      height: r.chance(0.1) ? null : 1280,
      width: r.chance(0.1) ? null : 720,
    };
  }
  const item = (): ApiRecord => ({
    item_type: 'image',
    title: r.chance(0.5) ? null : 'slide',
    description: null,
    link: null,
    images: imageSizes(r, false),
  });
  return {media_type: 'multiple_images', items: [item(), item()]};
}

/** The board of a generated (not created) pin. */
export function pinBoardOf(ctx: GenContext, index: number): number {
  return ctx.scale.boards > 0 ? index % ctx.scale.boards : 0;
}

export function generatePin(
  ctx: GenContext,
  index: number,
  boardIndex: number,
  createdMsOverride?: number
): ApiRecord {
  const r = new Rand(hash32(ctx.seed, SALT.pin, index));
  const span = (HISTORY_MS * 3) / 4 - 86_400_000;
  const created =
    createdMsOverride ??
    ctx.originSec * 1000 -
      (HISTORY_MS * 3) / 4 +
      Math.floor((index / Math.max(ctx.scale.pins, 1)) * span) +
      r.int(0, 59_999);
  const media = pinMedia(r);
  return {
    id: ctx.ids.encode('pins', -1, index),
    created_at: zonelessIso(created, r.chance(0.5)),
    link: r.chance(0.4) ? null : `https://example.com/p/${index}`,
    title: r.chance(0.2) ? null : `Pin ${index + 1}`,
    // Recorded live: " " (the one-space sentinel) or text.
    description: r.pick([' ', ' ', `A pin about item ${index + 1}`]),
    dominant_color: `#${r.hex(6)}`,
    alt_text: null,
    creative_type:
      media.media_type === 'video' ? 'VIDEO' : media.media_type === 'image' ? 'REGULAR' : 'CAROUSEL',
    board_id: ctx.ids.encode('boards', -1, boardIndex),
    board_section_id: r.chance(0.8) ? null : '50' + String(index).padStart(17, '0'),
    board_owner: {username: ctx.ids.username()},
    is_owner: true,
    media,
    parent_pin_id: index > 0 && r.chance(0.1) ? ctx.ids.encode('pins', -1, r.int(0, index - 1)) : null,
    is_standard: true,
    has_been_promoted: r.chance(0.1),
    // Recorded live: `is_removable` on every pin, no `note`.
    is_removable: r.chance(0.1),
    pin_metrics: null,
    // Not in spec 5.23, seen live (notes/pinterest-api.md §10).
    is_product: false,
    product_tags: [],
  };
}
