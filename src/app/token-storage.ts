/**
 * Where a deployment keeps its Pinterest tokens and how they are protected: the token store of the configuration
 * (the `<prefix>.tokens` topic or a file), its encryption key ring, the one-time move of a token older versions
 * kept in clear in `<prefix>.state`, and the start-up notice when there is no key.
 */
import type {AppConfig} from '../config';
import type {KafkaConnection, TopicSpec, TransactionalWriter} from '../kafka';
import {
  FileTokenStore,
  splitTokenKeys,
  TokenKeyRing,
  TokenRecordCodec,
  TokenStoreError,
  type DecodedTokens,
  type TokenProtection,
  type TokenRecordStore,
} from '../pinterest';
import {refreshTokenMessage, type StateStore} from '../state';
import type {SyncLogger} from '../sync';
import {DEFAULT_CONNECTION} from '../sync/shards';
import {KafkaTokenStore} from './kafka-token-store';

export {DEFAULT_CONNECTION} from '../sync/shards';

export function tokenTopic(prefix: string): string {
  return `${prefix}.tokens`;
}

/**
 * One partition: a handful of small records (one per connection), read to the end on demand; compacted, so only
 * each connection's newest record is kept.
 */
export function tokenTopicSpec(config: AppConfig): TopicSpec {
  return {
    name: tokenTopic(config.kafka.topicPrefix),
    partitions: 1,
    replicationFactor: config.kafka.replicationFactor,
    cleanupPolicy: 'compact',
  };
}

export function tokenCodec(config: AppConfig): TokenRecordCodec {
  const {tokenKey, tokenPreviousKeys} = config.pinterest;
  return new TokenRecordCodec(new TokenKeyRing(tokenKey, splitTokenKeys(tokenPreviousKeys)));
}

/**
 * The configured token store of one connection; the Kafka one reads and writes only the token topic (records keyed
 * by connection), the file one a file per connection.
 */
export function openTokenStore(
  config: AppConfig,
  kafka: KafkaConnection,
  connection: string = DEFAULT_CONNECTION
): TokenRecordStore {
  const codec = tokenCodec(config);
  if (config.pinterest.tokenStore === 'file') {
    return new FileTokenStore(tokenFilePath(config.pinterest.tokenStorePath, connection), {
      codec,
      connection,
    });
  }
  return new KafkaTokenStore({
    reader: kafka.changelogReader({groupIdPrefix: 'pinterest-cdc.token-reader'}),
    writer: kafka.recordWriter(),
    topic: tokenTopic(config.kafka.topicPrefix),
    connection,
    codec,
  });
}

/** `tokenStorePath` for `default` (as before connections were named), `<name>.<connection><ext>` for the others. */
export function tokenFilePath(path: string, connection: string): string {
  if (connection === DEFAULT_CONNECTION) return path;
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const at = dot > slash + 1 ? dot : path.length;
  return `${path.slice(0, at)}.${connection}${path.slice(at)}`;
}

/** Where the tokens are, in words, for notices and `check`. */
export function tokenLocation(config: AppConfig): string {
  return config.pinterest.tokenStore === 'file'
    ? `the file ${config.pinterest.tokenStorePath}`
    : `the Kafka topic ${tokenTopic(config.kafka.topicPrefix)}`;
}

/** Said once when a process starts: without a key, who can read the stored tokens can act as the Pinterest user. */
export function announceTokenProtection(config: AppConfig, logger: SyncLogger): void {
  if (config.pinterest.tokenKey !== undefined) return;
  logger.warn(
    {tokenStore: config.pinterest.tokenStore},
    `Pinterest tokens are stored in clear in ${tokenLocation(config)}: whoever can read it can act as the ` +
      'Pinterest user (the refresh token renews itself for 60 days at a time). Set PINTEREST_CDC_TOKEN_KEY (or ' +
      '_FILE) to encrypt them, and let only the service principal read the token and state topics.'
  );
}

export interface SettleDeps {
  store: TokenRecordStore;
  codec: TokenRecordCodec;
  state: StateStore;
  /** The pipeline's writer: the legacy record lives in the state topic, written only transactionally. */
  stateWriter: TransactionalWriter;
  stateTopic: string;
  logger: SyncLogger;
  /** Move the refresh token older versions kept in clear in the state topic: theirs was the connection `default`. */
  movesLegacyToken?: boolean;
}

/**
 * Puts the stored tokens where and how this configuration wants them, at start:
 * 1. a refresh token older versions kept in clear in the state topic moves to the token store (unless the store
 *    already holds one, which is newer), then its state record is tombstoned;
 * 2. a record protected otherwise than configured (clear, or another key) is rewritten with the current key.
 * Returns the refresh token that was readable in clear until now, when it is encrypted from now on: the client
 * rotates it at its next request, so the copies left in the topics' logs (until compaction) are worthless.
 */
export async function settleStoredTokens(deps: SettleDeps): Promise<{exposedRefreshToken?: string}> {
  const {codec, logger, state, store} = deps;
  let exposed: string | undefined;
  let record: DecodedTokens | undefined;
  try {
    record = await store.inspect();
  } catch (error) {
    if (!(error instanceof TokenStoreError) || error.retriable) throw error;
    // E.g. encrypted with a key this process lacks: said here, and the client falls back to the configured token.
    logger.error(
      {err: error.message},
      'The stored Pinterest tokens cannot be used; leaving them as they are'
    );
    return {};
  }
  const legacy = deps.movesLegacyToken === false ? [] : [...state.legacyRefreshTokens];
  const first = legacy[0];
  if (first) {
    const [name, token] = first;
    if (!record) {
      const tokens = {
        refreshToken: token.reveal(),
        ...(token.expiresAt ? {refreshTokenExpiresAt: token.expiresAt} : {}),
      };
      await store.save(tokens);
      record = await store.inspect();
      logger.info(
        {from: deps.stateTopic, record: name},
        'Moved the Pinterest refresh token to the token store'
      );
    }
    if (codec.encrypts && record?.tokens.refreshToken === token.reveal()) exposed = token.reveal();
    await deps.stateWriter.writeBatch(
      legacy.map(([legacyName]) => ({topic: deps.stateTopic, ...refreshTokenMessage(legacyName, null)}))
    );
    state.legacyRefreshTokens.clear();
  }
  if (record && !sameProtection(record.protection, codec.target)) {
    await store.save(record.tokens);
    if (!record.protection.encrypted) exposed = record.tokens.refreshToken;
    logger.info(
      {from: describeProtection(record.protection), to: describeProtection(codec.target)},
      'Rewrote the stored Pinterest tokens with the configured protection'
    );
  }
  return exposed === undefined ? {} : {exposedRefreshToken: exposed};
}

/** Same protection: both clear, or both encrypted with the same key. */
export function sameProtection(a: TokenProtection, b: TokenProtection): boolean {
  return describeProtection(a) === describeProtection(b);
}

export function describeProtection(protection: TokenProtection): string {
  return protection.encrypted ? `encrypted (AES-256-GCM, key ${protection.keyId})` : 'in clear';
}
