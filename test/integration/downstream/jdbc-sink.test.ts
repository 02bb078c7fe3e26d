/**
 * Stock Debezium tooling reads the topics as they are (issue 14). A Kafka Connect 4.1.2 standalone worker with
 * the Debezium JDBC sink 3.6.0 and Apicurio's Avro converter 2.6.13, configured by examples/jdbc-sink/ as a user
 * copies it (no transform; the service keeps its default sync.keepImages), materialises every collection topic
 * into PostgreSQL 15. After the first snapshot, and again after creates, updates, archives and deletes, every
 * table must equal the sandbox's ground truth: the same keys, every field, deleted rows gone.
 *
 * Real parts only: the sandbox (driven through its HTTP control API), the service's pipeline (one cycle per
 * `sync --once`, in process as in e2e/entity-changes), the test stack's Kafka and Apicurio, and the worker and
 * PostgreSQL started by scripts/downstream (resolved from Maven Central and Debian on first use).
 */
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import type {Admin, Kafka} from 'kafkajs';

import {startDownstream, type RunningDownstream} from '../../../scripts/downstream';
import {openPipeline} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import type {CycleSummary} from '../../../src/sync';
import {
  startSandbox,
  TRUTH_COLUMNS,
  type AppliedChange,
  type RunningSandbox,
  type SandboxChange,
} from '../../../src/sandbox';
import {serviceEnv} from '../helpers/service-env';
import {testKafka} from '../setup/kafka-helpers';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';
import {analyticsRecord, type AnalyticsTruthItem} from './analytics-truth';
import {columnTypes, DOCUMENTED_TYPES, mergeTypeUses} from './column-types';
import {readTable, type Table} from './postgres-tables';
import {recordEnds, waitForSink} from './sink-progress';
import {
  compareWithTruth,
  formatComparisons,
  formatTable,
  type ApiRecord,
  type TableComparison,
} from './table-comparison';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTITY_COLLECTIONS = ['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards', 'pins'];
/** Every analytics level (the default turns on two), so every analytics table is compared. */
const ANALYTICS_COLLECTIONS = [
  'ad_account_analytics',
  'campaign_analytics',
  'ad_group_analytics',
  'ad_analytics',
];
// A short backfill keeps the tables small; every day of it is in the restatement window (analytics.restatementDays
// defaults to 30), so each sync re-reads them all and upserts what was restated.
const ANALYTICS_DAYS = 14;
const COLLECTIONS = [...ENTITY_COLLECTIONS, ...ANALYTICS_COLLECTIONS];
const SINK_TIMEOUT_MS = 120_000;

const STEP_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 300_000;

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

/** Fails with `what` when the promise has not settled in time (a hang then names its step). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
const say = (text: string) => process.stderr.write(`[downstream-test] ${text}\n`);

/** The key fields of a collection, from its key schema (they are also the table's primary key). */
function keyFields(collection: string): string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'avro', collection, 'key.avsc'), 'utf8')) as {
    fields: {name: string}[];
  };
  return schema.fields.map((f) => f.name);
}

