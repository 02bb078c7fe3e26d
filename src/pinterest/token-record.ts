/**
 * The stored form of a connection's tokens, shared by every token store (the Kafka token topic, the file): a small
 * JSON envelope whose secret part is sealed with AES-256-GCM when a key is configured, and in clear otherwise.
 * The envelope's clear fields (connection, time, key id) are bound to the ciphertext as associated data, so a
 * record cannot be passed off as another connection's.
 *
 *   {"format":"pinterest-cdc.tokens","version":1,"connection":"default","updatedAt":"<ISO>",
 *    "protection":"aes-256-gcm","keyId":"<16 hex>","iv":"..","tag":"..","ciphertext":".."}
 *   {"format":"pinterest-cdc.tokens","version":1,"connection":"default","updatedAt":"<ISO>",
 *    "protection":"none","tokens":{"refreshToken":"..",...}}
 */
import {TokenStoreError} from './errors';
import type {TokenKeyRing} from './token-cipher';
import type {StoredTokens} from './token-store';

const FORMAT = 'pinterest-cdc.tokens';
const VERSION = 1;

export type TokenProtection = {encrypted: true; keyId: string} | {encrypted: false};

export interface DecodedTokens {
  tokens: StoredTokens;
  protection: TokenProtection;
  updatedAt: string | undefined;
}

export class TokenRecordCodec {
  constructor(private readonly keys: TokenKeyRing) {}

  /** True when new records are encrypted. */
  get encrypts(): boolean {
    return this.keys.hasCurrent;
  }

  /** The protection a record written now gets: a record protected otherwise is rewritten at start. */
  get target(): TokenProtection {
    const keyId = this.keys.currentKeyId;
    return keyId === undefined ? {encrypted: false} : {encrypted: true, keyId};
  }

  encode(connection: string, tokens: StoredTokens, now = new Date()): Buffer {
    const header = {format: FORMAT, version: VERSION, connection, updatedAt: now.toISOString()};
    const keyId = this.keys.currentKeyId;
    if (keyId === undefined) {
      return Buffer.from(
        JSON.stringify({...header, protection: 'none', tokens: toStoredTokens(tokens)}),
        'utf8'
      );
    }
    const secret = Buffer.from(JSON.stringify(toStoredTokens(tokens)), 'utf8');
    const sealed = this.keys.seal(secret, associatedData(header, keyId));
    secret.fill(0);
    return Buffer.from(JSON.stringify({...header, protection: 'aes-256-gcm', ...sealed}), 'utf8');
  }

  /**
   * The tokens of a stored record. Throws a non-retriable TokenStoreError when the record belongs to another
   * connection, is encrypted with a key this process does not hold, or was altered. A file written before the
   * envelope existed (`{refreshToken, refreshTokenExpiresAt}`) reads as clear.
   */
  decode(connection: string, bytes: Buffer | string): DecodedTokens {
    const record = parseJson(bytes);
    if (record.format === undefined && typeof record.refreshToken === 'string') {
      return {tokens: toStoredTokens(record), protection: {encrypted: false}, updatedAt: undefined};
    }
    if (record.format !== FORMAT || record.version !== VERSION) {
      throw unusable(`has an unknown format (${String(record.format)} version ${String(record.version)})`);
    }
    if (record.connection !== connection) {
      throw unusable(
        `belongs to connection ${JSON.stringify(record.connection)}, not ${JSON.stringify(connection)}`
      );
    }
    const updatedAt = typeof record.updatedAt === 'string' ? record.updatedAt : undefined;
    if (record.protection === 'none') {
      return {tokens: toStoredTokens(record.tokens), protection: {encrypted: false}, updatedAt};
    }
    if (record.protection !== 'aes-256-gcm' || typeof record.keyId !== 'string') {
      throw unusable(`has an unknown protection ${String(record.protection)}`);
    }
    const keyId = record.keyId;
    if (!this.keys.has(keyId)) {
      throw unusable(
        `is encrypted with token key ${keyId}, which this process does not have: set PINTEREST_CDC_TOKEN_KEY to it, ` +
          'or list it in PINTEREST_CDC_TOKEN_PREVIOUS_KEYS while rotating keys'
      );
    }
    const header = {format: FORMAT, version: VERSION, connection, updatedAt: record.updatedAt};
    const plain = this.keys.open(
      {keyId, iv: String(record.iv), tag: String(record.tag), ciphertext: String(record.ciphertext)},
      associatedData(header, keyId)
    );
    if (!plain)
      throw unusable(`does not decrypt with token key ${keyId} (altered, or not written by pinterest-cdc)`);
    const tokens = toStoredTokens(parseJson(plain));
    plain.fill(0);
    return {tokens, protection: {encrypted: true, keyId}, updatedAt};
  }
}

function associatedData(header: Record<string, unknown>, keyId: string): Buffer {
  return Buffer.from(
    JSON.stringify([header.format, header.version, header.connection, header.updatedAt, keyId])
  );
}

const OPTIONAL_FIELDS = [
  'refreshTokenExpiresAt',
  'accessToken',
  'accessTokenExpiresAt',
  'accessTokenIssuedAt',
] as const;

/** The known fields only (a stray field of an old file is never written back); a refresh token is required. */
function toStoredTokens(value: unknown): StoredTokens {
  const record = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  if (typeof record.refreshToken !== 'string' || record.refreshToken === '') {
    throw unusable('holds no refresh token');
  }
  const tokens: StoredTokens = {refreshToken: record.refreshToken};
  for (const name of OPTIONAL_FIELDS) {
    const field = record[name];
    if (typeof field === 'string') tokens[name] = field;
  }
  return tokens;
}

function parseJson(bytes: Buffer | string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(bytes.toString());
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below, without echoing the bytes (they may hold a token)
  }
  throw unusable('is not a JSON object');
}

function unusable(what: string): TokenStoreError {
  return new TokenStoreError(`The stored Pinterest token record ${what}`, {retriable: false});
}
