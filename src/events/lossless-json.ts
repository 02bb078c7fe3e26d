import {parse, stringify} from 'lossless-json';

/**
 * JSON text to values without rounding: an integer JSON.parse would round (beyond +/-(2^53 - 1)) becomes a
 * bigint, every other number a number. Node 20 has no JSON.parse source access (context.source arrived with
 * V8 11.8, Node 21), hence lossless-json for the pages that need it.
 *
 * A number token JSON.parse can round has at least 16 digits (2^53 has 16) and follows `:`, `[` or `,`; a text
 * without such a run (nearly every page: the API's ids are strings) takes the native parser. A match inside a
 * string only costs the slower parser, never a wrong value.
 */
const LONG_NUMBER = /[[:,]\s*-?\d{16}/;

export function parseLosslessJson(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  return parse(text, null, parseNumber);
}

function parseNumber(token: string): number | bigint {
  const value = Number(token);
  return Number.isSafeInteger(value) || !/^-?\d+$/.test(token) ? value : BigInt(token);
}

/** JSON.stringify that writes a bigint as its digits (JSON.stringify throws on one), keeping key order. */
export function stringifyLosslessJson(value: unknown): string {
  try {
    return (JSON.stringify(value) as string | undefined) ?? 'null';
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return stringify(value) ?? 'null';
  }
}
