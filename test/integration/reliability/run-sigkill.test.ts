/**
 * The real service process (`pinterest-cdc run`, polling every second) is SIGKILLed again and again at random
 * points: during the first snapshot, during later entity cycles (after creates, updates and deletes), during the
 * analytics backfill (async reports included: it starts 100 days back) and during restatement cycles. Each round
 * changes the sandbox, starts the service, and kills it once the sandbox served a random number of pin pages or
 * analytics requests (plus a random delay, so the kill lands mid-page, mid-transaction or mid-commit). A last
 * service runs until it has finished a clean entity and analytics cycle and is stopped with SIGTERM. Then what a
 * read_committed consumer sees must be the sandbox's truth (helpers/change-stream.ts): exact id sets, no
 * duplicate, `before` = the previous `after`, a tombstone after every delete; analytics: the last image of every
 * row equals the truth.
 *
 * RELIABILITY_SIZE=nightly: 24 rounds over 6,000 pins (CI: 6 rounds over 2,000). CRASH_SEED=<n> repeats the choices.
 */
import {randomBytes} from 'node:crypto';

import {addDays, todayUtc} from '../../../src/pinterest/dates';
import {startSandbox, TRUTH_COLUMNS, type RunningSandbox} from '../../../src/sandbox';
import {analyticsView} from '../helpers/analytics-truth';
import {checkAgainstTruth, checkChangeStream} from '../helpers/change-stream';
import {readCommitted} from '../helpers/committed-events';
import {crashSeed, seededRandomInt} from '../helpers/seeded-random';
import {cliChildEnv} from '../helpers/service-env';
import {settleAndStop, startServiceProcess, type ServiceProcess} from '../helpers/service-process';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';
import {bySize, reportTries} from './size';

const ROUNDS = bySize(6, 24);
const PINS = bySize(2000, 6000);
const ENTITIES = ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'];
const ANALYTICS = ['ad_analytics', 'campaign_analytics'];
const PIN_PAGES = 'GET /v5/pins';

jest.setTimeout(bySize(600_000, 3_600_000));

const seed = crashSeed();
const randomInt = seededRandomInt(seed);

