/**
 * Bad input loses nothing and secrets leak nowhere: a record the schema cannot hold goes to `<prefix>.dlq` with
 * its raw JSON and the error, is counted, and the sync goes on; the client secret and the tokens appear in no
 * log line, event, dead letter or metric.
 */
import {randomBytes} from 'node:crypto';
import {Registry} from 'prom-client';

import {openPipeline} from '../../../src/app';
import {loadConfig, secretValues} from '../../../src/config';
import {createLogger, Metrics} from '../../../src/observability';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {readCommitted} from '../helpers/committed-events';
import {readDeadLetters} from '../helpers/dead-letters';
import {serviceEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

describe('dead letters and secrets', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 1,
        campaignsPerAccount: 4,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 1,
        boards: 1,
        pins: 5,
      },
      clientSecret: `secret-${randomBytes(8).toString('hex')}`,
      refreshToken: `pinr.${randomBytes(12).toString('hex')}`,
      accessTokenTtlSeconds: 60,
    });
  });
  afterAll(() => sandbox?.close());

  it('dead-letters a record that does not fit its schema, with raw JSON, and keeps going', async () => {
    const prefix = `dlq_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {LOG_LEVEL: 'debug'}),
    });
    const secrets = [sandbox.credentials.clientSecret, sandbox.credentials.refreshToken];
    expect(secretValues(config)).toEqual(expect.arrayContaining(secrets));
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      secrets: secretValues(config),
      destination: {write: (l) => lines.push(l)},
    });
    const metrics = new Metrics({registry: new Registry(), version: 'test', defaultMetrics: false});

    const [bad, keyless] = sandbox.control.applyChanges([
      {kind: 'update', collection: 'campaigns', count: 1, set: {daily_spend_cap: 'twelve dollars'}},
      // A record without a usable key cannot enter the state at all: dead-lettered by the listing itself.
      {kind: 'update', collection: 'pins', count: 1, set: {id: null}},
    ]).applied;
    const pipeline = await openPipeline(config, {logger, metrics, version: 'test'});
    // Expire the access token mid-run so a refresh (and a rotation) happens while we log at debug.
    sandbox.control.advanceClock(120);
    const summary = await pipeline.runCycle().finally(() => pipeline.close());

    const campaigns = summary.listings.find((l) => l.collection === 'campaigns')!;
    expect(campaigns).toMatchObject({outcome: 'complete', fetched: 4, deadLetters: 1, events: {r: 3}});
    const counted = await metrics.registry.getSingleMetricAsString('pinterest_cdc_dead_letters_total');
    expect(counted).toContain('collection="campaigns",reason="encode"} 1');
    expect(
      await metrics.registry.getSingleMetricAsString('pinterest_cdc_avro_encode_errors_total')
    ).toContain('collection="campaigns"} 1');
    expect(summary.listings.find((l) => l.collection === 'pins')).toMatchObject({
      outcome: 'complete',
      fetched: 5,
      deadLetters: 1,
      events: {r: 4},
    });
    expect(counted).toContain('collection="pins",reason="key"} 1');

    // A plain read_committed consumer: a dead letter of a keyless record has no Kafka key either.
    const deadLetters = await readDeadLetters(prefix);
    expect(deadLetters).toHaveLength(2);
    const keyDeadLetter = deadLetters.find((d) => d.collection === 'pins');
    expect(keyDeadLetter).toMatchObject({reason: 'key', key: null});
    expect(keyDeadLetter!.error.message).toMatch(/\bid\b/);
    expect(JSON.parse(keyDeadLetter!.raw_json)).toEqual(keyless!.after);
    deadLetters.sort((a) => (a.collection === 'campaigns' ? -1 : 1));
    expect(deadLetters[0]).toMatchObject({
      collection: 'campaigns',
      reason: 'encode',
      key: {id: String(bad!.key.id)},
    });
    expect(deadLetters[0]!.error.message).toMatch(/daily_spend_cap/);
    expect(JSON.parse(deadLetters[0]!.raw_json)).toEqual(bad!.after);

    // No secret anywhere: logs, events, dead letters, metrics.
    const events = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'].map((c) => `${prefix}.${c}`),
    });
    expect(events.length).toBeGreaterThan(10);
    const everything = [
      lines.join(''),
      JSON.stringify(events),
      JSON.stringify(deadLetters),
      await metrics.registry.metrics(),
    ].join('\n');
    expect(lines.some((l) => l.includes('refreshed the Pinterest access token'))).toBe(true);
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/pina\.[A-Za-z0-9]/); // no access token either
    expect(everything).not.toMatch(/pinr\.[0-9a-f]{48}/); // nor a rotated refresh token
  }, 120_000);
});
