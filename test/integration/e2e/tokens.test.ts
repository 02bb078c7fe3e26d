/**
 * Safe operation around OAuth tokens, on the real stack and the sandbox (issue 10):
 * - `check` beside a live `run` fences nothing, writes nothing to the state or event topics, and the run still
 *   delivers new changes after check refreshed the token and after a token revocation;
 * - `check` on a fresh deployment creates no topic, registers no schema and rotates nothing;
 * - a damaged token reply after Pinterest rotated the token: the service keeps the token the body still carried
 *   and recovers; a truly refused token is reported once (log, readiness, metric), the service stays up and picks
 *   up a token put in the store; a wrong client secret is reported as invalid client;
 * - no token in the raw bytes of any topic (encrypted token topic; the old clear record in the state topic is
 *   tombstoned and its token retired); no secret in any log line, error or metric.
 */
import {randomBytes} from 'node:crypto';
import {Readable} from 'node:stream';
import {Registry} from 'prom-client';

import {runService} from '../../../src/app';
import {main, type CliIo} from '../../../src/cli';
import {loadConfig, type AppConfig} from '../../../src/config';
import {createKafkaConnection} from '../../../src/kafka';
import {createLogger, Metrics, Readiness} from '../../../src/observability';
import {tokenTopic} from '../../../src/app';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {refreshTokenMessage, StoredRefreshToken} from '../../../src/state';
import type {CycleSummary} from '../../../src/sync';
import {readCommitted} from '../helpers/committed-events';
import {serviceEnv} from '../helpers/service-env';
import {rawKafka, readAll, settledOffsets} from '../kafka/helpers';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

// Above the sum of the bounded steps of the longest test: a step that runs out says which, with the service log.
jest.setTimeout(420_000);
const STEP_MS = 120_000;

const TOKEN_KEY = randomBytes(32).toString('base64');
// Tokens the sandbox mints: `pinr.` / `pina.` and 48 hex digits.
const MINTED = /pin[ar]\.[0-9a-f]{48}/;
const COLLECTIONS = 'ad_accounts,campaigns';

/** Every log line, check output and metrics page of the run: scanned for secrets at the end. */
const transcript: string[] = [];

/** A sandbox per test: each starts from a known, unused refresh token. Their secrets are scanned at the end. */
let sandbox: RunningSandbox;
const secrets: string[] = [];
beforeEach(async () => {
  sandbox = await startSandbox({
    scale: {
      adAccounts: 1,
      campaignsPerAccount: 2,
      adGroupsPerCampaign: 1,
      adsPerAdGroup: 1,
      boards: 1,
      pins: 2,
    },
    clientSecret: `secret-${randomBytes(8).toString('hex')}`,
    refreshToken: `pinr.initial-${randomBytes(12).toString('hex')}`,
  });
  const {clientId, clientSecret, refreshToken} = sandbox.credentials;
  secrets.push(clientSecret, refreshToken, Buffer.from(`${clientId}:${clientSecret}`).toString('base64'));
});
afterEach(() => sandbox?.close());

function env(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return serviceEnv(sandbox, prefix, {
    PINTEREST_CDC_TOKEN_KEY: TOKEN_KEY,
    PINTEREST_CDC_SYNC__COLLECTIONS: COLLECTIONS,
    PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
    PINTEREST_CDC_SYNC__INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'debug',
    ...extra,
  });
}

const freshPrefix = (label: string) => `tok_${label}_${randomBytes(4).toString('hex')}`;

/** The last log lines (pino JSON, kafkajs' debug left out) as `time level message`, for a failure message. */
function logTail(lines: readonly string[], count = 40): string {
  const shown = lines
    .map((l) => {
      try {
        const {time, level, msg, component, ...rest} = JSON.parse(l) as Record<string, unknown>;
        if (component === 'kafkajs' && level === 'debug') return undefined;
        return `${String(time).slice(11, 23)} ${String(level)} ${String(msg)} ${JSON.stringify(rest).slice(0, 200)}`;
      } catch {
        return l.trimEnd();
      }
    })
    .filter((l): l is string => l !== undefined);
  return `\nlast log lines:\n${shown.slice(-count).join('\n')}`;
}

