/**
 * Every product metric of pinterest-cdc, on a Registry the caller owns (one per service or test), plus adapters
 * that turn component events into metric updates so business code never calls prom-client.
 * Names, types and labels: notes/style-and-ecosystem.md §3.
 */
import {collectDefaultMetrics, Counter, Gauge, Histogram, type Registry} from 'prom-client';

import {
  BoundedValues,
  endpointTemplate,
  MAX_ENDPOINTS,
  oneOf,
  RATE_CATEGORIES,
  RETRY_REASONS,
  statusClass,
} from './labels';
import {DEFAULT_CONNECTION} from '../sync/shards';
import type {AuthorizationEvent, BudgetSnapshot, RequestHooks} from './pinterest-hooks';

export const METRIC_PREFIX = 'pinterest_cdc_';
const HTTP_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
// Pinterest calls take 0.05-30 s (style-and-ecosystem.md §3).
export const API_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
export const KAFKA_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const LONG_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

export interface MetricsOptions {
  registry: Registry;
  version: string;
  commit?: string;
  /** Node's process_* and nodejs_* metrics, unprefixed (default true). */
  defaultMetrics?: boolean;
  /** Clock for pause gauges (ms). */
  now?: () => number;
}

export class Metrics {
  readonly registry: Registry;
  readonly buildInfo: Gauge<'version' | 'commit' | 'node_version'>;
  readonly apiRequests: Counter<'connection' | 'endpoint' | 'method' | 'status_class'>;
  readonly apiRequestDuration: Histogram<'endpoint'>;
  readonly apiRetries: Counter<'endpoint' | 'reason'>;
  readonly apiRateLimited: Counter<'connection' | 'endpoint'>;
  readonly apiBudgetRemaining: Gauge<'connection' | 'category'>;
  readonly apiCategoryPaused: Gauge<'connection' | 'category'>;
  readonly oauthTokenRefreshes: Counter<'connection' | 'outcome'>;
  readonly oauthReauthorizationRequired: Gauge<'connection'>;
  readonly oauthClientRejected: Gauge<'connection'>;
  readonly recordsFetched: Counter<'collection'>;
  readonly changeEvents: Counter<'collection' | 'op'>;
  readonly snapshotDuration: Histogram<'collection'>;
  readonly trackedEntities: Gauge<'collection'>;
  readonly analyticsWindows: Counter<'collection' | 'outcome'>;
  readonly analyticsWatermark: Gauge<'collection'>;
  readonly backfillWindowsRemaining: Gauge<'collection'>;
  readonly kafkaMessagesProduced: Counter<'topic'>;
  readonly kafkaProducedBytes: Counter<'topic'>;
  readonly kafkaProduceDuration: Histogram<'topic'>;
  readonly kafkaProduceErrors: Counter<'topic' | 'retriable'>;
  readonly schemaRegistryRequests: Counter<'operation' | 'outcome'>;
  readonly avroEncodeErrors: Counter<'collection'>;
  readonly deadLetters: Counter<'collection' | 'reason'>;
  readonly deletesHeld: Counter<'collection'>;
  readonly stateCheckpoints: Counter<'outcome'>;
  readonly lastCheckpointTimestamp: Gauge;
  readonly cycleDuration: Histogram<'kind'>;
  readonly lastSuccessfulCycleTimestamp: Gauge<'collection'>;

  private readonly endpoints = new BoundedValues(MAX_ENDPOINTS);
  /** Keyed by connection, then category: Pinterest budgets are per user per app (notes/pinterest-api.md §7). */
  private readonly pausedUntil = new Map<string, Map<string, number>>();
  private readonly authorization = new Map<string, AuthorizationEvent>();
  private readonly budgetSources = new Map<string, () => BudgetSnapshot>();
  private readonly now: () => number;

