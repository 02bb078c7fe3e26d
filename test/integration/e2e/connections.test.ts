/**
 * Several Pinterest connections (issue 11), on the real stack and a sandbox serving one user per refresh token:
 * - `sync --once` with 2 connections delivers both users' entities, equal to each user's ground truth, every
 *   event's source.connection naming its connection; each connection rotates its own refresh token through its
 *   own record of the token store;
 * - a refused refresh token on one connection leaves the other one delivering;
 * - state written under the single-connection settings (main's shard ids) carries over: adding a connection
 *   beside it emits nothing for the default connection's unchanged records.
 */
import {createHash, randomBytes} from 'node:crypto';

import {tokenTopic} from '../../../src/app';
import {main, type CliIo} from '../../../src/cli';
import {AD_ACCOUNTS_SHARD, TOKEN_USER_SHARD} from '../../../src/collections/types';
import {createKafkaConnection} from '../../../src/kafka';
import {startSandbox, type RunningSandbox, type SandboxControl} from '../../../src/sandbox';
import {decodeChangelogKey} from '../../../src/state/changelog';
import {readCommitted, type ConsumedMessage} from '../helpers/committed-events';
import {readAll} from '../kafka/helpers';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

jest.setTimeout(240_000);

const COLLECTIONS = ['ad_accounts', 'campaigns', 'boards', 'pins'];
const USERS = ['alice', 'bob'] as const;

let sandbox: RunningSandbox;
const token = (name: string) => `pinr.${name}-${randomBytes(8).toString('hex')}`;
beforeEach(async () => {
  sandbox = await startSandbox({
    scale: {
      adAccounts: 2,
      campaignsPerAccount: 2,
      adGroupsPerCampaign: 1,
      adsPerAdGroup: 1,
      boards: 2,
      pins: 3,
    },
    users: USERS.map((name) => ({name, refreshToken: token(name)})),
  });
});
afterEach(() => sandbox?.close());

const freshPrefix = (label: string) => `conn_${label}_${randomBytes(4).toString('hex')}`;

function baseEnv(prefix: string): Record<string, string> {
  return {
    KAFKA_BROKERS: kafkaBrokers().join(','),
    SCHEMA_REGISTRY_URL: schemaRegistryUrl(),
    PINTEREST_API_BASE_URL: sandbox.baseUrl,
    PINTEREST_CDC_TOPIC_PREFIX: prefix,
    PINTEREST_CDC_SYNC__COLLECTIONS: COLLECTIONS.join(','),
    PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
    LOG_LEVEL: 'warn',
  };
}

/** PINTEREST_CONNECTIONS naming sandbox users, each with the token given (default: the user's own). */
function connectionsJson(
  tokens: Partial<Record<string, string>> = {},
  names: readonly string[] = USERS
): string {
  const {clientId, clientSecret} = sandbox.credentials;
  return JSON.stringify(
    Object.fromEntries(
      names.map((name) => [
        name,
        {clientId, clientSecret, refreshToken: tokens[name] ?? refreshTokenOf(name)},
      ])
    )
  );
}

const refreshTokenOf = (name: string) => sandbox.users.find((u) => u.name === name)!.refreshToken;

async function syncOnce(env: Record<string, string>) {
  const out: string[] = [];
  const io: CliIo = {stdout: {write: (s: string) => out.push(s)}, stderr: {write: () => true}, env};
  const code = await main(['node', 'pinterest-cdc', 'sync', '--once'], io);
  process.exitCode = undefined;
  return {code, out: out.join('')};
}

const quiet = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const position = (m: ConsumedMessage) => `${m.topic}|${m.partition}|${m.offset}`;

const consume = (prefix: string) =>
  readCommitted({
    brokers: kafkaBrokers(),
    registryUrl: schemaRegistryUrl(),
    topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
  });

type Source = {connection: string | null; ad_account_id: string | null};
const sourceOf = (m: ConsumedMessage) => (m.value as {source: Source}).source;
const idOf = (m: ConsumedMessage) => String((m.value as {after: {id: string}}).after.id);

/** Every entity of the user as `<collection>|<id>`, from the sandbox's ground truth. */
function truthOf(control: SandboxControl): string[] {
  const accounts = control.truth('ad_accounts').items.map((a) => String(a.id));
  return [
    ...accounts.map((id) => `ad_accounts|${id}`),
    ...accounts.flatMap((a) => control.truth('campaigns', a).items.map((c) => `campaigns|${String(c.id)}`)),
    ...control.truth('boards').items.map((b) => `boards|${String(b.id)}`),
    ...control.truth('pins').items.map((p) => `pins|${String(p.id)}`),
  ].sort();
}

function deliveredFor(events: ConsumedMessage[], prefix: string, connection: string): string[] {
  return events
    .filter((m) => m.value !== null && sourceOf(m).connection === connection)
    .map((m) => `${m.topic.slice(prefix.length + 1)}|${idOf(m)}`)
    .sort();
}

