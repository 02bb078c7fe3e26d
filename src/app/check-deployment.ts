/**
 * `check`, read-only towards a running deployment: it reads the topics, the registry and the token store, and makes
 * one Pinterest call, but it creates no topic, registers no schema, writes nothing to the state or event topics
 * and opens no transactional producer (so it fences nobody). The only thing it may write is the token topic, and
 * only the way every process of the deployment does: when it had to refresh, it saves the rotated tokens there
 * first, so a running service finds them when its own token is refused.
 */
import {CollectionRegistry} from '../collections';
import {configuredCollections, type AppConfig} from '../config';
import {connectionsOf, type Connection} from '../config/connections';
import {createKafkaConnection, type DescribeTopicsReport, type KafkaConnection} from '../kafka';
import {PinterestClient, type TokenRecordStore} from '../pinterest';
import {checkSubjects, SchemaCatalog, subjectsOf, verifyRegistryAccess} from '../serde';
import {applyChangelogRecord, StateStore} from '../state';
import type {SyncLogger} from '../sync';
import {kafkaConnectionConfig, pinterestClientConfig} from './clients';
import {pipelineTopics, syncTopics} from './pipeline';
import {
  DEFAULT_CONNECTION,
  describeProtection,
  openTokenStore,
  sameProtection,
  tokenCodec,
  tokenLocation,
  tokenTopic,
} from './token-storage';

export type StepStatus = 'ok' | 'FAIL' | 'skip';

export interface CheckStep {
  step: 'kafka' | 'registry' | 'state' | 'tokens' | 'pinterest';
  status: StepStatus;
  detail: string;
}

export interface CheckDeps {
  logger: SyncLogger;
  /** Called as each step ends (the command prints a line per step). */
  report(step: CheckStep): void;
}

/** Runs every step it can; true when none failed. */
export async function checkDeployment(config: AppConfig, deps: CheckDeps): Promise<boolean> {
  let failed = false;
  const report = (step: CheckStep) => {
    if (step.status === 'FAIL') failed = true;
    deps.report(step);
  };
  const kafka = createKafkaConnection(kafkaConnectionConfig(config), {logger: deps.logger});
  try {
    const topics = await attempt('kafka', report, () => describeTopics(config, kafka));
    if (topics) report(kafkaStep(config, topics));
    await attempt('registry', report, async () => report(await registryStep(config)));
    const exists = (topic: string) => topics?.existing.includes(topic) ?? false;
    const state = syncTopics(config.kafka.topicPrefix).state;
    const legacyToken = exists(state)
      ? await attempt('state', report, () => stateStep(kafka, state, report))
      : skipped(
          'state',
          report,
          topics ? `${state} does not exist yet (run creates it)` : 'Kafka unreachable'
        );
    // Each connection: its own token record, and one API call with it.
    for (const connection of connectionsOf(config)) {
      const store = await attempt('tokens', report, () =>
        tokensStep(
          config,
          kafka,
          connection.name,
          topics,
          exists(tokenTopic(config.kafka.topicPrefix)),
          report
        )
      );
      if (!store) {
        skipped(
          'pinterest',
          report,
          `connection ${connection.name}: not tried: without the token store a refresh would lose the rotated token`
        );
      } else if (legacyToken && connection.name === DEFAULT_CONNECTION && !(await store.inspect())) {
        skipped(
          'pinterest',
          report,
          'not tried: the running version keeps the refresh token in the state topic; a refresh here would rotate ' +
            'it where that service cannot see it (upgrade it first: it moves the token to the token store)'
        );
      } else {
        await attempt('pinterest', report, async () =>
          report(await pinterestStep(config, connection, store, deps.logger))
        );
      }
    }
  } finally {
    await kafka.close();
  }
  return !failed;
}

/** Runs one step's work; a throw becomes that step's FAIL line. */
async function attempt<T>(
  step: CheckStep['step'],
  report: (step: CheckStep) => void,
  work: () => Promise<T>
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    report({step, status: 'FAIL', detail: error instanceof Error ? error.message : String(error)});
    return undefined;
  }
}

function skipped(step: CheckStep['step'], report: (step: CheckStep) => void, detail: string): undefined {
  report({step, status: 'skip', detail});
  return undefined;
}

async function describeTopics(config: AppConfig, kafka: KafkaConnection): Promise<DescribeTopicsReport> {
  // Refused credentials or certificates: one line naming the setting (KafkaAccessError).
  await kafka.verifyAccess();
  const admin = kafka.topicAdmin();
  try {
    return await admin.describeTopics(pipelineTopics(config));
  } finally {
    await admin.close();
  }
}

/** Missing topics are fine (run creates them); a state or token topic that is not compacted loses data: FAIL. */
function kafkaStep(config: AppConfig, report: DescribeTopicsReport): CheckStep {
  const mustCompact = new Set([
    syncTopics(config.kafka.topicPrefix).state,
    tokenTopic(config.kafka.topicPrefix),
  ]);
  const fatal = report.mismatches.filter((m) => mustCompact.has(m.topic) && m.setting === 'cleanup.policy');
  const describe = (m: (typeof report.mismatches)[number]) =>
    `${m.topic} ${m.setting} ${m.actual} (expected ${m.expected})`;
  if (fatal.length > 0) {
    return {step: 'kafka', status: 'FAIL', detail: `${fatal.map(describe).join('; ')}: must be compacted`};
  }
  const total = report.existing.length + report.missing.length;
  const parts = [`${report.existing.length} of ${total} topics exist`];
  if (report.missing.length > 0) parts.push(`run creates ${report.missing.join(', ')}`);
  const others = report.mismatches.filter((m) => !fatal.includes(m));
  if (others.length > 0)
    parts.push(`differ from the configuration (left as they are): ${others.map(describe).join('; ')}`);
  return {step: 'kafka', status: 'ok', detail: parts.join('; ')};
}

