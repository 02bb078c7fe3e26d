/**
 * Where the newest refresh token lives. Pinterest rotates the refresh token on every refresh
 * (notes/pinterest-api.md §6), so the rotated one must be saved before the new access token is used,
 * or a restart would come back with a retired token. The Kafka state store implements the same interface.
 */
import {randomBytes} from 'node:crypto';
import {promises as fs} from 'node:fs';
import * as path from 'node:path';

export interface StoredTokens {
  refreshToken: string;
  /** ISO-8601 instant, from `refresh_token_expires_at` / `refresh_token_expires_in`. */
  refreshTokenExpiresAt?: string;
}

export interface TokenStore {
  load(): Promise<StoredTokens | undefined>;
  save(tokens: StoredTokens): Promise<void>;
}

/** Keeps the tokens in memory only (tests, quick tries); a restart forgets them. */
export class MemoryTokenStore implements TokenStore {
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

/** A JSON file, replaced atomically (temp file + fsync + rename), readable by the owner only (0600). */
export class FileTokenStore implements TokenStore {
  constructor(private readonly filePath: string) {}

  async load(): Promise<StoredTokens | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as StoredTokens).refreshToken !== 'string') {
      throw new Error(`token store ${this.filePath} does not hold a refresh token`);
    }
    const {refreshToken, refreshTokenExpiresAt} = parsed as StoredTokens;
    return refreshTokenExpiresAt === undefined ? {refreshToken} : {refreshToken, refreshTokenExpiresAt};
  }

  async save(tokens: StoredTokens): Promise<void> {
    const dir = path.dirname(this.filePath);
    await fs.mkdir(dir, {recursive: true, mode: 0o700});
    const temp = path.join(dir, `.${path.basename(this.filePath)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify({...tokens, savedAt: new Date().toISOString()}));
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
