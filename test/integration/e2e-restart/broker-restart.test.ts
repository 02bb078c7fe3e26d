/**
 * A broker restart in the middle of a snapshot loses no event and duplicates none for read_committed consumers:
 * the broker is SIGKILLed while the service is writing transactions, restarted on the same data, and the sync
 * goes on (the failed transaction is aborted and its batch sent again) to exactly one `r` per record.
 * Runs on a private local stack (Kafka + registry) so that killing its broker disturbs no other test.
 */
import {randomBytes} from 'node:crypto';
import {join, resolve} from 'node:path';

import {openPipeline, reopenPipeline} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {StateDivergedError} from '../../../src/sync';
import {expectSnapshotExactlyOnce, readCommitted} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';

const ROOT = resolve(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackLib = require(join(ROOT, 'scripts', 'stack')) as typeof import('../../../scripts/stack/index');
const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const PINS = 3000;

describe('broker restart during a snapshot', () => {
  let stack: Awaited<ReturnType<typeof stackLib.startStack>>;
  let sandbox: RunningSandbox;
  const dir = `.stack/restart-${process.pid}`;

  beforeAll(async () => {
    stack = await stackLib.startStack({
      rootDir: ROOT,
      dir,
      removeDirOnStop: true,
      ownerPid: process.pid,
      log: () => {},
    });
    sandbox = await startSandbox({scale: {adAccounts: 1, boards: 1, pins: PINS}});
  }, 180_000);
  afterAll(async () => {
    await sandbox?.close();
    await stack?.stop();
  });

  it('commits every record exactly once although the broker was killed and restarted', async () => {
    const prefix = `restart_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {
        ...stack.env,
        PINTEREST_CDC_SYNC__COLLECTIONS: 'pins',
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '50',
      }),
    });
    const pipeline = await openPipeline(config, {logger: silent, version: 'test'});
    // Slow pages so that the kill lands in the middle of the snapshot.
    sandbox.control.setFaults({latencyMs: 300, pathPattern: '^/v5/pins$'});
    const cycle = pipeline.runCycle();
    const pinPages = () => sandbox.control.stats().requests.byEndpoint['GET /v5/pins'] ?? 0;
    await waitUntil(() => pinPages() >= 3, 60_000);

    // kill -9, then the same node started again on the data it left (scripts/stack stopBroker/startBroker).
    await stackLib.stopBroker({rootDir: ROOT, dir, id: 1, kill: true, log: () => {}});
    const killedAtPage = pinPages();
    await new Promise((r) => setTimeout(r, 3000));
    await stackLib.startBroker({rootDir: ROOT, dir, id: 1, log: () => {}});

    // If the broker died during a commit, the outcome of that batch is unknown and the cycle stops with
    // StateDivergedError; the service then rebuilds state from the changelog and syncs again (runService), as
    // done here. Either way the committed events must be exactly the snapshot.
    const first = await cycle;
    if (first.fatal && !(first.fatal instanceof StateDivergedError)) throw first.fatal;
    let summary = first.fatal ? undefined : first;
    await pipeline.close();
    expect(killedAtPage).toBeLessThan(PINS / 250);
    if (summary === undefined) {
      sandbox.control.clearFaults();
      // As runService does: retried while the restarted broker is not accepting connections yet.
      const reopened = await reopenPipeline(
        () => openPipeline(config, {logger: silent, version: 'test'}),
        new AbortController().signal,
        (ms) => new Promise((r) => setTimeout(r, ms)),
        silent
      );
      summary = await reopened.runCycle().finally(() => reopened.close());
    } else {
      expect(summary.listings[0]).toMatchObject({collection: 'pins', outcome: 'complete', fetched: PINS});
    }
    expect(summary.listings[0]).toMatchObject({collection: 'pins', outcome: 'complete'});

    const events = await readCommitted({
      brokers: [stack.env.KAFKA_BROKERS],
      registryUrl: stack.env.SCHEMA_REGISTRY_URL,
      topics: [`${prefix}.pins`],
    });
    expectSnapshotExactlyOnce(
      events,
      sandbox.control.truth('pins').items.map((p) => String(p.id))
    );
  }, 300_000);
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