async function registryStep(config: AppConfig): Promise<CheckStep> {
  const registry = new CollectionRegistry();
  const catalog = new SchemaCatalog({
    collections: configuredCollections(config).map((name) => registry.get(name)),
  });
  const subjects = catalog.all().flatMap((schemas) => subjectsOf(config.kafka.topicPrefix, schemas));
  await verifyRegistryAccess(config.schemaRegistry);
  const checks = await checkSubjects(config.schemaRegistry, subjects);
  const incompatible = checks.filter((c) => c.state === 'incompatible');
  if (incompatible.length > 0) {
    const detail = incompatible
      .map((c) => `${c.subject}: ${c.reasons?.join('; ') || 'incompatible'}`)
      .join(' | ');
    return {step: 'registry', status: 'FAIL', detail: `incompatible with the registered schema: ${detail}`};
  }
  const count = (state: string) => checks.filter((c) => c.state === state).length;
  const parts = [`${count('registered')} of ${checks.length} subjects registered as they are`];
  if (count('compatible') > 0)
    parts.push(`${count('compatible')} compatible new versions (run registers them)`);
  if (count('missing') > 0) parts.push(`${count('missing')} not registered yet (run registers them)`);
  return {step: 'registry', status: 'ok', detail: parts.join('; ')};
}

/** Restores the state as `run` would, read-only; returns whether an old-format token record is in it. */
async function stateStep(
  kafka: KafkaConnection,
  topic: string,
  report: (step: CheckStep) => void
): Promise<boolean> {
  const state = new StateStore();
  let records = 0;
  for await (const record of kafka.changelogReader({groupIdPrefix: 'pinterest-cdc.check'}).readToEnd(topic)) {
    applyChangelogRecord(state, record.key, record.value);
    records += 1;
  }
  const shards = state.all();
  const tracked = shards.reduce((n, s) => n + s.size, 0);
  const legacy = state.legacyRefreshTokens.size > 0;
  report({
    step: 'state',
    status: 'ok',
    detail:
      `restored ${tracked} tracked records in ${shards.length} shards (${records} changelog records)` +
      (legacy ? '; holds a refresh token in clear (the next run moves it to the token store)' : ''),
  });
  return legacy;
}

/** The token store, when it can be used without creating anything; says what it holds and how it is protected. */
async function tokensStep(
  config: AppConfig,
  kafka: KafkaConnection,
  connection: string,
  topics: DescribeTopicsReport | undefined,
  topicExists: boolean,
  report: (step: CheckStep) => void
): Promise<TokenRecordStore | undefined> {
  if (config.pinterest.tokenStore === 'kafka' && !topicExists) {
    return skipped(
      'tokens',
      report,
      topics ? `${tokenLocation(config)} does not exist yet (run creates it)` : 'Kafka unreachable'
    );
  }
  const store = openTokenStore(config, kafka, connection);
  const record = await store.inspect();
  const clearNote =
    config.pinterest.tokenKey === undefined ? ' (set PINTEREST_CDC_TOKEN_KEY to encrypt it)' : '';
  if (!record) {
    report({
      step: 'tokens',
      status: 'ok',
      detail: `no token stored yet for connection ${connection} in ${tokenLocation(config)}`,
    });
    return store;
  }
  const protection = `${describeProtection(record.protection)}${record.protection.encrypted ? '' : clearNote}`;
  const rewrite = sameProtection(record.protection, tokenCodec(config).target)
    ? ''
    : '; the next run rewrites it with the configured protection';
  const access = record.tokens.accessTokenExpiresAt
    ? `; access token valid until ${record.tokens.accessTokenExpiresAt}`
    : '';
  const refresh = record.tokens.refreshTokenExpiresAt
    ? `; refresh token until ${record.tokens.refreshTokenExpiresAt}`
    : '';
  report({
    step: 'tokens',
    status: 'ok',
    detail: `connection ${connection}: ${protection}${rewrite}${access}${refresh}`,
  });
  return store;
}

/** One API call through the shared store: uses the stored access token when it is good, refreshes otherwise. */
async function pinterestStep(
  config: AppConfig,
  connection: Connection,
  store: TokenRecordStore,
  logger: SyncLogger
): Promise<CheckStep> {
  const client = new PinterestClient({
    config: pinterestClientConfig(config, connection),
    tokenStore: store,
    logger,
  });
  const accounts = await client.get<{items?: unknown[]}>({
    path: '/ad_accounts',
    query: {page_size: 25},
    category: 'ads_read',
  });
  return {
    step: 'pinterest',
    status: 'ok',
    detail: `connection ${connection.name}: token accepted; ${accounts.items?.length ?? 0} ad account(s) on the first page`,
  };
}
