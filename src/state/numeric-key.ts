/**
 * Pinterest ids are decimal strings of up to 19 digits: they fit an unsigned 64-bit integer, which the state
 * stores as two uint32 halves instead of a string. Only canonical decimals (no sign, no leading zero) qualify,
 * so that converting back gives the very same string.
 */
const TWO_32 = 4294967296;
const MAX_DIGITS = 20;

/** Writes the (hi, lo) halves of a canonical uint64 decimal into `out`; false when the key is not one. */
export function parseUint64Key(key: string, out: Uint32Array): boolean {
  const length = key.length;
  if (length === 0 || length > MAX_DIGITS || (length > 1 && key.charCodeAt(0) === 48)) return false;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < length; i++) {
    const digit = key.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    const low = lo * 10 + digit;
    const carry = Math.floor(low / TWO_32);
    lo = low - carry * TWO_32;
    hi = hi * 10 + carry;
    if (hi >= TWO_32) return false;
  }
  out[0] = hi;
  out[1] = lo;
  return true;
}

export function formatUint64Key(hi: number, lo: number): string {
  if (hi < 0x200000) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}