describe('several Pinterest connections', () => {
  it('sync --once delivers each user through its own connection, each rotating its own token', async () => {
    const prefix = freshPrefix('two');
    const {code, out} = await syncOnce({...baseEnv(prefix), PINTEREST_CONNECTIONS: connectionsJson()});
    expect({code, out}).toMatchObject({code: 0});

    const events = await consume(prefix);
    expect(events.every((m) => m.value === null || USERS.includes(sourceOf(m).connection as never))).toBe(
      true
    );
    for (const name of USERS) {
      const truth = truthOf(sandbox.control.user(name));
      expect(truth.length).toBeGreaterThan(8);
      expect(deliveredFor(events, prefix, name)).toEqual(truth);
    }
    // The users' worlds differ: the same id never appears under both connections.
    const alice = new Set(deliveredFor(events, prefix, 'alice'));
    expect(deliveredFor(events, prefix, 'bob').filter((k) => alice.has(k))).toEqual([]);

    // Each connection refreshed with its own token (the sandbox retired each user's initial one) and stored the
    // rotated one under its own key of the token topic.
    const tokens = sandbox.control.tokens().byUser!;
    const records = await readAll(tokenTopic(prefix), {readUncommitted: false});
    for (const name of USERS) {
      expect(tokens[name]!.refreshTokens.retired).toBeGreaterThanOrEqual(1);
      const latest = records.filter((r) => r.key === name).at(-1);
      const stored = (JSON.parse(latest!.value!) as {tokens: {refreshToken: string}}).tokens.refreshToken;
      // The control API shows a digest of the user's current refresh token, never the token.
      const digest = `sha256:${createHash('sha256').update(stored).digest('hex').slice(0, 16)}`;
      expect(tokens[name]!.refreshTokens.current).toBe(digest);
      expect(stored).not.toBe(refreshTokenOf(name));
    }
    expect(new Set(records.map((r) => r.key))).toEqual(new Set(USERS));
  });

  it('a refused refresh token on one connection leaves the other delivering', async () => {
    const prefix = freshPrefix('refused');
    const {code, out} = await syncOnce({
      ...baseEnv(prefix),
      PINTEREST_CONNECTIONS: connectionsJson({bob: 'pinr.never-issued-to-bob'}),
    });
    expect(code).not.toBe(0);
    expect(out).toMatch(/FAILED {2}\w+ \(bob\/(all|user)\)/);
    const events = await consume(prefix);
    expect(deliveredFor(events, prefix, 'alice')).toEqual(truthOf(sandbox.control.user('alice')));
    expect(deliveredFor(events, prefix, 'bob')).toEqual([]);
  });

  it("carries the single-connection deployment's state over: a connection added beside it emits nothing for it", async () => {
    const prefix = freshPrefix('carry');
    const {clientId, clientSecret} = sandbox.credentials;
    const legacy = {
      ...baseEnv(prefix),
      PINTEREST_CLIENT_ID: clientId,
      PINTEREST_CLIENT_SECRET: clientSecret,
      PINTEREST_REFRESH_TOKEN: refreshTokenOf('alice'),
    };
    expect((await syncOnce(legacy)).code).toBe(0);
    const first = await consume(prefix);
    expect(deliveredFor(first, prefix, 'default')).toEqual(truthOf(sandbox.control.user('alice')));

    // The state holds the shard ids main's code wrote: the bare ad account id, `user`, `all`.
    const accounts = sandbox.control
      .user('alice')
      .truth('ad_accounts')
      .items.map((a) => String(a.id));
    const shards = new Set<string>();
    const kafka = createKafkaConnection({brokers: kafkaBrokers(), clientId: 'it-state'}, {logger: quiet});
    try {
      for await (const record of kafka.changelogReader().readToEnd(`${prefix}.state`)) {
        const key = decodeChangelogKey(record.key);
        if (key.kind === 'record' || key.kind === 'shard') shards.add(key.shard);
      }
    } finally {
      await kafka.close();
    }
    expect(shards).toEqual(new Set([...accounts, TOKEN_USER_SHARD, AD_ACCOUNTS_SHARD]));

    // The same deployment with bob added as a named connection: default's records are unchanged, so no event.
    const {code, out} = await syncOnce({...legacy, PINTEREST_CONNECTIONS: connectionsJson({}, ['bob'])});
    expect({code, out}).toMatchObject({code: 0});
    const seen = new Set(first.map(position));
    const second = (await consume(prefix)).filter((m) => !seen.has(position(m)));
    expect(second.filter((m) => sourceOf(m).connection === 'default')).toEqual([]);
    expect(deliveredFor(second, prefix, 'bob')).toEqual(truthOf(sandbox.control.user('bob')));
    expect(second.every((m) => (m.value as {op: string}).op === 'r')).toBe(true);
  });
});
