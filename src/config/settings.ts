/**
 * THE settings table: every configurable value of pinterest-cdc, once. Types, validation, defaults, environment
 * variables, docs (docs/configuration.md), the example file and the list of secrets all derive from it.
 */
import {z} from 'zod';

import {analyticsColumn, SYNC_COLUMN_NAMES} from '../collections/analytics-columns';
import {COLLECTIONS} from '../collections/registry';
import type {CollectionDeclaration} from '../collections/types';
import {parseTokenKey, splitTokenKeys, TOKEN_KEY_FORMAT} from '../pinterest/token-cipher';

import {connectionsSetting} from './connections';
import {choice, flag, integer, integerOf, list, optional, text, type ConfigOf} from './setting';

/** Collection names (topic suffixes, Avro namespaces) come from the collection registry: one list, not two. */
const namesOf = (kind: CollectionDeclaration['kind']) =>
  COLLECTIONS.filter((c) => c.kind === kind).map((c) => c.name) as [string, ...string[]];

/** Entity collections (snapshot diff). */
export const ENTITY_COLLECTIONS = namesOf('entity');
export type EntityCollection = string;

/** Analytics collections (window diff). */
export const ANALYTICS_COLLECTIONS = namesOf('analytics');
export type AnalyticsCollection = string;

// notes/pinterest-api.md §3: click/engagement/view windows each take one of these values.
export const ATTRIBUTION_WINDOW_DAYS = [0, 1, 7, 14, 30, 60] as const;
// notes/pinterest-api.md §3: attribution windows reach 60 days, so restating more than 60 buys nothing.
export const MAX_RESTATEMENT_DAYS = 60;

/** Default analytics columns (names from the `columns` enum of the v5 OpenAPI description). */
export const DEFAULT_ANALYTICS_COLUMNS = [
  'SPEND_IN_MICRO_DOLLAR',
  'PAID_IMPRESSION',
  'TOTAL_IMPRESSION',
  'TOTAL_CLICKTHROUGH',
  'TOTAL_ENGAGEMENT',
  'OUTBOUND_CLICK_1',
  'TOTAL_CONVERSIONS',
  'TOTAL_CHECKOUT',
  'TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR',
] as const;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a UTC day. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, {error: 'must be an http(s) URL', abort: true})
  .refine((u) => URL.canParse(u), {error: 'must be an http(s) URL', abort: true})
  .refine((u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''), {
    message: 'must not contain credentials (use the username/password settings)',
  })
  .transform((u) => u.replace(/\/+$/, ''));

// host:port, host a DNS name, IPv4 or [IPv6].
const brokerAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/, {
    error: 'each broker must be host:port',
    abort: true,
  })
  .refine((b) => {
    const port = Number(b.slice(b.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'broker port must be 1..65535');

// Kafka topic names: [a-zA-Z0-9._-], at most 249 characters; the prefix leaves room for `.<collection>`.
const longestCollection = Math.max(...[...ENTITY_COLLECTIONS, ...ANALYTICS_COLLECTIONS].map((c) => c.length));
const topicPrefix = z
  .string()
  .regex(/^[A-Za-z0-9._-]+$/, 'may contain only letters, digits, ".", "_" and "-" (Kafka topic names)')
  .max(249 - 1 - longestCollection - '.dlq'.length, 'is too long for Kafka topic names')
  .refine((p) => p !== '.' && p !== '..', 'must not be "." or ".."');

const tokenKey = z.string().refine((key) => parseTokenKey(key) !== undefined, TOKEN_KEY_FORMAT);
const tokenKeys = z
  .string()
  .refine((keys) => splitTokenKeys(keys).every((key) => parseTokenKey(key) !== undefined), {
    message: `each key (separated by commas or spaces) ${TOKEN_KEY_FORMAT}`,
  });

const identifier = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'may contain only letters, digits, ".", "_", "-"');
const adAccountId = z.string().regex(/^\d{1,19}$/, 'each ad account id must be a numeric string');
const entityCollection = z.enum(ENTITY_COLLECTIONS, {
  error: `each collection must be one of ${ENTITY_COLLECTIONS.join(', ')}`,
});
const analyticsCollection = z.enum(ANALYTICS_COLLECTIONS, {
  error: `each collection must be one of ${ANALYTICS_COLLECTIONS.join(', ')}`,
});
// notes/pinterest-api.md §3: a column outside the documented `columns` enum is a 400 on every request.
const columnName = z.string().refine((c) => analyticsColumn(c) !== undefined, {
  error: (issue) =>
    `unknown column ${JSON.stringify(issue.input)}: not one of the ${SYNC_COLUMN_NAMES.length} documented ` +
    'analytics columns (src/collections/analytics-columns.ts)',
});
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, {error: 'must be a date YYYY-MM-DD', abort: true})
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && isoDay(new Date(`${d}T00:00:00Z`)) === d, {
    message: 'must be a real calendar date',
  });

