/**
 * API faults from the sandbox (src/sandbox/faults.ts and its rate limiter), one after the other on one deployment:
 * a 429 storm, 5xx bursts, timeouts, connection resets, malformed and truncated bodies, revoked tokens, empty
 * listings, and a spent daily cap (429 code 8). Before each, the sandbox creates, updates and deletes records, and
 * a cycle runs under the fault. Each cycle must either complete with exactly the sandbox's truth or fail with a
 * clear, counted failure (a listing in summary.failed with its reason, or skipped for the spent quota), and no cycle
 * may delete a record the truth still has. After the fault is cleared, the next cycle must reach the truth
 * (helpers/change-stream.ts: exact id sets, no duplicate, `before` = previous `after`, a tombstone after each delete).
 * The pipeline is the service's own (openPipeline + runCycle, as `run` drives it); the seam is the sandbox.
 */
import {randomBytes} from 'node:crypto';

import {openPipeline, type Pipeline} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {startSandbox, type FaultConfig, type RunningSandbox} from '../../../src/sandbox';
import type {CycleSummary} from '../../../src/sync';
import {checkAgainstTruth} from '../helpers/change-stream';
import {readCommitted, type ConsumedMessage} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';
import {bySize, reportTries} from './size';

const COLLECTIONS = ['boards', 'pins'];
const ROUNDS = bySize(1, 5);
const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

jest.setTimeout(bySize(600_000, 1_800_000));

type Fault = {name: string; apply: (sandbox: RunningSandbox) => void};

const FAULTS: Fault[] = [
  {name: '429 storm', apply: (s) => s.control.setFaults({errorRate: 0.5, errorStatus: 429})},
  {name: '5xx burst (503)', apply: (s) => s.control.setFaults({errorRate: 0.4, errorStatus: 503})},
  {name: '5xx burst (500)', apply: (s) => s.control.setFaults({errorRate: 0.3, errorStatus: 500})},
  {name: 'timeouts', apply: (s) => s.control.setFaults({timeoutRate: 0.15})},
  {name: 'connection resets', apply: (s) => s.control.setFaults({resetRate: 0.3})},
  {name: 'malformed bodies', apply: (s) => s.control.setFaults({malformedRate: 0.3})},
  {name: 'truncated bodies', apply: (s) => s.control.setFaults({truncatedRate: 0.3})},
  {name: 'revoked token', apply: (s) => s.control.setFaults({revokeTokens: true} satisfies FaultConfig)},
  {
    name: 'empty listings',
    apply: (s) => s.control.setFaults({emptyListingRate: 1, pathPattern: '^/v5/pins$'}),
  },
  {name: 'every request fails', apply: (s) => s.control.setFaults({errorRate: 1, errorStatus: 503})},
];

