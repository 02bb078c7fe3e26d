/**
 * The schema registry down at the start and in the middle of a run: the service (`pinterest-cdc run`) reaches the
 * registry through a loopback proxy that the test takes down and brings back (connection refused, open
 * connections cut), so the registry itself keeps its schemas.
 *  - down at start: the service stays up, /readyz answers 503 all along, and once the registry is back it becomes
 *    ready and syncs;
 *  - down mid-run: cycles go on with the schemas already registered (a run needs the registry only to register);
 *    the service is then SIGKILLed and restarted while the registry is still down: not ready until it returns;
 *  - at the end, a read_committed consumer sees exactly the sandbox's truth (helpers/change-stream.ts).
 */
import {randomBytes} from 'node:crypto';

import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {checkAgainstTruth} from '../helpers/change-stream';
import {readCommitted} from '../helpers/committed-events';
import {cliChildEnv} from '../helpers/service-env';
import {
  ranEveryTask,
  settleAndStop,
  startServiceProcess,
  type ServiceProcess,
} from '../helpers/service-process';
import {startTcpProxy, type TcpProxy} from '../helpers/tcp-proxy';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';
import {bySize, reportTries} from './size';

const COLLECTIONS = ['boards', 'pins'];
const OUTAGE_MS = bySize(8_000, 30_000);

jest.setTimeout(300_000);

describe('schema registry down at start and mid-run (reliability)', () => {
  let sandbox: RunningSandbox;
  let proxy: TcpProxy;
  const services: ServiceProcess[] = [];
  const start = () => {
    const service = startServiceProcess(env());
    services.push(service);
    return service;
  };
  const prefix = `rreg${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    sandbox = await startSandbox({seed: 3, scale: {adAccounts: 1, boards: 2, pins: 600}});
    const registry = new URL(schemaRegistryUrl());
    proxy = await startTcpProxy({host: registry.hostname, port: Number(registry.port)}, {startDown: true});
  });
  afterAll(async () => {
    for (const service of services) service.kill('SIGKILL');
    await proxy?.close();
    await sandbox?.close();
  });

  const env = () => {
    const url = new URL(schemaRegistryUrl());
    url.host = `127.0.0.1:${proxy.port}`;
    return cliChildEnv(sandbox, prefix, {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      SCHEMA_REGISTRY_URL: url.toString().replace(/\/+$/, ''),
      PINTEREST_CDC_SYNC__COLLECTIONS: COLLECTIONS.join(','),
      PINTEREST_CDC_SYNC__KEEP_IMAGES: COLLECTIONS.join(','),
      PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
      PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
      PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '50',
    });
  };

  /**
   * Polls /readyz for `ms` from its first answer (a process started from source takes a while to serve): the
   * statuses seen. The service must stay alive meanwhile.
   */
  async function readinessDuring(service: ServiceProcess, ms: number): Promise<number[]> {
    const statuses: number[] = [];
    const serving = Date.now() + 60_000;
    while ((await service.readyz()) === undefined && Date.now() < serving)
      await new Promise((r) => setTimeout(r, 100));
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const answer = await service.readyz();
      if (answer) statuses.push(answer.status);
      const exit = await Promise.race([service.exited, new Promise((r) => setTimeout(r, 250))]);
      if (exit)
        throw new Error(
          `the service exited during the outage (${JSON.stringify(exit)}):\n${service.output().slice(-3000)}`
        );
    }
    return statuses;
  }

  async function waitReady(service: ServiceProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await service.readyz())?.status !== 200) {
      if (Date.now() > deadline)
        throw new Error(`not ready within ${timeoutMs} ms:\n${service.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const change = () =>
    sandbox.control.applyChanges([
      {kind: 'create', collection: 'pins', count: 12},
      {kind: 'update', collection: 'pins', count: 20},
      {kind: 'delete', collection: 'pins', count: 5},
      {kind: 'update', collection: 'boards', count: 1},
    ]);

  test('not ready while the registry is down at start; recovers, syncs through a mid-run outage and a restart in it', async () => {
    // 1. Down at start.
    const first = start();
    const atStart = await readinessDuring(first, OUTAGE_MS);
    expect(atStart.length).toBeGreaterThan(3);
    expect(atStart.every((s) => s === 503)).toBe(true);
    await proxy.up();
    await waitReady(first, 60_000);
    await first.waitForLog((l) => l.msg === 'Sync cycle finished' && ranEveryTask(l), 60_000);

    // 2. Down mid-run: changes still flow (schemas are registered), the service stays ready.
    await proxy.down();
    const from = first.logs().length;
    change();
    await first.waitForLog(
      (l) => l.msg === 'Sync cycle finished' && Number(l.failed) === 0 && ranEveryTask(l),
      60_000,
      from
    );
    const midRun = await readinessDuring(first, 2_000);
    expect(midRun.every((s) => s === 200)).toBe(true);

    // 3. Killed and restarted while the registry is still down: not ready until it returns.
    first.kill('SIGKILL');
    await first.exited;
    change();
    const second = start();
    const restarted = await readinessDuring(second, OUTAGE_MS);
    expect(restarted.length).toBeGreaterThan(3);
    expect(restarted.every((s) => s === 503)).toBe(true);
    await proxy.up();
    await waitReady(second, 60_000);
    await settleAndStop(second, {analytics: false, timeoutMs: 120_000});

    const events = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
    });
    const truth = Object.fromEntries(
      COLLECTIONS.map((c) => [c, sandbox.control.truth(c).items.map((i) => String(i.id))])
    );
    const check = checkAgainstTruth(events, truth, (c) => `${prefix}.${c}`);
    expect(check.problems).toEqual([]);
    expect(check.counts.d).toBe(10);
    reportTries(
      'registry down',
      2,
      `at start: ${atStart.length} /readyz answers, all 503; mid-run: cycles went on, ready; restart in the outage: ` +
        `${restarted.length} answers, all 503; events ${JSON.stringify(check.counts)}, lost 0, doubled 0`
    );
  });
});
