/**
 * Authenticated encryption of stored OAuth tokens: AES-256-GCM (node:crypto) under a key from a Secret
 * (PINTEREST_CDC_TOKEN_KEY), with older keys kept for decryption only while a key is being rotated. Each
 * ciphertext names the key id it was made with, so any process holding that key can read it.
 */
import {createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes} from 'node:crypto';

const KEY_BYTES = 32;
// NIST SP 800-38D: a 96-bit IV is the recommended (and most efficient) GCM nonce; random per message.
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The configured key text -> 32 key bytes: 64 hex digits, or base64 / base64url of 32 bytes. */
export function parseTokenKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

/** Several keys in one setting: separated by commas or whitespace. */
export function splitTokenKeys(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((part) => part !== '');
}

export const TOKEN_KEY_FORMAT =
  'must be 32 random bytes as 64 hex digits or base64 (e.g. the output of `openssl rand -base64 32`)';

interface RingKey {
  id: string;
  key: Buffer;
}

export interface SealedTokens {
  keyId: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

export class TokenKeyRing {
  private readonly keys: RingKey[];
  /** False: records are written in clear (the service says so at start). */
  readonly hasCurrent: boolean;

  /** `current` encrypts and decrypts; `previous` only decrypt (records written before a key rotation). */
  constructor(current: string | undefined, previous: readonly string[] = []) {
    const texts = current === undefined ? [] : [current];
    this.keys = [...texts, ...previous].map((text) => {
      const raw = parseTokenKey(text);
      if (!raw) throw new Error(`a token key ${TOKEN_KEY_FORMAT}`);
      return derive(raw);
    });
    this.hasCurrent = current !== undefined;
  }

  /** Id of the key new records are encrypted with. */
  get currentKeyId(): string | undefined {
    return this.hasCurrent ? this.keys[0]?.id : undefined;
  }

  has(keyId: string): boolean {
    return this.keys.some((k) => k.id === keyId);
  }

  seal(plaintext: Buffer, associatedData: Buffer): SealedTokens {
    const key = this.hasCurrent ? this.keys[0] : undefined;
    if (!key) throw new Error('no token key configured');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv, {authTagLength: TAG_BYTES});
    cipher.setAAD(associatedData);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      keyId: key.id,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  /** The plaintext, or undefined when no key of the ring has this id or the data was altered (tag mismatch). */
  open(sealed: SealedTokens, associatedData: Buffer): Buffer | undefined {
    const key = this.keys.find((k) => k.id === sealed.keyId);
    if (!key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(sealed.iv, 'base64'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(associatedData);
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}

/**
 * The AES key and the key id come out of the configured secret through HKDF-SHA256 with distinct labels: the
 * id (64 bits) names the key in every record without revealing anything usable about it.
 */
function derive(secret: Buffer): RingKey {
  const expand = (info: string, length: number) =>
    Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, length));
  return {
    key: expand('pinterest-cdc token store aes-256-gcm v1', KEY_BYTES),
    id: expand('pinterest-cdc token store key id v1', 8).toString('hex'),
  };
}

/** Short, stable, non-reversible name of a token for in-memory bookkeeping (never the token itself). */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