  constructor(options: MetricsOptions) {
    const registers = [options.registry];
    this.registry = options.registry;
    this.now = options.now ?? Date.now;
    const name = (n: string) => METRIC_PREFIX + n;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;

    this.buildInfo = new Gauge({
      name: name('build_info'),
      help: 'Always 1; labels carry the build.',
      labelNames: ['version', 'commit', 'node_version'],
      registers,
    });
    this.buildInfo.set(
      {version: options.version, commit: options.commit ?? 'unknown', node_version: process.version},
      1
    );

    this.apiRequests = new Counter({
      name: name('api_requests_total'),
      help: 'Pinterest API requests (each attempt), by connection, route template, method and status class.',
      labelNames: ['connection', 'endpoint', 'method', 'status_class'],
      registers,
    });
    this.apiRequestDuration = new Histogram({
      name: name('api_request_duration_seconds'),
      help: 'Pinterest API request duration.',
      labelNames: ['endpoint'],
      buckets: API_DURATION_BUCKETS,
      registers,
    });
    this.apiRetries = new Counter({
      name: name('api_retries_total'),
      help: 'Pinterest API requests retried, by reason.',
      labelNames: ['endpoint', 'reason'],
      registers,
    });
    this.apiRateLimited = new Counter({
      name: name('api_rate_limited_total'),
      help: 'Pinterest API rate-limit answers (429, daily cap code 8), by connection and route template.',
      labelNames: ['connection', 'endpoint'],
      registers,
    });
    this.apiBudgetRemaining = new Gauge({
      name: name('api_budget_remaining'),
      help: 'Requests left in the current rate-limit window, per connection and category.',
      labelNames: ['connection', 'category'],
      registers,
      collect() {
        for (const [connection, source] of self.budgetSources) {
          for (const [category, b] of Object.entries(source())) {
            this.set({connection, category: oneOf(RATE_CATEGORIES, category)}, b.remaining);
          }
        }
      },
    });
    this.apiCategoryPaused = new Gauge({
      name: name('api_category_paused'),
      help: "1 while a daily cap pauses the rate category of a connection's budget, else 0.",
      labelNames: ['connection', 'category'],
      registers,
      collect() {
        const paused = self.pausedCategories();
        for (const connection of self.connections()) {
          for (const category of RATE_CATEGORIES) {
            const on = paused.some((p) => p.connection === connection && p.category === category);
            this.set({connection, category}, on ? 1 : 0);
          }
        }
      },
    });
    this.oauthTokenRefreshes = new Counter({
      name: name('oauth_token_refreshes_total'),
      help: 'OAuth access-token refreshes, by connection and outcome.',
      labelNames: ['connection', 'outcome'],
      registers,
    });
    this.oauthReauthorizationRequired = new Gauge({
      name: name('oauth_reauthorization_required'),
      help: "1 while Pinterest refuses a connection's refresh token and no newer one is known: authorise the app again.",
      labelNames: ['connection'],
      registers,
    });
    this.oauthClientRejected = new Gauge({
      name: name('oauth_client_rejected'),
      help: "1 while Pinterest refuses a connection's app credentials (invalid client id or secret).",
      labelNames: ['connection'],
      registers,
    });
    this.recordsFetched = new Counter({
      name: name('records_fetched_total'),
      help: 'Records read from the Pinterest API.',
      labelNames: ['collection'],
      registers,
    });
    this.changeEvents = new Counter({
      name: name('change_events_total'),
      help: 'Change events emitted (committed), by collection and op (r, c, u, d).',
      labelNames: ['collection', 'op'],
      registers,
    });
    this.snapshotDuration = new Histogram({
      name: name('snapshot_duration_seconds'),
      help: 'Duration of one collection snapshot (list + diff).',
      labelNames: ['collection'],
      buckets: LONG_DURATION_BUCKETS,
      registers,
    });
    this.trackedEntities = new Gauge({
      name: name('tracked_entities'),
      help: 'Records held in state, per collection.',
      labelNames: ['collection'],
      registers,
    });
    this.analyticsWindows = new Counter({
      name: name('analytics_windows_total'),
      help: 'Analytics date windows processed, by outcome.',
      labelNames: ['collection', 'outcome'],
      registers,
    });
    this.analyticsWatermark = new Gauge({
      name: name('analytics_watermark_timestamp_seconds'),
      help: 'End of the last acknowledged analytics window (Unix seconds).',
      labelNames: ['collection'],
      registers,
    });
    this.backfillWindowsRemaining = new Gauge({
      name: name('backfill_windows_remaining'),
      help: 'Analytics backfill windows still to process.',
      labelNames: ['collection'],
      registers,
    });
    this.kafkaMessagesProduced = new Counter({
      name: name('kafka_messages_produced_total'),
      help: 'Kafka messages acknowledged, by topic.',
      labelNames: ['topic'],
      registers,
    });
    this.kafkaProducedBytes = new Counter({
      name: name('kafka_produced_bytes_total'),
      help: 'Bytes of acknowledged Kafka messages (key + value), by topic.',
      labelNames: ['topic'],
      registers,
    });
    this.kafkaProduceDuration = new Histogram({
      name: name('kafka_produce_duration_seconds'),
      help: 'Time from send until acknowledgement.',
      labelNames: ['topic'],
      buckets: KAFKA_DURATION_BUCKETS,
      registers,
    });
    this.kafkaProduceErrors = new Counter({
      name: name('kafka_produce_errors_total'),
      help: 'Kafka produce failures, by topic and retriability.',
      labelNames: ['topic', 'retriable'],
      registers,
    });
    this.schemaRegistryRequests = new Counter({
      name: name('schema_registry_requests_total'),
      help: 'Schema registry requests, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.avroEncodeErrors = new Counter({
      name: name('avro_encode_errors_total'),
      help: 'Records that could not be Avro-encoded.',
      labelNames: ['collection'],
      registers,
    });
    this.deadLetters = new Counter({
      name: name('dead_letters_total'),
      help: 'Records written to the dead-letter topic, by collection and reason.',
      labelNames: ['collection', 'reason'],
      registers,
    });
    this.deletesHeld = new Counter({
      name: name('deletes_held_total'),
      help:
        'Deletes a complete listing would have emitted but the delete guard held back (more than ' +
        'sync.deleteGuardPercent of the tracked records): they wait for the next listing to agree.',
      labelNames: ['collection'],
      registers,
    });
    this.stateCheckpoints = new Counter({
      name: name('state_checkpoints_total'),
      help: 'State checkpoints, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.lastCheckpointTimestamp = new Gauge({
      name: name('last_checkpoint_timestamp_seconds'),
      help: 'Time of the last successful state checkpoint (Unix seconds).',
      registers,
    });
    this.cycleDuration = new Histogram({
      name: name('cycle_duration_seconds'),
      help: 'Duration of a sync cycle, by kind (entities, analytics).',
      labelNames: ['kind'],
      buckets: LONG_DURATION_BUCKETS,
      registers,
    });
    this.lastSuccessfulCycleTimestamp = new Gauge({
      name: name('last_successful_cycle_timestamp_seconds'),
      help: 'Time the last successful cycle of a collection ended (Unix seconds).',
      labelNames: ['collection'],
      registers,
    });

    if (options.defaultMetrics ?? true) collectDefaultMetrics({register: options.registry});
  }

