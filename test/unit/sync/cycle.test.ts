/**
 * runCycle's two lanes (ads_read: ad accounts, campaigns, ad groups, ads; org_read: boards, pins) run side by
 * side and end together. Real sandbox, real Pinterest client, real differ and Avro serializer; the one stubbed
 * seam is the Kafka sink (an in-memory BatchSink).
 */
import {COLLECTIONS} from '../../../src/collections';
import {CdcError, FencedError} from '../../../src/errors';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog} from '../../../src/serde';
import {StateStore} from '../../../src/state';
import {
  runCycle,
  StateDivergedError,
  type BatchSink,
  type CycleDeps,
  type ListingRequest,
  type RecordSource,
} from '../../../src/sync';
import {recordingSink, sandboxClient, silent} from './harness';

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
    const catalog = new SchemaCatalog({collections: COLLECTIONS});
    const ids = new Map(COLLECTIONS.map((c, i) => [c.name, {keyId: 2 * i + 1, valueId: 2 * i + 2}]));
    const deps: CycleDeps = {
      source,
      state: new StateStore(),
      encoder: new InlineBatchEncoder(new EventSerializer(catalog, ids)),
      sink,
      topics: {events: (c) => `t.${c}`, state: 't.state', deadLetters: 't.dlq'},
      maxEventsPerTransaction: 10,
      logger: silent,
    };
    return {deps, pagesSeen};
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
    // The org_read pages arrive while the ads lane is still paging (interleaved), not after it.
    const lastAds = pagesSeen.lastIndexOf('ads_read');
    const firstOrg = pagesSeen.indexOf('org_read');
    expect(firstOrg).toBeGreaterThan(0);
    expect(firstOrg).toBeLessThan(lastAds);
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

  it('a failing lane ends the cycle only after the other lane has finished writing', async () => {
    // pins fail at once (400); the ads lane is slow and has many pages to go.
    sandbox.control.setFaults({errorRate: 1, errorStatus: 400, pathPattern: '^/v5/pins$'});
    const {sink, committed, events} = recordingEvents();
    const {deps} = harness(sink);
    const slowAds: RecordSource = {
      async *pages(request) {
        for await (const page of deps.source.pages(request)) {
          await new Promise((r) => setTimeout(r, 5));
          yield page;
        }
      },
    };
    await expect(runCycle(options, {...deps, source: slowAds})).rejects.toThrow(/400/);
    const writesAtReturn = committed.length;
    for (const name of ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards']) {
      expect(events(name)).toBe(sandbox.control.truth(name).items.length);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(committed.length).toBe(writesAtReturn);
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
    await expect(runCycle(options, deps)).rejects.toBeInstanceOf(StateDivergedError);
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
    await expect(runCycle(options, deps)).rejects.toBeInstanceOf(FencedError);
  });
});
