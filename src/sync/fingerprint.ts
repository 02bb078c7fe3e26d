import {hash as cryptoHash} from 'node:crypto';
import {canonicalJson} from '../events/canonical-json';

/**
 * A 64-bit hash of a text, written as two uint32 halves into `out` ([hi, lo]). Change detection only needs
 * "different content gives a different hash" for non-adversarial data: 64 bits make a missed change (the new
 * version of one record hashing like its previous one) a 2^-64 event.
 */
export type Hasher64 = (text: string, out: Uint32Array) => void;

/**
 * Two 32-bit multiply-rotate lanes over the text's UTF-16 code units, two units per step, cross-mixed at the
 * end: a small non-cryptographic candidate, measured against the node:crypto ones in bench/differ.ts.
 */
export const jsHash64: Hasher64 = (text, out) => {
  const length = text.length;
  let a = 0x6a09e667 ^ length;
  let b = 0xbb67ae85;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    const word = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ word, 0x9e3779b1);
    a = (a << 15) | (a >>> 17);
    b = Math.imul(b ^ word, 0x85ebca77);
    b = (b << 13) | (b >>> 19);
  }
  if (i < length) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x9e3779b1);
    b = Math.imul(b ^ unit, 0x85ebca77);
  }
  a = Math.imul(a ^ (a >>> 16), 0x7feb352d) ^ Math.imul(b ^ (b >>> 13), 0xc2b2ae3d);
  b = Math.imul(b ^ (b >>> 16), 0x846ca68b) ^ Math.imul(a ^ (a >>> 15), 0x27d4eb2f);
  a = Math.imul(a ^ (a >>> 16), 0x7feb352d) ^ b;
  out[0] = a >>> 0;
  out[1] = b >>> 0;
};

function cryptoHasher(algorithm: string): Hasher64 {
  return (text, out) => {
    const digest = cryptoHash(algorithm, text, 'buffer') as unknown as Buffer;
    out[0] = digest.readUInt32BE(0);
    out[1] = digest.readUInt32BE(4);
  };
}

/** First 64 bits of MD5 (node:crypto one-shot hash). */
export const md5Hash64: Hasher64 = cryptoHasher('md5');

/**
 * First 64 bits of SHA-1 (node:crypto one-shot hash): the default. In bench/differ.ts the three candidates are
 * within noise of each other once canonical JSON is built (which dominates); SHA-1 is a well-studied function,
 * the JS hash is not.
 */
export const sha1Hash64: Hasher64 = cryptoHasher('sha1');

export const defaultHasher: Hasher64 = sha1Hash64;

export interface Fingerprint {
  /** Canonical JSON of the record (keys sorted at every depth): what is hashed, and the stored image. */
  readonly canonical: string;
  readonly hashHi: number;
  readonly hashLo: number;
}

/** Content hash of a record over its canonical form: key order does not matter at any depth. */
export function fingerprint(record: unknown, hasher: Hasher64 = defaultHasher): Fingerprint {
  const canonical = canonicalJson(record);
  const out = new Uint32Array(2);
  hasher(canonical, out);
  return {canonical, hashHi: out[0] as number, hashLo: out[1] as number};
}

export function fingerprintHex(record: unknown, hasher: Hasher64 = defaultHasher): string {
  const {hashHi, hashLo} = fingerprint(record, hasher);
  return hashHi.toString(16).padStart(8, '0') + hashLo.toString(16).padStart(8, '0');
}
