/**
 * A process that takes every task by force (openPipeline: all tasks, as a one-off `sync` does) beside a running
 * fleet member fences the member's tasks mid-snapshot: the member drops them (it does not exit), takes them
 * back under the assignment it still holds (fencing the forcing process in turn) and finishes the snapshot; the
 * events the two wrote between them are the snapshot exactly once.
 */
import {randomBytes} from 'node:crypto';
import {Registry} from 'prom-client';

import {openPipeline, runService} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {Metrics, Readiness} from '../../../src/observability';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import type {CycleSummary, SyncLogger} from '../../../src/sync';
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

  it("fences the member's tasks, which it drops and takes back; nothing is doubled", async () => {
    const prefix = `fence_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_SYNC__COLLECTIONS: 'pins',
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '50',
        PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
        PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '2',
      }),
    });
    // The first instance must still be in its snapshot (and so still write) after the second one has started,
    // however long that start takes: slow pages, then very slow ones while the second instance opens.
    sandbox.control.setFaults({latencyMs: 150, pathPattern: '^/v5/pins$'});
    const pinPages = () => sandbox.control.stats().requests.byEndpoint['GET /v5/pins'] ?? 0;
    const stopFirst = new AbortController();
    const firstCycles: CycleSummary[] = [];
    const firstLog = timedLog();
    const first = runService({
      config,
      logger: firstLog,
      metrics: new Metrics({registry: new Registry(), version: 'test'}),
      readiness: new Readiness(),
      version: 'test',
      signal: stopFirst.signal,
      onCycle: (summary) => firstCycles.push(summary),
    });
    const firstOutcome = first.then(
      () => 'stopped' as const,
      (error: unknown) => error
    );
    const logged = (pattern: RegExp) => firstLog.lines.some((l) => pattern.test(l));
    const waitFor = async (what: string, check: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (!check()) console.log(`first instance log:\n${firstLog.lines.join('\n')}`);
      expect({what, done: check()}).toEqual({what, done: true});
    };
    await waitFor('pages', () => pinPages() >= 3, 60_000);

    sandbox.control.setFaults({latencyMs: 1000, pathPattern: '^/v5/pins$'});
    const second = await openPipeline(config, {logger: silent, version: 'test'});
    const openedAt = Date.now();
    expect(pinPages()).toBeLessThan(PINS / 250); // the first one's snapshot is not over: it will write again
    sandbox.control.setFaults({latencyMs: 20, pathPattern: '^/v5/pins$'});
    try {
      // Generous: the fenced producer's own retries (kafkajs backoff) may take a while.
      await waitFor(
        'the member drops its fenced task',
        () => logged(/Task fenced by another instance/),
        120_000
      );
      console.log(
        `second instance: the member dropped its task ${Date.now() - openedAt} ms after the second opened`
      );
      // The second may finish the snapshot or be fenced by the member taking its task back: either way, once.
      const summary = await second.runCycle();
      expect(summary.fencedTasks.length > 0 || summary.listings[0]?.outcome === 'complete').toBe(true);
    } finally {
      await second.close();
    }
    sandbox.control.clearFaults();
    // The member is back: it holds its task again and completes a pins listing of its own.
    await waitFor(
      'the member completes a listing after taking its task back',
      () =>
        firstCycles.some((c) => c.listings.some((l) => l.collection === 'pins' && l.outcome === 'complete')),
      120_000
    );
    stopFirst.abort();
    expect(await firstOutcome).toBe('stopped');

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