describe('the Debezium JDBC sink materialises the topics into PostgreSQL', () => {
  const prefix = `ds_${randomBytes(4).toString('hex')}`;
  const topics = COLLECTIONS.map((c) => `${prefix}.${c}`);
  let sandbox: RunningSandbox;
  let downstream: RunningDownstream;
  let kafka: Kafka;
  let admin: Admin;
  let syncEndedAt = 0;
  let snapshotTables = new Map<string, Table>();
  const analyticsStart = isoDay(Date.now() - ANALYTICS_DAYS * DAY_MS);
  // The service reads up to today (UTC) at each sync; the truth is asked for the same days.
  const analyticsEnd = () => isoDay(Date.now());

  const env = () =>
    serviceEnv(sandbox, prefix, {
      PINTEREST_CDC_ANALYTICS__COLLECTIONS: ANALYTICS_COLLECTIONS.join(','),
      PINTEREST_CDC_ANALYTICS__START_DATE: analyticsStart,
    });

  async function control<T>(route: string, body?: unknown): Promise<T> {
    const res = await fetch(`${sandbox.controlUrl}/${route}`, {
      signal: AbortSignal.timeout(30_000),
      method: body === undefined ? 'GET' : 'POST',
      headers: {'content-type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox ${route}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  const entityTruth = async (collection: string) =>
    (await control<{items: ApiRecord[]}>(`truth/${collection}`)).items;

  /** The rows a table should hold: an entity collection's records, or an analytics collection's rows of every account. */
  async function truthOf(collection: string): Promise<ApiRecord[]> {
    if (!ANALYTICS_COLLECTIONS.includes(collection)) return entityTruth(collection);
    const {analytics} = loadConfig({env: env()});
    const query = new URLSearchParams({
      start_date: analyticsStart,
      end_date: analyticsEnd(),
      columns: analytics.columns.join(','),
    });
    const out: ApiRecord[] = [];
    for (const account of await entityTruth('ad_accounts')) {
      query.set('ad_account_id', String(account.id));
      const {items} = await control<{items: AnalyticsTruthItem[]}>(`truth/${collection}?${query.toString()}`);
      out.push(...items.map((item) => analyticsRecord(item, analytics)));
    }
    return out;
  }

  /** One cycle in a fresh pipeline, as `sync --once` runs it. */
  async function syncOnce() {
    const started = Date.now();
    const config = loadConfig({env: env()});
    const pipeline = await openPipeline(config, {logger: silent, version: 'test'});
    try {
      // Entity listings and analytics windows, as `sync --once` runs them when analytics collections are set.
      const result = await within(
        STEP_TIMEOUT_MS,
        'sync',
        pipeline.runCycle({kinds: ['entities', 'analytics']})
      );
      expect({skipped: result.skipped, failed: result.failed, fatal: result.fatal}).toEqual({
        skipped: [],
        failed: [],
        fatal: undefined,
      });
      syncEndedAt = Date.now();
      say(`sync ${result.syncId}: ${syncEndedAt - started} ms`);
      return result;
    } finally {
      await pipeline.close();
    }
  }

  async function waitForTables(label: string): Promise<void> {
    const ends = await within(
      STEP_TIMEOUT_MS,
      'reading the topics back (read_committed) for their last records',
      recordEnds({brokers: kafkaBrokers(), registryUrl: schemaRegistryUrl(), topics})
    );
    const ms = await waitForSink({
      admin,
      groupId: downstream.connect.consumerGroup,
      ends,
      status: () => downstream.connect.status(),
      timeoutMs: SINK_TIMEOUT_MS,
    });
    say(
      `${label}: the sink committed every record ${Date.now() - syncEndedAt} ms after the sync ended (${ms} ms waited)`
    );
  }

  const tableOf = async (collection: string): Promise<Table> => {
    const name = `${prefix}_${collection}`;
    const table = await readTable(downstream.postgres.query, name);
    if (!table) throw new Error(`the sink created no table ${name}`);
    return table;
  };

  /** Every table against the truth; prints the comparison; expects no difference at all. */
  async function compareAll(title: string): Promise<Map<string, Table>> {
    const tables = new Map<string, Table>();
    const comparisons: TableComparison[] = [];
    for (const collection of COLLECTIONS) {
      const table = await tableOf(collection);
      tables.set(collection, table);
      comparisons.push(compareWithTruth(table, await truthOf(collection), keyFields(collection)));
    }
    say(formatComparisons(title, comparisons));
    for (const c of comparisons) {
      if (c.mismatches.length > 0)
        say(`${c.table}: first mismatches ${JSON.stringify(c.mismatches.slice(0, 5))}`);
      expect({
        table: c.table,
        missing: c.missing,
        extra: c.extra,
        mismatches: c.mismatches.slice(0, 10),
      }).toEqual({
        table: c.table,
        missing: [],
        extra: [],
        mismatches: [],
      });
      expect(c.matched).toBe(c.truthRows);
      expect(c.truthRows).toBeGreaterThan(0);
    }
    return tables;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 2,
        campaignsPerAccount: 4,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 2,
        boards: 4,
        pins: 40,
      },
    });
    kafka = testKafka('pinterest-cdc-downstream-test');
    admin = kafka.admin();
    await admin.connect();
    // The first sync creates the topics, so the sink subscribes to all of them at once.
    await syncOnce();
    downstream = await startDownstream({
      dir: path.join('.stack', `downstream-${process.pid}`),
      kafkaBrokers: kafkaBrokers(),
      schemaRegistryUrl: schemaRegistryUrl(),
      connectorOverrides: {
        name: `pinterest-cdc-postgres-${prefix}`,
        'topics.regex': `${prefix}\\.(${COLLECTIONS.join('|')})`,
      },
      ownerPid: process.pid,
      removeDirOnStop: process.env.CI !== 'true',
      log: say,
    });
    const t = downstream.timings;
    say(
      `setup: ${(t.totalMs / 1000).toFixed(1)} s (artifacts ${(t.artifactsMs / 1000).toFixed(1)} s and ` +
        `PostgreSQL ${downstream.postgres.major} ${(t.postgresMs / 1000).toFixed(1)} s side by side, then the ` +
        `Kafka Connect worker until its JDBC sink task ran ${(t.connectMs / 1000).toFixed(1)} s)`
    );
  }, 900_000);

  afterAll(async () => {
    await downstream?.stop();
    await admin?.disconnect();
    await sandbox?.close();
  });

  it(
    'holds the first snapshot exactly as the sandbox does',
    async () => {
      await waitForTables('snapshot (the worker started after that sync)');
      snapshotTables = await compareAll('after the first snapshot (op r):');
    },
    TEST_TIMEOUT_MS
  );

  it(
    'applies creates, updates, archives and deletes: every table equals the truth, deleted rows gone',
    async () => {
      const accounts = await truthOf('ad_accounts');
      const first = String(accounts[0]!.id);
      const second = String(accounts[1]!.id);
      const changes: SandboxChange[] = [
        {kind: 'create', collection: 'campaigns', count: 2},
        // a nested object changes (JSON text column), and a field the schema does not know (unknown_fields_json)
        {
          kind: 'update',
          collection: 'campaigns',
          count: 1,
          set: {tracking_urls: {impression: ['https://t.example/i?c=1'], click: ['https://t.example/c']}},
        },
        {
          kind: 'update',
          collection: 'campaigns',
          count: 1,
          set: {field_pinterest_added_later: {rollout: 'beta'}},
        },
        {kind: 'delete', collection: 'campaigns', count: 1, adAccountId: second},
        {kind: 'archive', collection: 'ad_groups', count: 2, adAccountId: second},
        {kind: 'update', collection: 'ad_groups', count: 1},
        {kind: 'create', collection: 'ads', count: 1},
        // a string array changes (text[] column)
        {
          kind: 'update',
          collection: 'ads',
          count: 1,
          set: {status: 'PAUSED', rejected_reasons: ['HASHTAGS']},
        },
        {kind: 'delete', collection: 'ads', count: 2, adAccountId: second},
        {kind: 'update', collection: 'ad_accounts', count: 1},
        {kind: 'create', collection: 'boards', count: 1},
        {kind: 'update', collection: 'boards', count: 1},
        {kind: 'delete', collection: 'boards', count: 1},
        {kind: 'create', collection: 'pins', count: 3},
        {kind: 'update', collection: 'pins', count: 2},
        // pins keep no images: their d events carry only the key in `before`
        {kind: 'delete', collection: 'pins', count: 2},
        // late conversions on past days, at every level: the next sync re-reads them (u events, upserted in place)
        ...ANALYTICS_COLLECTIONS.map((collection): SandboxChange => ({
          kind: 'restate',
          collection: collection as Extract<SandboxChange, {kind: 'restate'}>['collection'],
          adAccountId: first,
          days: ANALYTICS_DAYS - 1,
          count: 3,
        })),
      ];
      const {applied} = await control<{applied: AppliedChange[]}>('changes', {changes});
      expect(new Set(applied.map((c) => c.op))).toEqual(new Set(['c', 'u', 'd']));

      // The delete guard (sync.deleteGuardPercent, default 10) holds deletes of more than 10% of a collection's
      // records (1 of the 4 campaigns of an account) until the next complete listing agrees: a second sync, as the
      // next scheduled cycle would be.
      const heldDeletes = (cycle: CycleSummary) => cycle.listings.reduce((n, l) => n + l.heldDeletes, 0);
      say(`deletes held by the delete guard: ${heldDeletes(await syncOnce())}`);
      expect(heldDeletes(await syncOnce())).toBe(0);
      await waitForTables('changes');
      const tables = await compareAll('after creates, updates, archives and deletes (ops c, u, d):');

      // The same, said per change: deleted rows are gone, created rows are there, archives are updates.
      const keyOf = (c: AppliedChange) => JSON.stringify(keyFields(c.collection).map((f) => c.key[f]));
      const rowsOf = (collection: string) =>
        new Map(
          tables.get(collection)!.rows.map((r) => [JSON.stringify(keyFields(collection).map((f) => r[f])), r])
        );
      const finalOp = new Map(applied.map((c) => [`${c.collection}|${keyOf(c)}`, c]));
      for (const change of finalOp.values()) {
        const row = rowsOf(change.collection).get(keyOf(change));
        if (change.op === 'd')
          expect({change: change.key, row}).toEqual({change: change.key, row: undefined});
        else
          expect({change: change.key, present: row !== undefined}).toEqual({
            change: change.key,
            present: true,
          });
      }
      const archived = applied.filter((c) => c.collection === 'ad_groups' && c.after?.status === 'ARCHIVED');
      expect(archived).toHaveLength(2);
      for (const change of archived) expect(rowsOf('ad_groups').get(keyOf(change))?.status).toBe('ARCHIVED');
      expect(applied.filter((c) => c.collection === 'pins' && c.op === 'd')).toHaveLength(2);

      // Restated analytics rows: the row the snapshot wrote is updated in place (same key, new figures; compareAll
      // showed every row equals the truth and no row is extra). A restatement also moves the rows of the levels
      // above on that day, so a change's own `after` is not always the row's last state: the truth is.
      const asked = loadConfig({env: env()}).analytics.columns.filter((c) => TRUTH_COLUMNS.includes(c));
      const cells = (row: Record<string, unknown> | undefined) =>
        Object.fromEntries(asked.map((c) => [c.toLowerCase(), row?.[c.toLowerCase()] ?? null]));
      const restated = applied.filter((c) => ANALYTICS_COLLECTIONS.includes(c.collection));
      say(`restated analytics rows: ${restated.length} (${ANALYTICS_COLLECTIONS.length} levels)`);
      expect(new Set(restated.map((c) => c.collection))).toEqual(new Set(ANALYTICS_COLLECTIONS));
      expect(asked.length).toBeGreaterThan(0);
      for (const change of restated) {
        const key = keyOf(change);
        const snapshotRow = new Map(
          snapshotTables
            .get(change.collection)!
            .rows.map((r) => [JSON.stringify(keyFields(change.collection).map((f) => r[f])), r])
        ).get(key);
        const now = rowsOf(change.collection).get(key);
        expect({key, before: snapshotRow !== undefined, now: now !== undefined}).toEqual({
          key,
          before: true,
          now: true,
        });
        expect({key, figures: cells(now)}).not.toEqual({key, figures: cells(snapshotRow)});
      }
    },
    TEST_TIMEOUT_MS
  );

  it('stores every Avro field type as the README says (ids text, money and Unix seconds bigint, ...)', async () => {
    const uses = [];
    for (const collection of COLLECTIONS)
      uses.push(...columnTypes(ROOT, collection, await tableOf(collection)));
    const merged = mergeTypeUses(uses);
    say(
      `Avro -> PostgreSQL, every field of the ${COLLECTIONS.length} tables:\n` +
        formatTable(
          ['Avro type', 'PostgreSQL type', 'columns', 'example'],
          merged.map((u) => [u.avro, u.postgres, String(u.columns), u.example])
        )
    );
    for (const use of merged)
      expect({avro: use.avro, postgres: use.postgres}).toEqual({
        avro: use.avro,
        postgres: DOCUMENTED_TYPES[use.avro],
      });
  });

  it('compares every collection topic the service writes (analytics: see ANALYTICS_COLLECTIONS)', async () => {
    const written = (await admin.listTopics())
      .filter((t) => t.startsWith(`${prefix}.`))
      .map((t) => t.slice(prefix.length + 1))
      // The service's own topics (state changelog, stored tokens) and the dead letters are no collections.
      .filter((c) => c !== 'state' && c !== 'tokens' && c !== 'dlq')
      .sort();
    expect(written).toEqual([...COLLECTIONS].sort());
  });
});
