/**
 * Where the newest tokens of one Pinterest connection live. Pinterest rotates the refresh token on every refresh
 * (notes/pinterest-api.md §6), so whoever rotates saves the new one before using the new access token, and a
 * process whose refresh token is refused reads the store again before giving up (another process may have
 * rotated it). The access token is stored too, so every process of a connection shares one and refreshes only
 * near its expiry. The Kafka token topic (src/app/kafka-token-store.ts) implements the same interface.
 */
import {randomBytes} from 'node:crypto';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

import {TokenStoreError} from './errors';
import {TokenKeyRing} from './token-cipher';
import {TokenRecordCodec, type DecodedTokens} from './token-record';

export interface StoredTokens {
  refreshToken: string;
  /** ISO-8601 instant, from `refresh_token_expires_at` / `refresh_token_expires_in`. */
  refreshTokenExpiresAt?: string;
  /** The access token the processes of this connection share, with its expiry and issue time (ISO-8601). */
  accessToken?: string;
  accessTokenExpiresAt?: string;
  accessTokenIssuedAt?: string;
}

export interface TokenStore {
  /**
   * Other processes write to it too (a Kafka topic, a file several commands use): a refused refresh token may
   * have been rotated by one of them a moment ago, so the store is watched for a short while before giving up.
   */
  readonly shared: boolean;
  /** The newest stored tokens, read now (never a cached copy). */
  load(): Promise<StoredTokens | undefined>;
  /** Durable when it resolves. */
  save(tokens: StoredTokens): Promise<void>;
}

/** A store of token records (token-record.ts) that can also say how the stored record is protected. */
export interface TokenRecordStore extends TokenStore {
  inspect(): Promise<DecodedTokens | undefined>;
}

/** Keeps the tokens in memory only (tests, quick tries); a restart forgets them. */
export class MemoryTokenStore implements TokenStore {
  readonly shared = false;
  private tokens: StoredTokens | undefined;
  constructor(initial?: StoredTokens) {
    this.tokens = initial;
  }
  async load(): Promise<StoredTokens | undefined> {
    return this.tokens ? {...this.tokens} : undefined;
  }
  async save(tokens: StoredTokens): Promise<void> {
    this.tokens = {...tokens};
  }
}

/**
 * A file holding one connection's token record (token-record.ts: encrypted when a key is configured), replaced
 * atomically (temp file + fsync + rename), readable by the owner only (0600). For one machine: `run` and `check`
 * started there share it.
 */
export class FileTokenStore implements TokenRecordStore {
  readonly shared = true;
  private readonly codec: TokenRecordCodec;
  private readonly connection: string;

  constructor(
    private readonly filePath: string,
    options: {codec?: TokenRecordCodec; connection?: string} = {}
  ) {
    this.codec = options.codec ?? new TokenRecordCodec(new TokenKeyRing(undefined));
    this.connection = options.connection ?? 'default';
  }

  async load(): Promise<StoredTokens | undefined> {
    return (await this.inspect())?.tokens;
  }

  async inspect(): Promise<DecodedTokens | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new TokenStoreError(`Cannot read the token file ${this.filePath}: ${(error as Error).message}`);
    }
    return this.codec.decode(this.connection, text);
  }

  async save(tokens: StoredTokens): Promise<void> {
    try {
      await this.write(this.codec.encode(this.connection, tokens));
    } catch (error) {
      throw new TokenStoreError(`Cannot write the token file ${this.filePath}: ${(error as Error).message}`);
    }
  }

  private async write(contents: Buffer): Promise<void> {
    const dir = path.dirname(this.filePath);
    await fs.mkdir(dir, {recursive: true, mode: 0o700});
    const temp = path.join(dir, `.${path.basename(this.filePath)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temp, this.filePath);
    } catch (error) {
      await fs.rm(temp, {force: true});
      throw error;
    }
    // The rename itself must survive a crash: sync the directory entry (best effort; not all platforms allow it).
    const dirHandle = await fs.open(dir, 'r').catch(() => undefined);
    await dirHandle?.sync().catch(() => undefined);
    await dirHandle?.close();
  }
}
