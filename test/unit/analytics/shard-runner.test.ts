/**
 * runAnalyticsShard against the sandbox: real Pinterest client, real planner, differ, state and Avro serializer;
 * the one stubbed seam is the Kafka sink (an in-memory BatchSink that records committed batches). Events are
 * compared with the sandbox's analytics ground truth (GET /_sandbox/truth/<collection>).
 */
import {runAnalyticsShard, type AnalyticsResult, type AnalyticsSettings} from '../../../src/analytics';
import {entityLifetimes} from '../../../src/app/analytics-unit';
import {COLLECTIONS, CollectionRegistry, analyticsColumn} from '../../../src/collections';
import {
  MemoryTokenStore,
  PinterestClient,
  QuotaExhaustedError,
  resolveClientConfig,
  type AnalyticsPart,
  type AnalyticsRows,
} from '../../../src/pinterest';
import {addDays, todayUtc} from '../../../src/pinterest/dates';
import {TRUTH_COLUMNS, type RunningSandbox} from '../../../src/sandbox';
import {startAnalyticsSandbox} from './analytics-sandbox';
import {EventSerializer, InlineBatchEncoder, SchemaCatalog} from '../../../src/serde';
import {applyChangelogRecord, StateStore} from '../../../src/state';
import {StateDivergedError, type BatchSink, type SyncHooks} from '../../../src/sync';
import type {OutgoingMessage} from '../../../src/kafka';
import {recordingSink, silent} from '../sync/harness';

const ANALYTICS = ['ad_account_analytics', 'campaign_analytics', 'ad_group_analytics', 'ad_analytics'];
const registry = new CollectionRegistry();
const catalog = new SchemaCatalog({collections: COLLECTIONS});
const ids = new Map(COLLECTIONS.map((c, i) => [c.name, {keyId: 2 * i + 1, valueId: 2 * i + 2}]));
const serializer = new EventSerializer(catalog, ids);
const topics = {events: (c: string) => `t.${c}`, state: 't.state', deadLetters: 't.dlq'};

interface Event {
  collection: string;
  key: Record<string, string>;
  op: string;
  after: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
}

function eventsOf(committed: readonly OutgoingMessage[][]): Event[] {
  const out: Event[] = [];
  for (const message of committed.flat()) {
    if (!message.topic.startsWith('t.') || message.topic === topics.state || message.value === null) continue;
    if (message.topic === topics.deadLetters) continue;
    const value = serializer.decode(message.value).value as Omit<Event, 'collection' | 'key'>;
    const key = serializer.decode(message.key!).value as Record<string, string>;
    out.push({
      collection: message.topic.slice(2),
      key,
      op: value.op,
      after: value.after,
      before: value.before,
    });
  }
  return out;
}

const keyText = (e: {collection: string; key: Record<string, string>}) =>
  `${e.collection} ${Object.values(e.key).join(' ')}`;

/** The figures of an event image as the API names them, for comparison with truth rows. */
function figures(image: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of TRUTH_COLUMNS) {
    const value = image[analyticsColumn(name)!.field];
    if (value !== null && value !== undefined) out[name] = value;
  }
  return out;
}