export const settings = {
  pinterest: {
    apiBaseUrl: text({
      description: 'Base URL of the Pinterest API v5 (point it at the sandbox for tests and demos).',
      env: ['PINTEREST_API_BASE_URL'],
      default: 'https://api.pinterest.com/v5',
      schema: httpUrl,
      typeDoc: 'URL',
    }),
    clientId: optional(
      text({
        description: 'OAuth app id (for the refresh-token grant).',
        env: ['PINTEREST_CLIENT_ID'],
        example: '1500000',
      })
    ),
    clientSecret: optional(
      text({description: 'OAuth app secret.', env: ['PINTEREST_CLIENT_SECRET'], secret: true})
    ),
    refreshToken: optional(
      text({
        description:
          'Initial refresh token. Pinterest rotates it; the newest one is kept in the token store, which wins ' +
          'over this value once it holds a token.',
        env: ['PINTEREST_REFRESH_TOKEN'],
        secret: true,
      })
    ),
    accessToken: optional(
      text({
        description:
          'A ready access token instead of client id + secret + refresh token, for a quick try (expires, ' +
          'never refreshed).',
        env: ['PINTEREST_ACCESS_TOKEN'],
        secret: true,
      })
    ),
    connections: connectionsSetting(adAccountId),
    tokenStore: choice(['kafka', 'file'], {
      description:
        'Where the newest tokens (the rotated refresh token and the shared access token) are kept: `kafka` (the ' +
        'compacted topic `<topicPrefix>.tokens`, shared by every process of the deployment, `check` included; no ' +
        'volume needed) or `file` (`tokenStorePath`, for one machine).',
      default: 'kafka',
    }),
    tokenStorePath: text({
      description: 'Token file when `tokenStore` is `file`.',
      default: '.state/pinterest-token.json',
    }),
    tokenKey: optional(
      text({
        description:
          'Key that encrypts the stored tokens (AES-256-GCM): 32 random bytes as base64 or hex, e.g. ' +
          '`openssl rand -base64 32`. Unset: the tokens are stored in clear (the service warns at start). To ' +
          'rotate it, set the new key here and the old one in `tokenPreviousKeys`; the stored record is ' +
          're-encrypted at the next start, after which the old key can go.',
        env: ['PINTEREST_CDC_TOKEN_KEY'],
        secret: true,
        schema: tokenKey,
        typeDoc: '32-byte key (base64 or hex)',
      })
    ),
    tokenPreviousKeys: optional(
      text({
        description:
          'Former token keys, separated by commas: used only to read records written before a key rotation.',
        env: ['PINTEREST_CDC_TOKEN_PREVIOUS_KEYS'],
        secret: true,
        schema: tokenKeys,
        typeDoc: 'keys, comma-separated',
      })
    ),
    maxConcurrency: integer({description: 'Parallel API requests.', default: 4, min: 1, max: 32}),
    requestTimeoutSeconds: integer({
      description: 'Timeout of one API request.',
      default: 30,
      min: 1,
      max: 300,
    }),
    maxRetries: integer({
      description:
        'Retries of a request failing with 429, 5xx or a network error (exponential backoff, jitter).',
      default: 6,
      min: 0,
      max: 20,
    }),
  },
  kafka: {
    brokers: list(brokerAddress, {
      description: 'Bootstrap brokers.',
      env: ['KAFKA_BROKERS'],
      itemDoc: '`host:port`',
      nonEmpty: true,
      example: ['127.0.0.1:9092'],
    }),
    clientId: text({
      description: 'Kafka client id.',
      env: ['KAFKA_CLIENT_ID'],
      default: 'pinterest-cdc',
      schema: identifier,
    }),
    topicPrefix: text({
      description: 'Topics are `<topicPrefix>.<collection>`.',
      env: ['PINTEREST_CDC_TOPIC_PREFIX'],
      default: 'pinterest',
      schema: topicPrefix,
      typeDoc: 'topic name characters',
    }),
    partitions: integer({
      description: 'Partitions of topics the service creates (-1 = broker default `num.partitions`).',
      default: 3,
      min: -1,
      max: 10_000,
    }),
    replicationFactor: integer({
      description:
        "Replication factor of topics the service creates. Default -1 = the broker's " +
        "`default.replication.factor` (KIP-464): 1 on a single-node dev broker, the platform's policy (often 3) " +
        'on a managed cluster, so neither fails nor silently under-replicates.',
      default: -1,
      min: -1,
      max: 32,
    }),
    cleanupPolicy: choice(['compact', 'delete', 'compact,delete'], {
      description: '`cleanup.policy` of created topics; `compact` keeps the latest event per key forever.',
      default: 'compact',
    }),
    transactionBatchSize: integer({
      description: 'Change events per Kafka transaction (with the state updates that record them).',
      default: 1000,
      min: 1,
      max: 100_000,
    }),
    transactionTimeoutSeconds: integer({
      description:
        'Kafka aborts a transaction left open longer than this (`transaction.timeout.ms`; at most the ' +
        "broker's `transaction.max.timeout.ms`, 900 by default). A broker paused or slow for about a minute lets " +
        'the open transaction finish; after a longer stall the transaction is aborted and sent again. Also how ' +
        'long a hung instance that never comes back can hold `read_committed` consumers (README "Slow or ' +
        'paused broker").',
      default: 120,
      min: 1,
      max: 900,
    }),
    requestTimeoutSeconds: integer({
      description:
        'Wait for one Kafka request before it counts as failed and is retried (the Java client default).',
      default: 30,
      min: 1,
      max: 300,
    }),
    ssl: flag({description: 'Connect with TLS.', env: ['KAFKA_SSL'], default: false}),
    sslCaFile: optional(
      text({
        description:
          "PEM file of the CA (or CAs) that signed the brokers' certificates, for a cluster whose CA the system " +
          "does not trust (a private CA, the local stack's `--secure` mode); unset = Node's bundled CAs " +
          '(plus `NODE_EXTRA_CA_CERTS`). Needs `kafka.ssl`.',
        env: ['KAFKA_SSL_CA_FILE'],
        typeDoc: 'path',
      })
    ),
    sasl: {
      mechanism: optional(
        choice(['plain', 'scram-sha-256', 'scram-sha-512'], {
          description: 'SASL mechanism; unset = no SASL.',
          env: ['KAFKA_SASL_MECHANISM'],
        })
      ),
      username: optional(text({description: 'SASL username.', env: ['KAFKA_SASL_USERNAME']})),
      password: optional(text({description: 'SASL password.', env: ['KAFKA_SASL_PASSWORD'], secret: true})),
    },
  },
  schemaRegistry: {
    url: text({
      description:
        'Confluent-compatible schema registry (Apicurio: the full `/apis/ccompat/v7` path). No credentials in it.',
      env: ['SCHEMA_REGISTRY_URL'],
      example: 'http://127.0.0.1:8080/apis/ccompat/v7',
      schema: httpUrl,
      typeDoc: 'URL',
    }),
    username: optional(text({description: 'Basic-auth username.', env: ['SCHEMA_REGISTRY_USERNAME']})),
    password: optional(
      text({description: 'Basic-auth password.', env: ['SCHEMA_REGISTRY_PASSWORD'], secret: true})
    ),
  },
  sync: {
    adAccountIds: list(adAccountId, {
      description:
        'Ad accounts of the connection `default` (the single-connection settings) to capture; empty = every ad ' +
        'account its token can see. Named connections have their own (`pinterest.connections.<name>.adAccountIds`).',
      default: [],
      example: ['549755885175'],
      itemDoc: 'numeric ids',
    }),
    collections: list(entityCollection, {
      description: 'Entity collections to capture.',
      default: [...ENTITY_COLLECTIONS],
      itemDoc: 'entity collections',
      nonEmpty: true,
    }),
    intervalSeconds: integer({
      description: 'Time between the starts of two sync cycles.',
      default: 3600,
      min: 1,
      max: 7 * 86_400,
    }),
    keepImages: list(entityCollection, {
      description:
        'Collections whose state keeps the full record, so `u`/`d` events carry `before` (others keep hashes ' +
        'only: less memory, `before` null).',
      default: COLLECTIONS.filter((c) => c.kind === 'entity' && c.keepBeforeImages).map((c) => c.name),
      itemDoc: 'entity collections',
    }),
    deleteGuardPercent: integer({
      description:
        "A complete listing that would delete more than this percentage of a collection's tracked records " +
        '(an empty or truncated answer looks like that) holds its deletes until the next complete listing ' +
        'agrees; held deletes are logged and counted (`pinterest_cdc_deletes_held_total`). 100 = never hold.',
      default: 10,
      min: 1,
      max: 100,
    }),
    instanceId: text({
      description:
        'Stable id of this deployment: part of transactional ids and state keys. Two running instances must ' +
        'never share one (Kafka fences the older).',
      default: 'default',
      schema: identifier,
    }),
    connectorName: optional(
      text({
        description:
          "Logical name written in every event's `source.name` (Debezium's role for it); default: the topic prefix.",
        schema: identifier,
      })
    ),
    shutdownTimeoutSeconds: integer({
      description:
        "Deadline to finish the in-flight batch on SIGTERM; keep below Kubernetes' terminationGracePeriodSeconds.",
      default: 20,
      min: 1,
      max: 600,
    }),
  },
  analytics: {
    collections: list(analyticsCollection, {
      description:
        'Analytics collections to capture (daily rows per ad, campaign, ad group, ad account); empty = none ' +
        '(as an environment variable `[]`: an empty variable counts as unset and keeps the default).',
      default: ['ad_analytics', 'campaign_analytics'],
      itemDoc: 'analytics collections',
    }),
    startDate: text({
      description:
        'First day of the backfill (UTC). Days older than 89 days come from async reports; at most 913 days ' +
        'back (older days are not served).',
      default: ({now}) => isoDay(new Date(now.getTime() - 30 * DAY_MS)),
      defaultDoc: '30 days before today (UTC)',
      schema: isoDate,
      typeDoc: 'date `YYYY-MM-DD`',
    }),
    intervalSeconds: integer({
      description:
        'Time between the starts of two analytics cycles (each re-reads the restatement window); entity ' +
        'listings keep `sync.intervalSeconds`. A kind that falls due while a cycle runs starts when it ends. ' +
        'A cycle costs about ceil(ads / 250) + ceil(campaigns / 250) ads_analytics requests per ad account ' +
        '(ads and campaigns that can have rows in the window): 401 for 100,000 running ads in 100 campaigns, ' +
        '2% of an hour of the 300/min budget.',
      default: 3600,
      min: 1,
      max: 7 * 86_400,
    }),
    restatementDays: integer({
      description:
        'Trailing days (today included) re-read every cycle, as conversions are attributed late; older days ' +
        'are settled: never read again. Keep it at least the longest attribution window (a warning says so).',
      default: 30,
      min: 1,
      max: MAX_RESTATEMENT_DAYS,
    }),
    columns: list(columnName, {
      description:
        'Metric columns requested (Pinterest `columns`); each must be one of the documented columns. ' +
        'Changing them makes the next cycle emit `u` for every row of the window.',
      default: [...DEFAULT_ANALYTICS_COLUMNS],
      itemDoc: 'column names',
      nonEmpty: true,
    }),
    clickWindowDays: integerOf({
      description: 'Pinterest `click_window_days`.',
      default: 30,
      values: ATTRIBUTION_WINDOW_DAYS,
    }),
    engagementWindowDays: integerOf({
      description: 'Pinterest `engagement_window_days`.',
      default: 30,
      values: ATTRIBUTION_WINDOW_DAYS,
    }),
    viewWindowDays: integerOf({
      description: 'Pinterest `view_window_days`.',
      default: 1,
      values: ATTRIBUTION_WINDOW_DAYS,
    }),
    conversionReportTime: choice(['TIME_OF_AD_ACTION', 'TIME_OF_CONVERSION'], {
      description:
        'Pinterest `conversion_report_time`: count a conversion on the day of the ad action (the API default) ' +
        'or of the conversion.',
      default: 'TIME_OF_AD_ACTION',
    }),
  },
  observability: {
    metricsHost: text({
      description: 'Address of the /metrics, /healthz, /readyz server (the container image sets 0.0.0.0).',
      env: ['METRICS_HOST'],
      default: '127.0.0.1',
      typeDoc: 'host',
    }),
    metricsPort: integer({
      description: 'Port of that server (0 = any free port).',
      env: ['METRICS_PORT'],
      default: 9464,
      min: 0,
      max: 65_535,
    }),
    logLevel: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      description: 'Log level.',
      env: ['LOG_LEVEL'],
      default: 'info',
    }),
    logFormat: choice(['json', 'pretty'], {
      description: 'JSON lines, or human-readable (needs the dev dependency pino-pretty).',
      env: ['LOG_FORMAT'],
      default: 'json',
    }),
    progressIntervalSeconds: integer({
      description: 'Seconds between progress log lines during long syncs.',
      default: 60,
      min: 1,
      max: 3600,
    }),
  },
} as const;

/** The typed, validated configuration. */
export type AppConfig = ConfigOf<typeof settings>;

/** Every collection this configuration syncs, entities first: one topic and one pair of subjects each. */
export function configuredCollections(config: AppConfig): string[] {
  return [...config.sync.collections, ...config.analytics.collections];
}
