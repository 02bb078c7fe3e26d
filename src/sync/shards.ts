/**
 * Shard identity: the unit of work and of state. A shard is one ad account of one connection, one connection's
 * own boards and pins (`user`), or one connection's list of ad accounts (`ad_accounts`). Its id is the `shard`
 * string of the state changelog's keys (src/state/changelog.ts) and of the cycle's summaries, so it never
 * changes for a shard that already has state.
 *
 * The `default` connection keeps the ids every deployment before named connections wrote (`<ad account id>`,
 * `user`, `all`): its state carries over without a new snapshot. Another connection's ids are prefixed with its
 * name and `/`, which neither an ad account id (digits) nor the legacy words contain, so no two shards share one.
 */
import {AD_ACCOUNTS_SHARD, TOKEN_USER_SHARD, type CollectionDeclaration} from '../collections/types';

/** The connection of a configuration's single-connection settings (PINTEREST_CLIENT_ID, ...). */
export const DEFAULT_CONNECTION = 'default';

/**
 * Connection names: lower-case letters, digits, `_` and `-`, a letter or digit first, at most 48 characters.
 * Safe in shard ids (no `/`), metric labels, token-store keys, Kafka transactional ids and file names.
 */
export const CONNECTION_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,47}$/;

export type ShardScope = 'ad_account' | 'user' | 'ad_accounts';

export interface Shard {
  readonly connection: string;
  readonly scope: ShardScope;
  /** Set exactly when scope is `ad_account`. */
  readonly adAccountId?: string;
}

const SEPARATOR = '/';

export function isConnectionName(name: string): boolean {
  return CONNECTION_NAME_PATTERN.test(name);
}

/** The shard's stable id (state keys, changelog, summaries, and the hash that places it on a task). */
export function shardId(shard: Shard): string {
  const local = localId(shard);
  return shard.connection === DEFAULT_CONNECTION ? local : `${shard.connection}${SEPARATOR}${local}`;
}

function localId(shard: Shard): string {
  switch (shard.scope) {
    case 'ad_account':
      if (!shard.adAccountId) throw new RangeError('An ad_account shard needs an ad account id');
      return shard.adAccountId;
    case 'user':
      return TOKEN_USER_SHARD;
    case 'ad_accounts':
      return AD_ACCOUNTS_SHARD;
  }
}

/** The shard an id names (the inverse of shardId). */
export function parseShardId(id: string): Shard {
  const at = id.indexOf(SEPARATOR);
  const connection = at < 0 ? DEFAULT_CONNECTION : id.slice(0, at);
  const local = at < 0 ? id : id.slice(at + 1);
  if (local.length === 0 || !isConnectionName(connection))
    throw new RangeError(`Not a shard id: ${JSON.stringify(id)}`);
  if (local === TOKEN_USER_SHARD) return {connection, scope: 'user'};
  if (local === AD_ACCOUNTS_SHARD) return {connection, scope: 'ad_accounts'};
  return {connection, scope: 'ad_account', adAccountId: local};
}

/** The shard a collection's listing belongs to, for one connection (and one ad account when ad_account-scoped). */
export function shardFor(
  connection: string,
  declaration: Pick<CollectionDeclaration, 'name' | 'scope'>,
  adAccountId?: string
): Shard {
  switch (declaration.scope) {
    case 'ad_account':
      if (!adAccountId) throw new RangeError(`Collection ${declaration.name} needs an ad account id`);
      return {connection, scope: 'ad_account', adAccountId};
    case 'token_user':
      return {connection, scope: 'user'};
    case 'ad_accounts':
      return {connection, scope: 'ad_accounts'};
  }
}

/** The analytics shard of an ad account (analytics state is kept per ad account, like its entities). */
export function adAccountShard(connection: string, adAccountId: string): Shard {
  return {connection, scope: 'ad_account', adAccountId};
}
