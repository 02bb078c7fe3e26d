import type {StoredTokens, TokenStore} from '../pinterest';
import {refreshTokenMessage, StoredRefreshToken, type StateStore} from '../state';
import type {BatchSink} from '../sync';

/**
 * Keeps the newest Pinterest refresh token in the state changelog, so a pod without a volume survives token
 * rotation: the token record is committed (its own small transaction) before the client uses the new access
 * token, and the state restore at start reads it back.
 */
export class KafkaTokenStore implements TokenStore {
  readonly shared = true;
  constructor(
    private readonly deps: {state: StateStore; sink: BatchSink; stateTopic: string; name: string}
  ) {}

  async load(): Promise<StoredTokens | undefined> {
    const stored = this.deps.state.refreshToken;
    if (!stored) return undefined;
    return {refreshToken: stored.reveal(), refreshTokenExpiresAt: stored.expiresAt};
  }

  async save(tokens: StoredTokens): Promise<void> {
    const stored = new StoredRefreshToken(tokens.refreshToken, tokens.refreshTokenExpiresAt);
    const message = refreshTokenMessage(this.deps.name, stored);
    await this.deps.sink.writeBatch([{topic: this.deps.stateTopic, key: message.key, value: message.value}]);
    this.deps.state.refreshToken = stored;
  }
}
