/** What the sync tests share: a Pinterest client on the sandbox, and the stubbed seam, an in-memory Kafka sink. */
import type {OutgoingMessage} from '../../../src/kafka';
import {MemoryTokenStore, PinterestClient, resolveClientConfig} from '../../../src/pinterest';
import type {RunningSandbox} from '../../../src/sandbox';
import type {BatchSink} from '../../../src/sync';

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
