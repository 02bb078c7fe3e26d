/**
 * No secret anywhere in a full run of the real service: `pinterest-cdc run` at debug level syncs every entity
 * collection and every analytics level (a backfill 95 days back: async reports), its access token expires mid-run
 * (refresh + refresh-token rotation), changes flow; then every log line it printed, its /metrics and /readyz pages,
 * and the raw bytes of every topic of the deployment (events, state changelog, dead letters and the token store
 * topic, aborted records included) are searched for the client secret, the token key, the initial refresh token
 * and any token the sandbox mints (`pina.`/`pinr.` + 48 hex). The token topic must hold a record (encrypted with
 * the token key), so its search is not vacuous.
 */
import {randomBytes} from 'node:crypto';

import {Kafka, logLevel} from 'kafkajs';

import {addDays, todayUtc} from '../../../src/pinterest/dates';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {cliChildEnv} from '../helpers/service-env';
import {ranEveryTask, startServiceProcess} from '../helpers/service-process';
import {readAll} from '../kafka/helpers';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';
import {reportTries} from './size';

jest.setTimeout(300_000);

describe('secrets in a full run (reliability)', () => {
  let sandbox: RunningSandbox;
  const prefix = `rsec${randomBytes(4).toString('hex')}`;
  const clientSecret = `secret-${randomBytes(10).toString('hex')}`;
  const refreshToken = `pinr.${randomBytes(24).toString('hex')}`;
  const tokenKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    sandbox = await startSandbox({
      seed: 17,
      scale: {
        adAccounts: 1,
        campaignsPerAccount: 2,
        adGroupsPerCampaign: 1,
        adsPerAdGroup: 4,
        boards: 1,
        pins: 30,
      },
      clientSecret,
      refreshToken,
      accessTokenTtlSeconds: 60,
      reportPollsUntilFinished: 1,
    });
  });
  afterAll(() => sandbox?.close());

  test('no log line, metric, readiness answer or topic byte holds a secret or a token', async () => {
    const service = startServiceProcess(
      cliChildEnv(sandbox, prefix, {
        KAFKA_BROKERS: kafkaBrokers().join(','),
        SCHEMA_REGISTRY_URL: schemaRegistryUrl(),
        LOG_LEVEL: 'debug',
        PINTEREST_CDC_TOKEN_KEY: tokenKey,
        PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
        PINTEREST_CDC_ANALYTICS__COLLECTIONS:
          'ad_account_analytics,campaign_analytics,ad_group_analytics,ad_analytics',
        PINTEREST_CDC_ANALYTICS__INTERVAL_SECONDS: '1',
        PINTEREST_CDC_ANALYTICS__START_DATE: addDays(todayUtc(Date.now()), -95),
      })
    );
    try {
      const clean = (kind: string, from = 0) =>
        service.waitForLog(
          (l) =>
            l.msg === 'Sync cycle finished' &&
            (l.kinds as string[]).includes(kind) &&
            Number(l.failed) === 0 &&
            ranEveryTask(l),
          120_000,
          from
        );
      await clean('entities');
      await clean('analytics');
      // The access token expires; changes and restatements flow through the refreshed (and rotated) tokens.
      sandbox.control.advanceClock(120);
      const adAccountId = String(sandbox.control.truth('ad_accounts').items[0]!.id);
      sandbox.control.applyChanges([
        {kind: 'create', collection: 'pins', count: 3},
        {kind: 'update', collection: 'campaigns', count: 1},
        {kind: 'restate', collection: 'ad_analytics', adAccountId, days: 10, count: 3},
      ]);
      const from = service.logs().length;
      await service.waitForLog((l) => l.msg === 'refreshed the Pinterest access token', 60_000, from);
      await clean('entities', from);
      await clean('analytics', from);
      const metrics = await service.metrics();
      const readyz = await service.readyz();
      expect(readyz?.status).toBe(200);
      service.kill('SIGTERM');
      expect((await service.exited).code).toBe(0);

      const admin = new Kafka({brokers: kafkaBrokers(), logLevel: logLevel.NOTHING}).admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`)).sort();
      await admin.disconnect();
      expect(topics).toEqual(
        expect.arrayContaining([`${prefix}.tokens`, `${prefix}.state`, `${prefix}.ad_analytics`])
      );
      const raw: string[] = [];
      let tokenRecords = 0;
      for (const topic of topics) {
        const records = await readAll(topic, {readUncommitted: true});
        if (topic === `${prefix}.tokens`) tokenRecords = records.filter((r) => r.value !== null).length;
        for (const r of records) raw.push(`${topic} ${r.key ?? ''} ${r.value ?? ''}`);
      }
      expect(tokenRecords).toBeGreaterThan(0);
      expect(sandbox.control.tokens().refreshTokens.retired).toBeGreaterThan(0);

      const haystacks: Record<string, string> = {
        logs: service.output(),
        metrics,
        readyz: readyz?.body ?? '',
        topics: raw.join('\n'),
      };
      const current = sandbox.control.tokens().refreshTokens.current;
      const found: string[] = [];
      for (const [where, text] of Object.entries(haystacks)) {
        for (const secret of [clientSecret, refreshToken, current, tokenKey]) {
          if (text.includes(secret)) found.push(`${where}: ${secret.slice(0, 6)}...`);
        }
        for (const pattern of [/pina\.[0-9a-f]{48}/, /pinr\.[0-9a-f]{48}/]) {
          if (pattern.test(text)) found.push(`${where}: ${pattern.source}`);
        }
      }
      expect(found).toEqual([]);
      const lines = service.logs().length;
      reportTries(
        'secrets in a full run',
        1,
        `${lines} log lines, ${metrics.split('\n').length} metric lines, ${raw.length} raw records of ${topics.length} topics searched; found 0`
      );
    } finally {
      service.kill('SIGKILL');
    }
  });
});
