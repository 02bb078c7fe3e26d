/**
 * A healthy start and a normal cycle log no error-level line: kafkajs' retried requests ("The coordinator is
 * loading", CONCURRENT_TRANSACTIONS after commits) stay at debug. The run also moves the registry and Kafka
 * metrics that a healthy start must move.
 */
import {randomBytes} from 'node:crypto';
import {Registry} from 'prom-client';

import {runService} from '../../../src/app';
import {loadConfig, secretValues} from '../../../src/config';
import {createLogger, Metrics, Readiness} from '../../../src/observability';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {serviceEnv} from '../helpers/service-env';

describe('a healthy start and cycle', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 1,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 1,
        boards: 2,
        pins: 300,
      },
    });
  });
  afterAll(() => sandbox?.close());

  it('logs nothing at error level, while kafkajs lines go to debug', async () => {
    const prefix = `healthy_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_KAFKA__TRANSACTION_BATCH_SIZE: '20',
        PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
      }),
    });
    const lines: {level: string; msg: string; component?: string}[] = [];
    const logger = createLogger({
      level: 'debug',
      secrets: secretValues(config),
      destination: {write: (line) => void lines.push(JSON.parse(line) as {level: string; msg: string})},
    });
    const metrics = new Metrics({registry: new Registry(), version: 'test', defaultMetrics: false});
    const stop = new AbortController();
    let cycles = 0;
    await runService({
      config,
      logger,
      metrics,
      readiness: new Readiness(),
      version: 'test',
      signal: stop.signal,
      onCycle: () => {
        cycles += 1;
        if (cycles === 2) stop.abort();
      },
    });
    expect(cycles).toBe(2);

    const loud = lines.filter((l) => l.level === 'error' || l.level === 'fatal');
    if (loud.length > 0) console.log(loud);
    expect(loud).toEqual([]);
    const kafkajs = lines.filter((l) => l.component === 'kafkajs');
    expect(kafkajs.every((l) => l.level === 'debug')).toBe(true);
    const warnings = lines.filter((l) => l.level === 'warn');
    console.log(
      `healthy start + 2 cycles: ${lines.length} lines, ${kafkajs.length} from kafkajs (debug), ` +
        `${warnings.length} warnings${warnings.length > 0 ? `: ${warnings.map((w) => w.msg).join(' | ')}` : ''}`
    );

    const registry = await metrics.registry.getSingleMetricAsString(
      'pinterest_cdc_schema_registry_requests_total'
    );
    // 6 entity and 2 analytics collections (the defaults), a key and a value subject each.
    expect(registry).toContain('operation="register",outcome="success"} 16');
    expect(
      await metrics.registry.getSingleMetricAsString('pinterest_cdc_kafka_messages_produced_total')
    ).toMatch(new RegExp(`topic="${prefix}\\.pins"\\} \\d+`));
  }, 180_000);
});