describe('API faults: exact results or a clear failure, never a wrong delete (reliability)', () => {
  let sandbox: RunningSandbox;
  const prefix = `rapi${randomBytes(4).toString('hex')}`;
  const outcomes: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({seed: 13, scale: {adAccounts: 1, boards: 3, pins: 1500}});
  });
  afterAll(async () => {
    await sandbox?.close();
    console.log(`API faults test (prefix ${prefix}):\n${outcomes.join('\n')}`);
  });

  const config = () =>
    loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_SYNC__COLLECTIONS: COLLECTIONS.join(','),
        PINTEREST_CDC_SYNC__KEEP_IMAGES: COLLECTIONS.join(','),
        PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
        PINTEREST_CDC_PINTEREST__REQUEST_TIMEOUT_SECONDS: '2',
        PINTEREST_CDC_PINTEREST__MAX_RETRIES: '4',
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '100',
      }),
    });
  const read = () =>
    readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: COLLECTIONS.map((c) => `${prefix}.${c}`),
    });
  const truthIds = () =>
    Object.fromEntries(COLLECTIONS.map((c) => [c, sandbox.control.truth(c).items.map((i) => String(i.id))]));
  const position = (m: ConsumedMessage) => `${m.topic}:${m.partition}:${m.offset}`;

  /** Deletes among `fresh` of records the truth still has: a wrong delete. */
  function wrongDeletes(fresh: ConsumedMessage[]): string[] {
    const live = new Set(
      COLLECTIONS.flatMap((c) => sandbox.control.truth(c).items.map((i) => `${prefix}.${c} ${String(i.id)}`))
    );
    return fresh
      .filter((m) => (m.value as {op?: string} | null)?.op === 'd')
      .map((m) => `${m.topic} ${String((m.key as {id: unknown}).id)}`)
      .filter((key) => live.has(key));
  }

  function describeOutcome(summary: CycleSummary): string {
    const listings = summary.listings.map((l) => `${l.collection} ${l.outcome}`).join(', ');
    const failed = summary.failed.map((f) => `${f.collection} failed: ${f.message}`).join('; ');
    const skipped = summary.skipped.map((s) => `${s.collection} skipped`).join(', ');
    return [listings, failed, skipped].filter(Boolean).join('; ');
  }

  /** One cycle under whatever fault is set: clear outcome, no wrong delete; exact when it completed. */
  async function faultedCycle(pipeline: Pipeline, name: string, seen: Set<string>): Promise<void> {
    sandbox.control.applyChanges([
      {kind: 'create', collection: 'pins', count: 15},
      {kind: 'update', collection: 'pins', count: 25},
      {kind: 'delete', collection: 'pins', count: 5},
      {kind: 'update', collection: 'boards', count: 1},
    ]);
    const summary = await pipeline.runCycle();
    expect(summary.fatal).toBeUndefined();
    const all = await read();
    const fresh = all.filter((m) => !seen.has(position(m)));
    for (const m of fresh) seen.add(position(m));
    expect([name, wrongDeletes(fresh)]).toEqual([name, []]);
    for (const failure of summary.failed) expect(failure.message.length).toBeGreaterThan(10);
    const held = summary.listings.reduce((n, l) => n + l.heldDeletes, 0);
    const complete = summary.failed.length === 0 && summary.skipped.length === 0 && held === 0;
    const check = checkAgainstTruth(all, complete ? truthIds() : {}, (c) => `${prefix}.${c}`);
    expect([name, check.problems]).toEqual([name, []]);
    const outcome = complete ? 'exact' : held > 0 ? `${held} deletes held by the guard` : 'clear failure';
    outcomes.push(`${name}: ${outcome} (${describeOutcome(summary)}); ${fresh.length} events`);
  }

  test('each fault: exact or a clear failure, no wrong delete; the truth once it clears', async () => {
    const seen = new Set<string>();
    let pipeline = await openPipeline(config(), {logger: silent, version: 'test'});
    let tried = 0;
    try {
      await faultedCycle(pipeline, 'no fault (baseline)', seen);
      for (let round = 1; round <= ROUNDS; round++) {
        for (const fault of FAULTS) {
          fault.apply(sandbox);
          await faultedCycle(pipeline, `${fault.name} (round ${round})`, seen);
          sandbox.control.clearFaults();
          tried += 1;
        }
      }
      // A spent daily cap: 429 code 8 until the next UTC midnight; the listings are skipped, nothing is deleted.
      sandbox.control.exhaust('ads_read');
      sandbox.control.exhaust('org_read');
      await faultedCycle(pipeline, 'daily cap (code 8)', seen);
      tried += 1;
      // The sandbox's day ends; a new process (the client keeps the pause until its own reset time) recovers.
      await pipeline.close();
      sandbox.control.advanceClock(86_400);
      pipeline = await openPipeline(config(), {logger: silent, version: 'test'});
      const last = await pipeline.runCycle();
      expect(last.failed).toEqual([]);
      expect(last.skipped).toEqual([]);
    } finally {
      await pipeline.close();
    }
    const all = await read();
    const check = checkAgainstTruth(all, truthIds(), (c) => `${prefix}.${c}`);
    expect(check.problems).toEqual([]);
    outcomes.push(`after the faults: ${JSON.stringify(check.counts)}`);
    reportTries(
      'API faults',
      tried,
      `${FAULTS.length + 1} kinds; events ${JSON.stringify(check.counts)}, wrong deletes 0`
    );
  });
});