/** The CLI in process: exit code and stdout; its log lines go to the transcript. Bounded by STEP_MS. */
async function cli(args: string[], environment: Record<string, string>, stdin?: string) {
  const out: string[] = [];
  const logged: string[] = [];
  const io: CliIo = {
    stdout: {write: (s: string) => out.push(s)},
    stderr: {
      write: (s: string) => {
        transcript.push(s);
        logged.push(s);
      },
    },
    env: environment,
    ...(stdin === undefined ? {} : {stdin: Readable.from([`${stdin}\n`])}),
  };
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    main(['node', 'pinterest-cdc', ...args], io),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`\`${args.join(' ')}\` did not end within ${STEP_MS} ms${logTail(logged)}`)),
        STEP_MS
      );
    }),
  ]).finally(() => clearTimeout(timer));
  process.exitCode = undefined;
  transcript.push(out.join(''));
  return {code, out: out.join('')};
}

/** A running service whose cycles the test releases one at a time (`tick`). */
function startService(config: AppConfig) {
  const lines: string[] = [];
  // No secret censor on purpose: what reaches this logger must already be free of secrets.
  const logger = createLogger({level: 'debug', destination: {write: (l) => lines.push(l)}});
  const metrics = new Metrics({registry: new Registry(), version: 'test', defaultMetrics: false});
  const readiness = new Readiness();
  const stop = new AbortController();
  const summaries: CycleSummary[] = [];
  // Cycles run one at a time, when the test asks: a sleep of the service waits unless a cycle is wanted. The
  // service's clock moves only when it sleeps, so a cycle slower than the interval (a loaded machine) does not make
  // the next one due before the test releases it.
  let wanted = 1;
  let waiting: (() => void)[] = [];
  let clock = Date.now();
  const outcome = runService({
    config,
    logger,
    metrics,
    readiness,
    version: 'test',
    signal: stop.signal,
    onCycle: (summary) => summaries.push(summary),
    now: () => clock,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const go = () => {
          clock += ms;
          setTimeout(resolve, Math.min(ms, 1000));
        };
        if (summaries.length < wanted) go();
        else waiting.push(go);
        signal.addEventListener('abort', () => resolve(), {once: true});
      }),
  }).then(
    () => 'stopped',
    (error: unknown) => error
  );
  return {
    lines,
    metrics,
    readiness,
    summaries,
    /** The cycles that delivered everything (no listing failed). */
    get cycles(): CycleSummary[] {
      return summaries.filter((s) => s.failed.length === 0 && s.fatal === undefined);
    },
    outcome,
    /** Waits until `n` cycles (failed ones too) have ended. */
    async ended(n: number, timeoutMs = STEP_MS) {
      await waitFor(
        () => summaries.length >= n,
        timeoutMs,
        `${n} cycles`,
        () => logTail(lines)
      );
    },
    /** Runs the next cycle and waits for its end. */
    async cycle() {
      wanted = summaries.length + 1;
      const go = waiting;
      waiting = [];
      for (const run of go) run();
      await this.ended(wanted);
    },
    async stop() {
      stop.abort();
      await outcome;
      transcript.push(...lines, await metrics.registry.metrics());
    },
  };
}

async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
  log: () => string = () => ''
) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function gauge(metrics: Metrics, name: string): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values[0]?.value;
}

const refreshes = () => sandbox.control.stats().tokenRefreshes;

async function campaignIds(prefix: string): Promise<string[]> {
  const events = await readCommitted({
    brokers: kafkaBrokers(),
    registryUrl: schemaRegistryUrl(),
    topics: [`${prefix}.campaigns`],
  });
  return events.filter((e) => e.value).map((e) => String((e.value as {after: {id: string}}).after.id));
}

async function prefixTopics(prefix: string): Promise<string[]> {
  const admin = rawKafka().admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  } finally {
    await admin.disconnect();
  }
}

/** Raw bytes (as text) of every record of the topics, aborted transactions included. */
async function rawText(topics: string[]): Promise<string> {
  const parts: string[] = [];
  for (const topic of topics) {
    for (const r of await readAll(topic, {readUncommitted: true})) parts.push(r.key ?? '', r.value ?? '');
  }
  return parts.join('\n');
}