describe('SIGKILL of the running service at random points (reliability)', () => {
  let sandbox: RunningSandbox;
  let adAccountId: string;
  const prefix = `rkill${randomBytes(4).toString('hex')}`;
  const today = todayUtc(Date.now());
  const startDate = addDays(today, -100);
  const log: string[] = [];
  const services: ServiceProcess[] = [];
  const start = () => {
    const service = startServiceProcess(env());
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 21,
      scale: {
        adAccounts: 1,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 8,
        boards: 2,
        pins: PINS,
      },
      reportPollsUntilFinished: 1,
    });
    adAccountId = String(sandbox.control.truth('ad_accounts').items[0]!.id);
    // Every answer a little slow, so a kill lands in the middle of a listing rather than between cycles.
    sandbox.control.setFaults({latencyMs: 40});
  });
  afterAll(async () => {
    for (const service of services) service.kill('SIGKILL');
    await sandbox?.close();
    console.log(`run SIGKILL test (CRASH_SEED=${seed}, prefix ${prefix}):\n${log.join('\n')}`);
  });

  const env = () =>
    cliChildEnv(sandbox, prefix, {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      SCHEMA_REGISTRY_URL: schemaRegistryUrl(),
      PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
      PINTEREST_CDC_SYNC__KEEP_IMAGES: ENTITIES.join(','),
      PINTEREST_CDC_ANALYTICS__COLLECTIONS: ANALYTICS.join(','),
      PINTEREST_CDC_ANALYTICS__INTERVAL_SECONDS: '1',
      PINTEREST_CDC_ANALYTICS__START_DATE: startDate,
      PINTEREST_CDC_ANALYTICS__COLUMNS: TRUTH_COLUMNS.join(','),
      PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '40',
    });

  /** Kills the service once `served()` reaches `target`, `delayMs` later; resolves once it is dead. */
  async function killAt(service: ServiceProcess, served: () => number, target: number, delayMs: number) {
    const deadline = Date.now() + 120_000;
    while (served() < target) {
      if (Date.now() > deadline)
        throw new Error(`the service never reached ${target}:\n${service.output().slice(-3000)}`);
      const exit = await Promise.race([service.exited, new Promise((r) => setTimeout(r, 2))]);
      if (exit)
        throw new Error(
          `the service exited before its kill (${JSON.stringify(exit)}):\n${service.output().slice(-3000)}`
        );
    }
    await new Promise((r) => setTimeout(r, delayMs));
    service.kill('SIGKILL');
    const exit = await service.exited;
    if (exit.signal !== 'SIGKILL')
      throw new Error(
        `the service ended with ${JSON.stringify(exit)} instead of the kill:\n${service.output().slice(-3000)}`
      );
  }

  test(`${ROUNDS} rounds of changes and a SIGKILL, then a clean run: exactly the sandbox's truth`, async () => {
    let entityCycleDone = false;
    let analyticsCycleDone = false;
    const phases = {firstSnapshot: 0, laterEntityCycle: 0, backfill: 0, restatement: 0};
    for (let round = 1; round <= ROUNDS; round++) {
      const changes: string[] = [];
      if (entityCycleDone) {
        sandbox.control.applyChanges([
          {kind: 'create', collection: 'pins', count: randomInt(5, 30)},
          {kind: 'update', collection: 'pins', count: randomInt(5, 40)},
          {kind: 'delete', collection: 'pins', count: randomInt(1, 10)},
          {kind: 'update', collection: 'campaigns', count: 1},
          {kind: 'update', collection: 'ads', count: randomInt(1, 4)},
        ]);
        changes.push('entity changes');
      }
      if (analyticsCycleDone) {
        sandbox.control.applyChanges([
          {kind: 'restate', collection: 'ad_analytics', adAccountId, days: 20, count: randomInt(2, 10)},
        ]);
        changes.push('restatements');
      }
      sandbox.control.resetStats();
      const byPins = round % 2 === 1;
      const served = byPins
        ? () => sandbox.control.stats().requests.byEndpoint[PIN_PAGES] ?? 0
        : () => sandbox.control.stats().requests.byCategory.ads_analytics ?? 0;
      // A backfill makes a dozen analytics requests; a later cycle re-reads the restatement window in about two.
      const target = byPins
        ? randomInt(1, Math.ceil(PINS / 250) + 2)
        : randomInt(1, analyticsCycleDone ? 2 : 12);
      const delayMs = randomInt(0, 300);
      const service = start();
      await killAt(service, served, target, delayMs);
      // Only a cycle over every task counts: changes must not reach the pins before their first snapshot is
      // complete (a change seen during it is an `r` again, which the check counts as a duplicate).
      const cycles = service.finishedCycles().filter((c) => c.failed === 0 && c.allTasks);
      const entityPhase = entityCycleDone ? 'laterEntityCycle' : 'firstSnapshot';
      const analyticsPhase = analyticsCycleDone ? 'restatement' : 'backfill';
      const phase = byPins ? entityPhase : analyticsPhase;
      phases[phase] += 1;
      entityCycleDone ||= cycles.some((c) => c.kinds.includes('entities'));
      analyticsCycleDone ||= cycles.some((c) => c.kinds.includes('analytics'));
      log.push(
        `round ${round}: ${changes.join(' + ') || 'no changes'}; killed at ${byPins ? 'pin page' : 'analytics request'} ` +
          `${target} + ${delayMs} ms (${phase}); ${cycles.length} clean cycles before the kill`
      );
    }

    const final = start();
    await settleAndStop(final, {analytics: true, timeoutMs: 240_000});
    sandbox.control.clearFaults();

    const entityEvents = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: ENTITIES.map((c) => `${prefix}.${c}`),
    });
    const truth = Object.fromEntries(
      ENTITIES.map((c) => [c, sandbox.control.truth(c).items.map((item) => String(item.id))])
    );
    const entities = checkAgainstTruth(entityEvents, truth, (c) => `${prefix}.${c}`);
    expect(entities.problems).toEqual([]);

    const view = analyticsView({
      sandbox,
      adAccountId,
      prefix,
      collections: ANALYTICS,
      columns: TRUTH_COLUMNS,
      startDate,
      endDate: today,
    });
    const analyticsEvents = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: ANALYTICS.map((c) => `${prefix}.${c}`),
    });
    const analytics = checkChangeStream(analyticsEvents);
    expect(analytics.problems).toEqual([]);
    expect(view.lastImages(analyticsEvents)).toEqual(view.truth());
    expect(analytics.counts.r).toBeGreaterThan(0);

    log.push(
      `entities: ${JSON.stringify(entities.counts)}; analytics: ${JSON.stringify(analytics.counts)}; ` +
        `kills by phase: ${JSON.stringify(phases)}`
    );
    reportTries('SIGKILL of run', ROUNDS, `by phase ${JSON.stringify(phases)}, lost 0, doubled 0`);
    // Each phase the issue names was hit at least once (the rounds alternate pin pages and analytics requests).
    expect(phases.firstSnapshot + phases.laterEntityCycle).toBeGreaterThan(0);
    expect(phases.backfill + phases.restatement).toBeGreaterThan(0);
  });
});
