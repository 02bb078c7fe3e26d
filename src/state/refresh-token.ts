import {inspect} from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * The newest Pinterest refresh token as persisted in the state changelog. The token itself is only reachable
 * through reveal(): printing, logging or JSON-serialising the object shows it redacted.
 */
export class StoredRefreshToken {
  readonly #refreshToken: string;

  constructor(
    refreshToken: string,
    /** ISO-8601 expiry when Pinterest gave one (refresh_token_expires_at). */
    readonly expiresAt?: string
  ) {
    this.#refreshToken = refreshToken;
  }

  reveal(): string {
    return this.#refreshToken;
  }

  toJSON(): object {
    return {refreshToken: REDACTED, expiresAt: this.expiresAt};
  }

  toString(): string {
    return `StoredRefreshToken(${REDACTED})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
