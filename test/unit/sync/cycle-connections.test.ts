/**
 * runCycle over several connections: each connection's shards under their own ids, in lanes of its own budgets
 * (one's spent quota leaves the other going), and the `runs` predicate choosing which shards a cycle writes.
 * Real sandbox (one user per connection), real Pinterest clients, differ and Avro serializer; the one stubbed
 * seam is the Kafka sink (an in-memory BatchSink).
 */
import {MemoryTokenStore, PinterestClient, resolveClientConfig} from '../../../src/pinterest';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {parseShardId, runCycle, type CycleConnection, type Shard} from '../../../src/sync';
import {cycleDeps, recordingSink, testSerializer} from './harness';

const ENTITIES = ['ad_accounts', 'campaigns', 'boards'];
const options = {
  collections: ENTITIES,
  adAccountIds: [],
  keepImages: [],
  connectorName: 't',
  version: 'test',
};

describe('runCycle over several connections', () => {
  let sandbox: RunningSandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 2,
        campaignsPerAccount: 2,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 1,
        boards: 2,
        pins: 1,
      },
      users: [
        {name: 'alice', refreshToken: 'pinr.alice'},
        {name: 'bob', refreshToken: 'pinr.bob'},
      ],
    });
  });
  afterEach(() => sandbox.close());

  function connection(name: string): CycleConnection {
    const client = new PinterestClient({
      config: resolveClientConfig({
        apiBaseUrl: sandbox.baseUrl,
        ...sandbox.credentials,
        refreshToken: sandbox.users.find((u) => u.name === name)!.refreshToken,
        retry: {maxRetries: 0},
      }),
      tokenStore: new MemoryTokenStore(),
    });
    return {name, adAccountIds: [], source: {pages: (request) => client.paginate(request)}};
  }

  function deps() {
    const {sink, committed} = recordingSink();
    const serializer = testSerializer();
    const base = cycleDeps(sink, undefined, 50, serializer);
    return {...base, connections: [connection('alice'), connection('bob')], committed, serializer};
  }

  const accountsOf = (user: string) =>
    sandbox.control
      .user(user)
      .truth('ad_accounts')
      .items.map((a) => String(a.id));

  it("lists every connection's shards under its own ids; keys hold the bare ad account id", async () => {
    const d = deps();
    const summary = await runCycle(options, d);
    expect(summary.failed).toEqual([]);
    const shards = new Set(summary.listings.map((l) => `${l.collection} ${l.shard}`));
    for (const user of ['alice', 'bob']) {
      expect(shards.has(`ad_accounts ${user}/all`)).toBe(true);
      expect(shards.has(`boards ${user}/user`)).toBe(true);
      for (const account of accountsOf(user)) expect(shards.has(`campaigns ${user}/${account}`)).toBe(true);
    }
    expect(summary.listings).toHaveLength(2 * (1 + 1 + 2));
    const campaignsState = d.state.all().filter((s) => s.collection === 'campaigns');
    expect(campaignsState.map((s) => parseShardId(s.shard).connection).sort()).toEqual([
      'alice',
      'alice',
      'bob',
      'bob',
    ]);
    const events = d.committed.flat().filter((m) => m.topic === 't.campaigns' && m.value !== null);
    expect(events).toHaveLength(8);
    const keyAccounts = events.map(
      (m) => (d.serializer.decode(m.key!).value as {ad_account_id: string}).ad_account_id
    );
    expect(new Set(keyAccounts)).toEqual(new Set([...accountsOf('alice'), ...accountsOf('bob')]));
    const connections = events.map(
      (m) => (d.serializer.decode(m.value!).value as {source: {connection: string}}).source.connection
    );
    expect(connections.sort()).toEqual([...Array(4).fill('alice'), ...Array(4).fill('bob')]);
  });

  it('runs only the shards the predicate accepts, still reading the account list to find them', async () => {
    const d = deps();
    const ran: Shard[] = [];
    const bobAccount = accountsOf('bob')[1]!;
    const summary = await runCycle(
      {
        ...options,
        runs: (shard) => {
          ran.push(shard);
          return (shard.connection === 'bob' && shard.adAccountId === bobAccount) || shard.scope === 'user';
        },
      },
      d
    );
    expect(summary.listings.map((l) => `${l.collection} ${l.shard}`).sort()).toEqual(
      ['boards alice/user', 'boards bob/user', `campaigns bob/${bobAccount}`].sort()
    );
    // Every ad account of both connections was offered to the predicate.
    for (const user of ['alice', 'bob'])
      for (const account of accountsOf(user))
        expect(ran).toContainEqual({connection: user, scope: 'ad_account', adAccountId: account});
    expect(d.committed.flat().some((m) => m.topic === 't.ad_accounts')).toBe(false);
  });

  it("pauses a spent daily quota for its connection only: the other connection's listings go on", async () => {
    sandbox.control.user('alice').exhaust('ads_read');
    const summary = await runCycle(options, deps());
    expect(summary.skipped.map((s) => s.shard)).toEqual(['alice/all']);
    expect(summary.skipped[0]!.reason).toBe('quota_exhausted');
    const listed = summary.listings.map((l) => l.shard);
    expect(listed).toContain('bob/all');
    for (const account of accountsOf('bob')) expect(listed).toContain(`bob/${account}`);
    expect(listed).toContain('alice/user');
  });
});
