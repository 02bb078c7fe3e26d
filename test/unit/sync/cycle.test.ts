/**
 * runCycle's two lanes (ads_read: ad accounts, campaigns, ad groups, ads; org_read: boards, pins) run side by
 * side and end together. Real sandbox, real Pinterest client, real differ and Avro serializer; the one stubbed
 * seam is the Kafka sink (an in-memory BatchSink).
 */
import {CdcError, FencedError} from '../../../src/errors';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {applyChangelogRecord, StateStore} from '../../../src/state';
import {
  DeleteGuard,
  runCycle,
  StateDivergedError,
  type BatchSink,
  type CycleDeps,
  type CycleSummary,
  type ListingRequest,
  type RecordSource,
} from '../../../src/sync';
import {cycleDeps, recordingSink, sandboxClient} from './harness';

const ENTITIES = ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'];
const options = {
  collections: ENTITIES,
  adAccountIds: [],
  keepImages: [],
  connectorName: 't',
  version: 'test',
};

describe('runCycle lanes', () => {
  let sandbox: RunningSandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 2,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 2,
        boards: 2,
        pins: 40,
      },
    });
  });
  afterEach(() => sandbox.close());

  function harness(sink: BatchSink) {
    const client = sandboxClient(sandbox);
    const pagesSeen: string[] = [];
    // Small pages, so each lane makes many requests; each page noted by its rate category as it arrives.
    const source: RecordSource = {
      async *pages(request: ListingRequest) {
        for await (const page of client.paginate<Record<string, unknown>>({
          ...request,
          query: {...request.query, page_size: 5},
        })) {
          pagesSeen.push(request.category);
          yield page;
        }
      },
    };
    return {deps: cycleDeps(sink, source, 10), pagesSeen};
  }

  const recordingEvents = () => {
    const {sink, committed} = recordingSink();
    const events = (collection: string) =>
      committed.flat().filter((m) => m.topic === `t.${collection}` && m.value !== null).length;
    return {sink, committed, events};
  };

  it('lists both lanes side by side and reports every listing in registry order', async () => {
    sandbox.control.setFaults({latencyMs: 15});
    const {sink, events} = recordingEvents();
    const {deps, pagesSeen} = harness(sink);
    const summary = await runCycle(options, deps);

    for (const name of ENTITIES) expect(events(name)).toBe(sandbox.control.truth(name).items.length);
    // The two lanes' pages interleave: each lane starts before the other has finished.
    expect(pagesSeen.indexOf('org_read')).toBeLessThan(pagesSeen.lastIndexOf('ads_read'));
    expect(pagesSeen.indexOf('ads_read')).toBeLessThan(pagesSeen.lastIndexOf('org_read'));
    expect(summary.listings.map((l) => l.collection)).toEqual([
      'ad_accounts',
      'campaigns',
      'campaigns',
      'ad_groups',
      'ad_groups',
      'ads',
      'ads',
      'boards',
      'pins',
    ]);
    expect(summary.listings.every((l) => l.outcome === 'complete')).toBe(true);
  });

  it('a failing listing is recorded and the others go on; the cycle ends when every lane has finished', async () => {
    // pins fail at once (400); the ads lane is slow and has many pages to go.
    sandbox.control.setFaults({errorRate: 1, errorStatus: 400, pathPattern: '^/v5/pins$'});
    const {sink, committed, events} = recordingEvents();
    const {deps} = harness(sink);
    const source = deps.source as RecordSource;
    const slowAds: RecordSource = {
      async *pages(request) {
        for await (const page of source.pages(request)) {
          await new Promise((r) => setTimeout(r, 5));
          yield page;
        }
      },
    };
    const summary = await runCycle(options, {...deps, source: slowAds});
    expect(summary.fatal).toBeUndefined();
    expect(summary.failed).toEqual([
      expect.objectContaining({collection: 'pins', shard: 'user', message: expect.stringMatching(/400/)}),
    ]);
    const writesAtReturn = committed.length;
    for (const name of ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards']) {
      expect(events(name)).toBe(sandbox.control.truth(name).items.length);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(committed.length).toBe(writesAtReturn);
  });

  it("a 404 on one collection is marked skipped and the account's other collections are still listed", async () => {
    sandbox.control.setFaults({errorRate: 1, errorStatus: 404, pathPattern: '/campaigns$'});
    const {sink, events} = recordingEvents();
    const summary = await runCycle(options, harness(sink).deps);
    const accounts = sandbox.control
      .truth('ad_accounts')
      .items.map((a) => String(a.id))
      .sort();
    expect(summary.skipped.map((s) => [s.collection, s.shard, s.reason])).toEqual(
      accounts.map((id) => ['campaigns', id, 'not_found'])
    );
    for (const name of ['ad_groups', 'ads'])
      expect(events(name)).toBe(sandbox.control.truth(name).items.length);
    expect(summary.failed).toEqual([]);
  });

  it('a lane whose state diverged wins over the other lane failure', async () => {
    // The ads lane fails first (campaigns 400); the token-user lane's commits then fail for good.
    sandbox.control.setFaults({errorRate: 1, errorStatus: 400, pathPattern: 'campaigns'});
    const {deps} = harness({
      writeBatch: async (messages) => {
        if (messages.some((m) => m.topic === 't.pins')) {
          await new Promise((r) => setTimeout(r, 50));
          throw new CdcError('commit outcome unknown', {retriable: false});
        }
      },
    });
    expect((await runCycle(options, deps)).fatal).toBeInstanceOf(StateDivergedError);
  });

  it('a fenced lane wins over a diverged one: the service must stop', async () => {
    const {deps} = harness({
      writeBatch: async (messages) => {
        if (messages.some((m) => m.topic === 't.pins')) throw new FencedError('fenced by a newer instance');
        if (messages.some((m) => m.topic === 't.campaigns')) {
          throw new CdcError('commit outcome unknown', {retriable: false});
        }
      },
    });
    expect((await runCycle(options, deps)).fatal).toBeInstanceOf(FencedError);
  });
});

