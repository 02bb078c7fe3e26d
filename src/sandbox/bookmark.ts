/**
 * Opaque bookmarks. Real ones are base64 with `+`, `/` and `=` (notes/pinterest-api.md §10), so a client that
 * forgets to URL-encode them breaks: these always contain all three characters.
 */
import {invalidParameter} from './api-error';

const MAGIC = Buffer.from([0xfb, 0xff]); // encodes to "+/" at the start

export interface Cursor {
  /** Which listing the bookmark belongs to (route + scope). */
  route: string;
  /** Index of the last record served. */
  after: number;
}

export function encodeBookmark(cursor: Cursor): string {
  let payload = Buffer.concat([MAGIC, Buffer.from(`${cursor.route}|${cursor.after}`, 'utf8')]);
  // Length 1 (mod 3) gives the "==" padding.
  while (payload.length % 3 !== 1) payload = Buffer.concat([payload, Buffer.from(' ')]);
  return payload.toString('base64');
}

export function decodeBookmark(text: string, route: string): number {
  // [I] The real message for a bad bookmark is unknown; a 400 code 1 like every other bad parameter.
  const bad = invalidParameter(`Invalid bookmark: ${text}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw bad;
  const raw = Buffer.from(text, 'base64');
  if (raw.length < 3 || raw[0] !== 0xfb || raw[1] !== 0xff) throw bad;
  const [r, after] = raw.subarray(2).toString('utf8').trimEnd().split('|');
  const index = Number(after);
  if (r !== route || !Number.isInteger(index) || index < 0) throw bad;
  return index;
}
