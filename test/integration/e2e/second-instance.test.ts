/**
 * A second instance started with the same configuration (same transactional id) fences the first one, which
 * stops for good instead of reopening and fencing the second in turn; the events the two wrote between them are
 * the snapshot exactly once.
 */
import {randomBytes} from 'node:crypto';
import {Registry} from 'prom-client';

import {openPipeline, runService} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {FencedError} from '../../../src/errors';
import {Metrics, Readiness} from '../../../src/observability';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {expectSnapshotExactlyOnce, readCommitted} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const PINS = 2000;

describe('a second instance with the same configuration', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({scale: {adAccounts: 1, boards: 1, pins: PINS}});
  });
  afterAll(() => sandbox.close());

  it('fences the first, which stops; nothing is doubled', async () => {
    const prefix = `fence_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_SYNC__COLLECTIONS: 'pins',
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '50',
      }),
    });
    // Slow pages, so that the first instance is in the middle of its snapshot when the second one starts.
    sandbox.control.setFaults({latencyMs: 150, pathPattern: '^/v5/pins$'});
    const pinPages = () => sandbox.control.stats().requests.byEndpoint['GET /v5/pins'] ?? 0;
    const stopFirst = new AbortController();
    const first = runService({
      config,
      logger: silent,
      metrics: new Metrics({registry: new Registry(), version: 'test'}),
      readiness: new Readiness(),
      version: 'test',
      signal: stopFirst.signal,
    });
    const firstOutcome = first.then(
      () => 'stopped' as const,
      (error: unknown) => error
    );
    const deadline = Date.now() + 60_000;
    while (pinPages() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pinPages()).toBeGreaterThanOrEqual(3);

    const second = await openPipeline(config, {logger: silent, version: 'test'});
    try {
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        firstOutcome,
        new Promise((r) => (timer = setTimeout(() => r('still running after 30 s'), 30_000))),
      ]).finally(() => clearTimeout(timer));
      stopFirst.abort(); // only matters when the assertion below fails: do not leave it running
      expect(outcome).toBeInstanceOf(FencedError);

      sandbox.control.clearFaults();
      const summary = await second.runCycle();
      expect(summary.listings[0]).toMatchObject({collection: 'pins', outcome: 'complete', fetched: PINS});
    } finally {
      await second.close();
    }

    const events = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: [`${prefix}.pins`],
    });
    expectSnapshotExactlyOnce(
      events,
      sandbox.control.truth('pins').items.map((p) => String(p.id))
    );
  }, 180_000);
});