describe('runCycle scope and deletes', () => {
  let sandbox: RunningSandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 3,
        campaignsPerAccount: 2,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 1,
        boards: 2,
        pins: 30,
      },
    });
  });
  afterEach(() => sandbox.close());

  function deps(sink: BatchSink, source?: RecordSource): CycleDeps {
    const client = sandboxClient(sandbox);
    return {
      ...cycleDeps(sink, source ?? {pages: (request) => client.paginate(request)}, 100),
      deleteGuard: new DeleteGuard({maxShare: 0.1}),
    };
  }

  const ops = (summary: CycleSummary, collection: string) =>
    summary.listings.filter((l) => l.collection === collection).reduce((n, l) => n + l.events.d, 0);

  it('narrowing sync.adAccountIds to one account deletes nothing: the others are out of scope', async () => {
    const {sink} = recordingSink();
    const shared = deps(sink);
    await runCycle(options, shared);
    const accounts = sandbox.control
      .truth('ad_accounts')
      .items.map((a) => String(a.id))
      .sort();
    const narrowed = await runCycle({...options, adAccountIds: [accounts[0]!]}, shared);
    for (const name of ENTITIES) expect(ops(narrowed, name)).toBe(0);
    expect(narrowed.listings.filter((l) => l.collection === 'campaigns').map((l) => l.shard)).toEqual([
      accounts[0],
    ]);
    // Back to every account: nothing was forgotten, so nothing is new.
    const widened = await runCycle(options, shared);
    expect(widened.listings.every((l) => l.events.c + l.events.r + l.events.d === 0)).toBe(true);
  });

  it('an empty pins listing holds its deletes; they go through only when the next listing agrees', async () => {
    const {sink, committed} = recordingSink();
    let emptyPins = false;
    const client = sandboxClient(sandbox);
    const source: RecordSource = {
      async *pages(request) {
        if (emptyPins && request.path === '/pins') return; // a 200 with no items and no bookmark
        yield* client.paginate<Record<string, unknown>>(request);
      },
    };
    const shared = deps(sink, source);
    const pinsOnly = {...options, collections: ['pins']};
    await runCycle(pinsOnly, shared);
    emptyPins = true;
    const held = await runCycle(pinsOnly, shared);
    expect(held.listings[0]).toMatchObject({collection: 'pins', outcome: 'complete', heldDeletes: 30});
    expect(ops(held, 'pins')).toBe(0);
    emptyPins = false;
    // A full listing again: nothing was lost, nothing to delete, nothing held.
    const recovered = await runCycle(pinsOnly, shared);
    expect(recovered.listings[0]).toMatchObject({heldDeletes: 0, events: {r: 0, c: 0, u: 0, d: 0}});

    // Real deletions of more than 10%: held once, emitted when the next listing agrees, even in another
    // process (what is held travels in the changelog, as `sync --once` runs need).
    sandbox.control.applyChanges([{kind: 'delete', collection: 'pins', count: 5}]);
    const first = await runCycle(pinsOnly, shared);
    expect(first.listings[0]).toMatchObject({heldDeletes: 5, events: {d: 0}});
    const restored = new StateStore();
    for (const message of committed.flat().filter((m) => m.topic === 't.state'))
      applyChangelogRecord(restored, message.key!, message.value);
    expect(restored.shard('pins', 'user').heldDeletes).toMatch(/^[0-9a-f]{64}$/);
    const confirmed = await runCycle(pinsOnly, {...shared, state: restored});
    expect(confirmed.listings[0]).toMatchObject({heldDeletes: 0, events: {d: 5}});
    const tombstones = committed.flat().filter((m) => m.topic === 't.pins' && m.value === null);
    expect(tombstones).toHaveLength(5);
  });

  it("runs an account's analytics after its entity listings, in the analytics lane", async () => {
    const {sink} = recordingSink();
    const order: string[] = [];
    const base = deps(sink);
    const summary = await runCycle(
      {...options, kinds: ['entities', 'analytics']},
      {
        ...base,
        hooks: {onListingDone: (collection) => order.push(collection)},
        analytics: async ({adAccountId}) => {
          order.push(`analytics:${adAccountId}`);
          return [];
        },
      }
    );
    const accounts = sandbox.control
      .truth('ad_accounts')
      .items.map((a) => String(a.id))
      .sort();
    for (const id of accounts) {
      const at = order.indexOf(`analytics:${id}`);
      expect(at).toBeGreaterThan(-1);
      // campaigns, ad groups and ads of that account were listed before (3 listings per account, in order).
      expect(order.slice(0, at).filter((c) => c === 'ads').length).toBeGreaterThanOrEqual(
        accounts.indexOf(id) + 1
      );
    }
    expect(summary.kinds).toEqual(['entities', 'analytics']);
    const analyticsOnly = await runCycle(
      {...options, kinds: ['analytics']},
      {...base, analytics: async () => []}
    );
    expect(analyticsOnly.listings).toEqual([]);
  });
});