describe('runAnalyticsShard on the sandbox', () => {
  let sandbox: RunningSandbox;
  let adAccountId: string;
  // Shared by every client of a test: the sandbox rotates the refresh token on each refresh.
  let tokenStore: MemoryTokenStore;
  const today = () => todayUtc(Date.now());

  beforeEach(async () => {
    ({sandbox, adAccountId} = await startAnalyticsSandbox(9));
    tokenStore = new MemoryTokenStore();
  });
  afterEach(() => sandbox.close());

  const client = () =>
    new PinterestClient({
      config: resolveClientConfig({
        apiBaseUrl: sandbox.baseUrl,
        ...sandbox.credentials,
        reports: {pollInitialDelayMs: 2, pollBackoffFactor: 1, pollMaxDelayMs: 2, pollTimeoutMs: 10_000},
      }),
      tokenStore,
    });

  const settings = (startDate: string): AnalyticsSettings => ({
    startDate,
    restatementDays: 30,
    columns: TRUTH_COLUMNS,
    attribution: {
      clickWindowDays: 30,
      engagementWindowDays: 30,
      viewWindowDays: 1,
      conversionReportTime: 'TIME_OF_AD_ACTION',
    },
  });

  function run(
    state: StateStore,
    sink: BatchSink,
    options: {
      startDate: string;
      api?: PinterestClient;
      parts?: AnalyticsPart[];
      batch?: number;
      collections?: string[];
      /** Spends the ads_analytics daily cap once this many requests were made. */
      exhaustAfter?: number;
      logger?: typeof silent;
      progressIntervalSeconds?: number;
      hooks?: SyncHooks;
      /** Alters an answer of the sandbox (a bad row): the one stubbed part of the Pinterest side. */
      alter?: (rows: AnalyticsRows) => AnalyticsRows;
    }
  ): Promise<AnalyticsResult[]> {
    const api = options.api ?? client();
    let reads = 0;
    return runAnalyticsShard(
      {
        adAccountId,
        collections: (options.collections ?? ANALYTICS).map((n) => registry.get(n)),
        state,
        settings: settings(options.startDate),
        connectorName: 't',
        version: 'test',
        syncId: `s${Date.now()}`,
      },
      {
        encoder: new InlineBatchEncoder(serializer),
        sink,
        topics,
        maxEventsPerTransaction: options.batch ?? 200,
        logger: options.logger ?? silent,
        progressIntervalSeconds: options.progressIntervalSeconds,
        ...(options.hooks ? {hooks: options.hooks} : {}),
        rows: {
          read: (part) => {
            if (reads++ === options.exhaustAfter) sandbox.control.exhaust('ads_analytics');
            options.parts?.push(part);
            return api.analyticsPart(part).then(options.alter ?? ((rows) => rows));
          },
        },
        entities: entityLifetimes(new StateStore(), api),
      }
    );
  }

  const truth = (collection: string, startDate: string, endDate = today()) =>
    sandbox.control.analyticsTruth({
      collection: collection as never,
      adAccountId,
      startDate,
      endDate,
      columns: TRUTH_COLUMNS,
    }).items;

  /** Every truth row over [start, today] is the last image of exactly one key's events, and nothing else is. */
  function expectTruth(events: Event[], startDate: string, collections = ANALYTICS): void {
    const last = new Map<string, Event>();
    for (const e of events) last.set(keyText(e), e);
    const live = [...last.values()].filter((e) => e.op !== 'd');
    for (const collection of collections) {
      const expected = new Map(
        truth(collection, startDate).map((t) => [keyText({collection, key: t.key}), figures(mapRow(t.row))])
      );
      const got = new Map(
        live.filter((e) => e.collection === collection).map((e) => [keyText(e), figures(e.after!)])
      );
      expect([collection, got.size]).toEqual([collection, expected.size]);
      expect(got).toEqual(expected);
    }
  }

  /** A truth row (API names) as an image would name its figures. */
  function mapRow(row: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of TRUTH_COLUMNS)
      if (row[name] !== undefined) out[analyticsColumn(name)!.field] = row[name];
    return out;
  }

  it('backfills through sync and async reports, then re-reads: events equal the truth, unchanged rows emit nothing, each restated row once', async () => {
    const start = addDays(today(), -120);
    const state = new StateStore();
    const {sink, committed} = recordingSink();
    const parts: AnalyticsPart[] = [];
    const first = await run(state, sink, {startDate: start, parts});
    expect(first.map((r) => r.outcome)).toEqual(ANALYTICS.map(() => 'complete'));
    expect(parts.some((p) => p.via === 'report')).toBe(true);
    const backfill = eventsOf(committed);
    expect(new Set(backfill.map((e) => e.op))).toEqual(new Set(['r']));
    // Exactly one event per row: nothing read twice.
    expect(new Set(backfill.map(keyText)).size).toBe(backfill.length);
    expectTruth(backfill, start);

    // Nothing changed: a re-read of the window emits nothing.
    const before = committed.length;
    const again = await run(state, sink, {startDate: start});
    expect(eventsOf(committed.slice(before))).toEqual([]);
    expect(again.every((r) => r.backfillRangesRemaining === 0)).toBe(true);

    // Restatements on command (late checkouts on ads): each changed ad row exactly once, as a `u` with before and
    // after; the ad group, campaign and account rows of the same days are sums of their ads, so they move too.
    const {applied} = sandbox.control.applyChanges([
      {kind: 'restate', collection: 'ad_analytics', adAccountId, days: 20, count: 6},
    ]);
    expect(applied).toHaveLength(6);
    const mark = committed.length;
    await run(state, sink, {startDate: start});
    const restated = eventsOf(committed.slice(mark));
    expect(restated.map((e) => e.op)).toEqual(restated.map(() => 'u'));
    const adEvents = restated.filter((e) => e.collection === 'ad_analytics');
    expect(adEvents.map(keyText).sort()).toEqual(
      applied.map((a) => keyText({collection: a.collection, key: a.key})).sort()
    );
    for (const e of adEvents) {
      const change = applied.find((a) => keyText({collection: a.collection, key: a.key}) === keyText(e))!;
      expect(figures(e.after!)).toEqual(figures(mapRow(change.after!)));
      expect(figures(e.before!)).toEqual(figures(mapRow(change.before!)));
    }
    const restatedDays = new Set(applied.map((a) => a.key.date));
    for (const e of restated) {
      expect(restatedDays.has(e.key.date!)).toBe(true);
      expect(figures(e.after!)).not.toEqual(figures(e.before!));
    }
    expect(new Set(restated.map((e) => e.collection))).toEqual(new Set(ANALYTICS));
    expectTruth(eventsOf(committed), start);
  });

  it('plans its report requests up front for the progress estimate: as many as it then makes, per collection', async () => {
    const planned = new Map<string, number>();
    const started: [string, number | undefined][] = [];
    const answers = new Map<string, number>();
    const parts: AnalyticsPart[] = [];
    await run(new StateStore(), recordingSink().sink, {
      startDate: addDays(today(), -120),
      parts,
      hooks: {
        onListingStarted: (collection, _shard, expected) => started.push([collection, expected]),
        onPagesPlanned: (collection, pages) =>
          planned.set(collection, (planned.get(collection) ?? 0) + pages),
        onRecordsFetched: (collection) => answers.set(collection, (answers.get(collection) ?? 0) + 1),
      },
    });
    expect(started).toEqual(ANALYTICS.map((c) => [c, undefined]));
    expect(planned).toEqual(answers);
    expect([...planned.values()].reduce((a, b) => a + b, 0)).toBe(parts.length);
  });

  it('asks for 250 ids per sync request over the longest range, and never for entities that cannot have rows', async () => {
    const state = new StateStore();
    const parts: AnalyticsPart[] = [];
    await run(state, recordingSink().sink, {
      startDate: addDays(today(), -29),
      parts,
      collections: ['ad_analytics'],
    });
    const ads = sandbox.control.truth('ads', adAccountId).items;
    const drafts = new Set(
      ads.filter((a) => a.status === 'DRAFT' || a.status === 'DELETED_DRAFT').map((a) => a.id)
    );
    const asked = parts.flatMap((p) => p.ids ?? []);
    expect(drafts.size).toBeGreaterThan(0);
    expect(asked.filter((id) => drafts.has(id))).toEqual([]);
    expect(parts).toHaveLength(Math.ceil(asked.length / 250));
    expect(
      parts.every((p) => p.via === 'sync' && p.start === addDays(today(), -29) && p.end === today())
    ).toBe(true);
    expect(
      sandbox.control.stats().requests.byEndpoint['GET /v5/ad_accounts/{ad_account_id}/ads/analytics']
    ).toBe(parts.length);
  });

  it('a run stopped by a failed commit, restored from the changelog, resumes: no row twice, none missing', async () => {
    const start = addDays(today(), -120);
    const committed: OutgoingMessage[][] = [];
    let batches = 0;
    const failing: BatchSink = {
      writeBatch: async (messages) => {
        if (++batches === 6) throw Object.assign(new Error('broker gone'), {retriable: false});
        committed.push([...messages]);
      },
    };
    const error = await run(new StateStore(), failing, {startDate: start, batch: 50}).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(StateDivergedError);
    const firstEvents = eventsOf(committed).length;
    expect(firstEvents).toBeGreaterThan(0);

    // A restart: state from the committed changelog records only.
    const restored = new StateStore();
    for (const m of committed.flat())
      if (m.topic === topics.state) applyChangelogRecord(restored, m.key!, m.value);
    const {sink, committed: after} = recordingSink();
    await run(restored, sink, {startDate: start, batch: 50});
    const all = [...eventsOf(committed), ...eventsOf(after)];
    expect(new Set(all.map(keyText)).size).toBe(all.length);
    expectTruth(all, start);
  });

  it('a spent daily quota (429 code 8) stops a run with no vanish-deletes; the next run resumes: each change once', async () => {
    const start = addDays(today(), -120);
    const state = new StateStore();
    const {sink, committed} = recordingSink();
    sandbox.control.setLimits({categories: {ads_analytics: {perDay: 4}}});
    expect(await run(state, sink, {startDate: start}).catch((e: unknown) => e)).toBeInstanceOf(
      QuotaExhaustedError
    );
    sandbox.control.setLimits({categories: {ads_analytics: {perDay: 0}}});
    await run(state, sink, {startDate: start, api: client()});
    const backfill = eventsOf(committed);
    expect(backfill.filter((e) => e.op !== 'r')).toEqual([]);
    expect(new Set(backfill.map(keyText)).size).toBe(backfill.length);
    expectTruth(backfill, start);

    // A restatement cycle cut short: rows of the window are in state, and none may read as vanished.
    sandbox.control.applyChanges([
      {kind: 'restate', collection: 'ad_analytics', adAccountId, days: 25, count: 8},
    ]);
    const mark = committed.length;
    const stopped = await run(state, sink, {startDate: start, api: client(), exhaustAfter: 2}).catch(
      (e: unknown) => e
    );
    expect(stopped).toBeInstanceOf(QuotaExhaustedError);
    const partial = eventsOf(committed.slice(mark));
    expect(partial.filter((e) => e.op !== 'u')).toEqual([]);
    sandbox.control.setLimits({categories: {ads_analytics: {perDay: 0}}});
    await run(state, sink, {startDate: start, api: client()});
    const changes = eventsOf(committed.slice(mark));
    expect(changes.filter((e) => e.op !== 'u')).toEqual([]);
    expect(new Set(changes.map(keyText)).size).toBe(changes.length);
    expect(partial.length).toBeLessThan(changes.length);
    expectTruth(eventsOf(committed), start);
  });

  it('dead-letters what cannot be an event, with its raw JSON, and goes on: a row without id or DATE, a figure that does not fit', async () => {
    const {sink, committed} = recordingSink();
    let altered = false;
    const alter = (answer: AnalyticsRows): AnalyticsRows => {
      if (altered || answer.rows.length === 0 || answer.rows[0]!.level !== 'ad') return answer;
      altered = true;
      const [first, ...rest] = answer.rows;
      return {
        rows: [{...first!, metrics: {...first!.metrics, IMPRESSION_1: 1.5}}, ...rest],
        rejected: [{AD_ID: 'not-an-id', DATE: '2026-01-01', SPEND_IN_MICRO_DOLLAR: 1}],
      };
    };
    const results = await run(new StateStore(), sink, {
      startDate: addDays(today(), -10),
      collections: ['ad_analytics'],
      alter,
    });
    expect(results[0]).toMatchObject({outcome: 'complete', deadLetters: 2});
    const letters = committed
      .flat()
      .filter((m) => m.topic === topics.deadLetters)
      .map(
        (m) => JSON.parse(m.value!.toString()) as {reason: string; raw_json: string; error: {message: string}}
      );
    expect(letters.map((l) => l.reason).sort()).toEqual(['encode', 'key']);
    expect(JSON.parse(letters.find((l) => l.reason === 'key')!.raw_json)).toEqual({
      AD_ID: 'not-an-id',
      DATE: '2026-01-01',
      SPEND_IN_MICRO_DOLLAR: 1,
    });
    const encode = letters.find((l) => l.reason === 'encode')!;
    expect(encode.error.message).toMatch(/impression_1/);
    expect(JSON.parse(encode.raw_json)).toMatchObject({impression_1: 1.5});
    // Every other row is an event.
    const rows = truth('ad_analytics', addDays(today(), -10)).length;
    expect(eventsOf(committed)).toHaveLength(rows - 1);
  });
});
