/**
 * An interrupted snapshot never produces deletes. Real sandbox, real Pinterest client, real differ and Avro
 * serializer; the one stubbed seam is the Kafka sink (an in-memory BatchSink recording committed batches).
 */
import {CollectionRegistry} from '../../../src/collections';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog} from '../../../src/serde';
import {StateStore} from '../../../src/state';
import {runListing, type ListingRunnerDeps} from '../../../src/sync';
import {recordingSink, sandboxClient, silent} from './harness';

describe('an interrupted snapshot', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({scale: {adAccounts: 1, boards: 1, pins: 600}});
  });
  afterAll(() => sandbox.close());

  it('emits no delete; the next complete snapshot emits each delete once', async () => {
    const pins = new CollectionRegistry().get('pins');
    const catalog = new SchemaCatalog({collections: [pins]});
    const serializer = new EventSerializer(catalog, new Map([['pins', {keyId: 1, valueId: 2}]]));
    const client = sandboxClient(sandbox);
    const {sink, committed} = recordingSink();
    const deps: ListingRunnerDeps = {
      encoder: new InlineBatchEncoder(serializer),
      sink,
      topics: {events: (c) => `t.${c}`, state: 't.state', deadLetters: 't.dlq'},
      maxEventsPerTransaction: 100,
      logger: silent,
    };
    const state = new StateStore();
    const listing = (pages: AsyncIterable<Record<string, unknown>[]>) => ({
      declaration: pins,
      shard: 'user',
      state: state.shard('pins', 'user'),
      context: {name: 't', version: 'test', collection: 'pins', adAccountId: null, syncId: 's'},
      keepImages: false,
      pages,
    });
    const request = {path: pins.endpoint.path, query: pins.endpoint.query, category: 'org_read' as const};
    const tombstones = () => committed.flat().filter((m) => m.topic === 't.pins' && m.value === null);

    const first = await runListing(listing(client.paginate(request)), deps);
    expect(first).toMatchObject({outcome: 'complete', fetched: 600, events: {r: 600, c: 0, u: 0, d: 0}});

    // Delete 5 pins, then break the listing after its first page.
    const {applied} = sandbox.control.applyChanges([{kind: 'delete', collection: 'pins', count: 5}]);
    expect(applied).toHaveLength(5);
    async function* failAfterFirstPage(): AsyncGenerator<Record<string, unknown>[]> {
      let pages = 0;
      for await (const page of client.paginate<Record<string, unknown>>(request)) {
        yield page;
        if (++pages === 1)
          sandbox.control.setFaults({errorRate: 1, errorStatus: 400, pathPattern: '^/v5/pins$'});
      }
    }
    committed.length = 0;
    await expect(runListing(listing(failAfterFirstPage()), deps)).rejects.toThrow();
    expect(tombstones()).toHaveLength(0);
    expect(state.shard('pins', 'user').size).toBe(600);

    sandbox.control.clearFaults();
    committed.length = 0;
    const complete = await runListing(listing(client.paginate(request)), deps);
    expect(complete.events).toEqual({r: 0, c: 0, u: 0, d: 5});
    expect(tombstones()).toHaveLength(5);
    expect(state.shard('pins', 'user').size).toBe(595);
  });
});