  /**
   * Zero series for the label sets known at start: dead letters of each collection and reason, held deletes of
   * each entity collection. A lazily created counter appears already at 1, so `increase()` (the alerts, the
   * dashboard's stat panels) would miss its first step and show "No data" instead of 0 in a healthy run.
   */
  initialiseCollections(known: {
    collections: readonly string[];
    deadLetterReasons: readonly string[];
    guardedCollections: readonly string[];
  }): void {
    for (const collection of known.collections)
      for (const reason of known.deadLetterReasons) this.deadLetters.inc({collection, reason}, 0);
    for (const collection of known.guardedCollections) this.deletesHeld.inc({collection}, 0);
  }

  /**
   * Hooks for one connection's Pinterest client (docs/contracts.md): every label bounded (connections are few and
   * configured; never an ad account id).
   */
  pinterestHooks(connection: string = DEFAULT_CONNECTION): RequestHooks {
    this.authorization.set(connection, {state: 'ok'});
    this.oauthReauthorizationRequired.set({connection}, 0);
    this.oauthClientRejected.set({connection}, 0);
    return {
      onRequest: (e) => {
        const endpoint = this.endpoint(e.endpoint);
        const method = oneOf(HTTP_METHODS, e.method.toUpperCase());
        this.apiRequests.inc({
          connection,
          endpoint,
          method,
          status_class: statusClass(e.status, e.statusClass),
        });
        this.apiRequestDuration.observe({endpoint}, e.durationSeconds);
        // 429 covers both throttling and the daily cap (code 8).
        if (e.status === 429) this.apiRateLimited.inc({connection, endpoint});
        if (!this.budgetSources.has(connection)) {
          this.apiBudgetRemaining.set(
            {connection, category: oneOf(RATE_CATEGORIES, e.category)},
            e.budgetRemaining
          );
        }
      },
      onRetry: (e) => {
        this.apiRetries.inc({endpoint: this.endpoint(e.endpoint), reason: oneOf(RETRY_REASONS, e.reason)});
      },
      onTokenRefresh: (e) => {
        this.oauthTokenRefreshes.inc({connection, outcome: e.outcome === 'success' ? 'success' : 'failure'});
      },
      onAuthorization: (e) => {
        this.authorization.set(connection, e);
        this.oauthReauthorizationRequired.set({connection}, e.state === 'reauthorization_required' ? 1 : 0);
        this.oauthClientRejected.set({connection}, e.state === 'client_rejected' ? 1 : 0);
      },
      onRateLimited: (e) => {
        if (e.kind === 'daily_cap') {
          this.setCategoryPaused(e.category, e.resumeAt ?? new Date(this.now() + 86_400_000), connection);
        }
      },
    };
  }

