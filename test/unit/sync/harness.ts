/** What the sync tests share: a Pinterest client on the sandbox, and the stubbed seam, an in-memory Kafka sink. */
import {COLLECTIONS} from '../../../src/collections';
import type {OutgoingMessage} from '../../../src/kafka';
import {MemoryTokenStore, PinterestClient, resolveClientConfig} from '../../../src/pinterest';
import type {RunningSandbox} from '../../../src/sandbox';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog} from '../../../src/serde';
import {StateStore} from '../../../src/state';
import type {BatchSink, CycleDeps, RecordSource} from '../../../src/sync';

export const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

/** A client that does not retry: a fault the sandbox injects reaches the sync stage at once. */
export function sandboxClient(sandbox: RunningSandbox): PinterestClient {
  return new PinterestClient({
    config: resolveClientConfig({
      apiBaseUrl: sandbox.baseUrl,
      ...sandbox.credentials,
      retry: {maxRetries: 0},
    }),
    tokenStore: new MemoryTokenStore(),
  });
}

/** A BatchSink that records every committed batch. */
export function recordingSink(): {sink: BatchSink; committed: OutgoingMessage[][]} {
  const committed: OutgoingMessage[][] = [];
  return {committed, sink: {writeBatch: async (messages) => void committed.push([...messages])}};
}

/** The serializer of every collection, with made-up registry ids. */
export function testSerializer(): EventSerializer {
  const catalog = new SchemaCatalog({collections: COLLECTIONS});
  const ids = new Map(COLLECTIONS.map((c, i) => [c.name, {keyId: 2 * i + 1, valueId: 2 * i + 2}]));
  return new EventSerializer(catalog, ids);
}

/**
 * Cycle deps with the real differ and Avro serializer over `source` (none: give `connections`); the one stubbed
 * seam is the Kafka sink.
 */
export function cycleDeps(
  sink: BatchSink,
  source: RecordSource | undefined,
  maxEventsPerTransaction: number,
  serializer: EventSerializer = testSerializer()
): CycleDeps {
  return {
    ...(source === undefined ? {} : {source}),
    state: new StateStore(),
    encoder: new InlineBatchEncoder(serializer),
    sink,
    topics: {events: (c) => `t.${c}`, state: 't.state', deadLetters: 't.dlq'},
    maxEventsPerTransaction,
    logger: silent,
  };
}
