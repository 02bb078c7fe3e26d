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
import type {SyncLogger} from '../../../src/sync';
import {expectSnapshotExactlyOnce, readCommitted} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

/** The first instance's warnings, errors and transaction debug lines, timed: printed when the test fails. */
function timedLog(): SyncLogger & {lines: string[]} {
  const started = Date.now();
  const lines: string[] = [];
  const line = (level: string) => (fields: object, message: string) => {
    if (level === 'debug' && !/transaction|fenc|producer/i.test(message)) return;
    lines.push(`${Date.now() - started} ms ${level} ${message} ${JSON.stringify(fields).slice(0, 300)}`);
  };
  return {lines, debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error')};
}
const PINS = 5000; // 20 pages

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
    // The first instance must still be in its snapshot (and so still write) after the second one has started,
    // however long that start takes: slow pages, then very slow ones while the second instance opens.
    sandbox.control.setFaults({latencyMs: 150, pathPattern: '^/v5/pins$'});
    const pinPages = () => sandbox.control.stats().requests.byEndpoint['GET /v5/pins'] ?? 0;
    const stopFirst = new AbortController();
    const firstLog = timedLog();
    const first = runService({
      config,
      logger: firstLog,
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

    sandbox.control.setFaults({latencyMs: 1000, pathPattern: '^/v5/pins$'});
    const second = await openPipeline(config, {logger: silent, version: 'test'});
    const openedAt = Date.now();
    expect(pinPages()).toBeLessThan(PINS / 250); // the first one's snapshot is not over: it will write again
    sandbox.control.setFaults({latencyMs: 20, pathPattern: '^/v5/pins$'});
    try {
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        firstOutcome,
        // Generous: the fenced producer's own retries (kafkajs backoff) may take a while; what must not happen is
        // that it never stops (e.g. reopening, which would fence the second instance in turn).
        new Promise((r) => (timer = setTimeout(() => r('still running after 120 s'), 120_000))),
      ]).finally(() => clearTimeout(timer));
      stopFirst.abort(); // only matters when the assertion below fails: do not leave it running
      if (!(outcome instanceof FencedError)) console.log(`first instance log:\n${firstLog.lines.join('\n')}`);
      expect(outcome).toBeInstanceOf(FencedError);
      console.log(
        `second instance: the first one stopped ${Date.now() - openedAt} ms after the second opened`
      );

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
  }, 300_000);
});