describe('tokens and check on the real stack', () => {
  it('check beside a live run fences nothing, writes only the token topic, and the run keeps delivering', async () => {
    const prefix = freshPrefix('live');
    const config = loadConfig({env: env(prefix)});
    const service = startService(config);
    try {
      await service.ended(1);
      expect(service.cycles).toHaveLength(1);
      // A fleet member cycles as soon as its first task is restored; the later tasks' claims still go to the state
      // topic: every task held first.
      for (const deadline = Date.now() + 60_000; ;) {
        const held = await gauge(service.metrics, 'pinterest_cdc_assigned_tasks');
        if (held !== undefined && held === (await gauge(service.metrics, 'pinterest_cdc_tasks'))) break;
        if (Date.now() > deadline) throw new Error('the service did not take every task');
        await new Promise((r) => setTimeout(r, 100));
      }
      const before = await settledOffsets(`${prefix}.state`);
      const eventsBefore = await settledOffsets(`${prefix}.campaigns`);
      const tokensBefore = await settledOffsets(tokenTopic(prefix));

      // Check after a revocation: its stored access token is refused, so it refreshes (Pinterest rotates).
      sandbox.control.setFaults({revokeTokens: true});
      const rotationsBefore = refreshes();
      const check = await cli(['check'], env(prefix));
      expect(check.out).toMatch(/^ok +pinterest +connection default: token accepted/m);
      expect(check.out).toMatch(
        /^ok +tokens +connection default: encrypted \(AES-256-GCM, key [0-9a-f]{16}\)/m
      );
      expect(check.code).toBe(0);
      expect(refreshes()).toBe(rotationsBefore + 1);
      // Nothing in the state or event topics; one record (the rotated tokens) in the token topic.
      expect(await settledOffsets(`${prefix}.state`)).toEqual(before);
      expect(await settledOffsets(`${prefix}.campaigns`)).toEqual(eventsBefore);
      expect((await settledOffsets(tokenTopic(prefix))).get(0)).toBe((tokensBefore.get(0) ?? 0n) + 1n);

      // The run's own access token is revoked and its refresh token retired by check's rotation: it must find
      // check's tokens in the store and go on delivering.
      const [created] = sandbox.control.applyChanges([
        {kind: 'create', collection: 'campaigns', count: 1},
      ]).applied;
      await service.cycle();
      expect(service.cycles).toHaveLength(2);
      expect(refreshes()).toBe(rotationsBefore + 1); // adopted check's access token, no rotation of its own
      expect(await campaignIds(prefix)).toContain(String(created!.key.id));

      // A revocation with nobody else around: the run refreshes itself and delivers.
      sandbox.control.setFaults({revokeTokens: true});
      const [second] = sandbox.control.applyChanges([
        {kind: 'create', collection: 'campaigns', count: 1},
      ]).applied;
      await service.cycle();
      expect(service.cycles).toHaveLength(3);
      expect(refreshes()).toBe(rotationsBefore + 2);
      expect(await campaignIds(prefix)).toContain(String(second!.key.id));

      expect(service.lines.join('')).not.toMatch(/refused the refresh token|re-authenticate|fenced/i);
      expect(await gauge(service.metrics, 'pinterest_cdc_oauth_reauthorization_required')).toBe(0);
      expect(service.readiness.check().ready).toBe(true);

      // A wrong client secret: check (made to refresh by a revocation) says invalid client, spends no token, and
      // the run is unaffected.
      sandbox.control.setFaults({revokeTokens: true});
      const wrong = await cli(['check'], env(prefix, {PINTEREST_CLIENT_SECRET: 'not-the-secret'}));
      expect(wrong.code).toBe(1);
      expect(wrong.out).toMatch(/^FAIL +pinterest +Pinterest refused the app credentials \(invalid client;/m);
      expect(wrong.out).toMatch(/PINTEREST_CLIENT_SECRET/);
      expect(wrong.out).not.toMatch(/refresh token \(invalid grant/);
      const [third] = sandbox.control.applyChanges([
        {kind: 'create', collection: 'campaigns', count: 1},
      ]).applied;
      await service.cycle();
      expect(await campaignIds(prefix)).toContain(String(third!.key.id));

      // No token in the raw bytes of any topic of the deployment.
      const raw = await rawText(await prefixTopics(prefix));
      expect(raw).not.toMatch(MINTED);
      expect(raw).not.toContain(sandbox.credentials.refreshToken);
    } finally {
      await service.stop();
    }
    expect(await service.outcome).toBe('stopped');
  });

  it('check on a fresh deployment creates no topic, registers no schema and rotates nothing', async () => {
    const prefix = freshPrefix('fresh');
    const rotationsBefore = refreshes();
    const check = await cli(['check'], env(prefix));
    expect(check.code).toBe(0);
    // 2 entity collections, analytics off (`[]`): their topics, state, dead letters and tokens.
    expect(check.out).toMatch(/^ok +config +2 collections/m);
    expect(check.out).toMatch(/^ok +kafka +0 of 5 topics exist; run creates /m);
    expect(check.out).toMatch(/^ok +registry +0 of 4 subjects registered as they are; 4 not registered yet/m);
    expect(check.out).toMatch(/^skip +state +/m);
    expect(check.out).toMatch(/^skip +tokens +the Kafka topic .*\.tokens does not exist yet/m);
    expect(check.out).toMatch(
      /^skip +pinterest +connection default: not tried: without the token store a refresh would lose/m
    );
    expect(await prefixTopics(prefix)).toEqual([]);
    const subjects = (await (await fetch(`${schemaRegistryUrl()}/subjects`)).json()) as string[];
    expect(subjects.filter((s) => s.startsWith(`${prefix}.`))).toEqual([]);
    expect(refreshes()).toBe(rotationsBefore);
  });

  it('a damaged token reply after rotation: the service keeps the token it carried and recovers', async () => {
    const prefix = freshPrefix('damaged');
    const config = loadConfig({env: env(prefix)});
    // The sandbox rotates, then damages the body: half of it and garbage, or half of it and a reset connection.
    sandbox.control.setFaults({malformedRate: 1, pathPattern: '^/v5/oauth/token$'});
    const retiredBefore = sandbox.control.tokens().refreshTokens.retired;
    const service = startService(config);
    try {
      await service.ended(1);
      expect(service.cycles).toHaveLength(0); // three damaged replies in a row: a transient failure
      // Every damaged reply held the rotated token, which was kept: at least one round of three.
      expect(sandbox.control.tokens().refreshTokens.retired).toBeGreaterThanOrEqual(retiredBefore + 3);
      sandbox.control.clearFaults();
      await service.cycle();
      expect(service.cycles).toHaveLength(1);
      expect(service.cycles[0]!.listings.find((l) => l.collection === 'campaigns')?.outcome).toBe('complete');

      sandbox.control.setFaults({truncatedRate: 1, pathPattern: '^/v5/oauth/token$', revokeTokens: true});
      await service.cycle();
      expect(service.cycles).toHaveLength(1);
      sandbox.control.clearFaults();
      const [created] = sandbox.control.applyChanges([
        {kind: 'create', collection: 'campaigns', count: 1},
      ]).applied;
      await service.cycle();
      expect(service.cycles).toHaveLength(2);
      expect(await campaignIds(prefix)).toContain(String(created!.key.id));
      const log = service.lines.join('');
      expect(log).toMatch(/damaged body that still held the rotated refresh token/);
      expect(log).not.toMatch(/refused the refresh token/);
      expect(await gauge(service.metrics, 'pinterest_cdc_oauth_reauthorization_required')).toBe(0);
    } finally {
      sandbox.control.clearFaults();
      await service.stop();
    }
  });

  it('a refused refresh token is said once; the service stays up, not ready, and takes a token put in the store', async () => {
    const prefix = freshPrefix('reauth');
    const config = loadConfig({env: env(prefix, {PINTEREST_REFRESH_TOKEN: 'pinr.long-retired-token'})});
    const service = startService(config);
    try {
      await service.ended(1);
      await service.cycle();
      await service.cycle();
      expect(service.cycles).toHaveLength(0);
      const errors = service.lines.filter((l) => {
        const line = JSON.parse(l) as {level: string; msg?: string};
        return line.level === 'error' && /pinterest|token/i.test(line.msg ?? '');
      });
      expect(errors).toHaveLength(1);
      expect(JSON.parse(errors[0]!).msg).toMatch(
        /refused the refresh token \(invalid grant; .*re-authenticate: authorise the app again/
      );
      expect(await gauge(service.metrics, 'pinterest_cdc_oauth_reauthorization_required')).toBe(1);
      const readiness = service.readiness.check();
      expect(readiness.ready).toBe(false);
      expect(readiness.reasons.join(' ')).toMatch(/^pinterest: Pinterest refused the refresh token/);

      // The user re-authorised the app and stores the new token (here: the sandbox's unused initial one).
      const set = await cli(['token', 'set', '--stdin'], env(prefix), sandbox.credentials.refreshToken);
      expect(set.code).toBe(0);
      expect(set.out).toMatch(
        /^stored a refresh token for connection default in the Kafka topic .*\.tokens, encrypted \(AES-256-GCM/
      );
      await new Promise((r) => setTimeout(r, 31_000)); // the recheck interval while blocked
      await service.cycle();
      expect(service.cycles).toHaveLength(1);
      expect(await gauge(service.metrics, 'pinterest_cdc_oauth_reauthorization_required')).toBe(0);
      expect(service.readiness.check().ready).toBe(true);
    } finally {
      await service.stop();
    }
    expect(await service.outcome).toBe('stopped');
  });

  it('moves a token an older version kept in clear in the state topic, tombstones it and retires it', async () => {
    const prefix = freshPrefix('legacy');
    const kafka = createKafkaConnection(
      {brokers: kafkaBrokers(), clientId: 'test', logLevel: 'nothing'},
      {
        logger: {debug() {}, info() {}, warn() {}, error() {}},
      }
    );
    const legacyToken = sandbox.credentials.refreshToken;
    try {
      const admin = kafka.topicAdmin();
      await admin.ensureTopics([
        {name: `${prefix}.state`, partitions: 3, replicationFactor: -1, cleanupPolicy: 'compact'},
      ]);
      await admin.close();
      const legacy = refreshTokenMessage('default', new StoredRefreshToken(legacyToken));
      await kafka.recordWriter().write([{topic: `${prefix}.state`, key: legacy.key, value: legacy.value}]);
    } finally {
      await kafka.close();
    }
    const sync = await cli(
      ['sync', '--once'],
      env(prefix, {PINTEREST_REFRESH_TOKEN: 'pinr.configured-but-old'})
    );
    expect(sync.code).toBe(0);
    // Rotated at once: the copy left in the state topic's log (until compaction) is worthless now.
    expect(sandbox.control.tokens().refreshTokens.retired).toBeGreaterThanOrEqual(1);
    expect(sandbox.control.tokens().refreshTokens.current).not.toBe(legacyToken);
    const refused = await fetch(`${sandbox.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${sandbox.credentials.clientId}:${sandbox.credentials.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({grant_type: 'refresh_token', refresh_token: legacyToken}).toString(),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const state = await readAll(`${prefix}.state`, {readUncommitted: true});
    const tokenRecords = state.filter((r) => r.key?.startsWith('\u0001\u0003'));
    expect(tokenRecords.at(-1)?.value).toBeNull(); // tombstoned
    const tokens = await rawText([tokenTopic(prefix)]);
    expect(tokens).not.toMatch(MINTED);
    expect(tokens).not.toContain(legacyToken);
    expect(
      JSON.parse((await readAll(tokenTopic(prefix), {readUncommitted: false})).at(-1)!.value!)
    ).toMatchObject({
      connection: 'default',
      protection: 'aes-256-gcm',
    });
  });

  it('no secret in any log line, check output or metrics page of the runs above', () => {
    const text = transcript.join('\n');
    expect(text.length).toBeGreaterThan(10_000);
    expect(text).not.toMatch(MINTED);
    expect(secrets.length).toBeGreaterThanOrEqual(15);
    for (const secret of [...secrets, TOKEN_KEY]) expect(text).not.toContain(secret);
  });
});