  private endpoint(raw: string): string {
    return this.endpoints.bound(endpointTemplate(raw));
  }

  /** The connections whose clients report here. */
  connections(): string[] {
    return [...new Set([...this.authorization.keys(), ...this.budgetSources.keys()])];
  }

  /** The connections that cannot authenticate now, each with why (for readiness and the logs). */
  authorizationProblems(): {connection: string; problem: string}[] {
    return [...this.authorization]
      .filter(([, e]) => e.state !== 'ok')
      .map(([connection, {state, message}]) => ({connection, problem: message ?? state}));
  }

  /** Why Pinterest connections cannot authenticate now, or undefined when every connection can. */
  authorizationProblem(): string | undefined {
    const problems = this.authorizationProblems();
    if (problems.length === 0) return undefined;
    return problems
      .map((p) => (this.authorization.size > 1 ? `${p.connection}: ${p.problem}` : p.problem))
      .join('; ');
  }

  /** Reads a connection's budgets and pauses from its client at scrape time (`() => client.budget()`). */
  trackBudget(source: () => BudgetSnapshot, connection: string = DEFAULT_CONNECTION): void {
    this.budgetSources.set(connection, source);
  }

  /** Marks a connection's category paused by a daily cap until `until` (undefined = resumed). */
  setCategoryPaused(
    category: string,
    until: Date | undefined,
    connection: string = DEFAULT_CONNECTION
  ): void {
    const key = oneOf(RATE_CATEGORIES, category);
    const paused = this.pausedUntil.get(connection) ?? new Map<string, number>();
    if (until === undefined) paused.delete(key);
    else paused.set(key, until.getTime());
    this.pausedUntil.set(connection, paused);
  }

  /** Categories paused now, per connection (from daily-cap events and the tracked budgets), for metrics and readiness. */
  pausedCategories(): {connection: string; category: string; until: Date}[] {
    const now = this.now();
    const out: {connection: string; category: string; until: Date}[] = [];
    for (const connection of new Set([...this.pausedUntil.keys(), ...this.budgetSources.keys()])) {
      const paused = new Map<string, number>();
      for (const [category, until] of this.pausedUntil.get(connection) ?? [])
        if (until > now) paused.set(category, until);
      for (const [category, b] of Object.entries(this.budgetSources.get(connection)?.() ?? {})) {
        const until = b.pausedUntil?.getTime();
        if (until !== undefined && until > now) paused.set(oneOf(RATE_CATEGORIES, category), until);
      }
      for (const [category, until] of paused) out.push({connection, category, until: new Date(until)});
    }
    return out;
  }
}
