/**
 * Checks that span several settings. Each rule names the paths it reads; it runs only when those paths are
 * individually valid, so one mistake is reported once.
 */
import {analyticsColumn} from '../collections/analytics-columns';
import {connectionProblems} from './connections';
import type {AppConfig} from './settings';

export interface CrossRule {
  readonly paths: readonly string[];
  /**
   * The settings group the rule is about, when it reads paths of other groups too (the connections rule reads
   * sync.adAccountIds): a command that does not use that group skips the rule. Default: the rule is skipped when
   * every path it reads is in unused groups.
   */
  readonly group?: string;
  check(config: AppConfig): string[];
}

const set = (value: string | undefined): boolean => value !== undefined && value !== '';

export const crossRules: readonly CrossRule[] = [
  {
    paths: [
      'pinterest.clientId',
      'pinterest.clientSecret',
      'pinterest.refreshToken',
      'pinterest.accessToken',
      'pinterest.connections',
      'sync.adAccountIds',
    ],
    group: 'pinterest',
    check: connectionProblems,
  },
  {
    paths: ['kafka.sasl.mechanism', 'kafka.sasl.username', 'kafka.sasl.password'],
    check({kafka: {sasl}}) {
      const problems: string[] = [];
      if (sasl.mechanism !== undefined) {
        if (!set(sasl.username))
          problems.push(
            'kafka.sasl.username: required when kafka.sasl.mechanism is set (KAFKA_SASL_USERNAME)'
          );
        if (!set(sasl.password))
          problems.push(
            'kafka.sasl.password: required when kafka.sasl.mechanism is set (KAFKA_SASL_PASSWORD)'
          );
      } else if (set(sasl.username) || set(sasl.password)) {
        problems.push(
          'kafka.sasl.mechanism: required when a SASL username or password is set (KAFKA_SASL_MECHANISM)'
        );
      }
      return problems;
    },
  },
  {
    paths: ['kafka.ssl', 'kafka.sslCaFile'],
    check({kafka}) {
      if (kafka.ssl || !set(kafka.sslCaFile)) return [];
      return ['kafka.sslCaFile: set, but kafka.ssl is false; set kafka.ssl=true (KAFKA_SSL=true) to use TLS'];
    },
  },
  {
    paths: ['schemaRegistry.username', 'schemaRegistry.password'],
    check({schemaRegistry: r}) {
      if (set(r.username) === set(r.password)) return [];
      return [
        'schemaRegistry: username and password go together (SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD)',
      ];
    },
  },
];

/** Checks that need the current date (injectable). */
export function startDateRule(now: Date): CrossRule {
  return {
    paths: ['analytics.startDate', 'analytics.columns'],
    check({analytics}) {
      const today = now.toISOString().slice(0, 10);
      if (analytics.startDate > today) {
        return [
          `analytics.startDate: ${analytics.startDate} is in the future (PINTEREST_CDC_ANALYTICS__START_DATE)`,
        ];
      }
      // notes/pinterest-api.md §3-§4: the sync endpoint reaches 89 days back; older days need async reports.
      const syncReach = new Date(Date.parse(`${today}T00:00:00Z`) - 89 * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const syncOnly = analytics.columns.filter((c) => analyticsColumn(c)?.inReports === false);
      if (analytics.startDate >= syncReach || syncOnly.length === 0) return [];
      return [
        `analytics.columns: ${syncOnly.join(', ')} cannot be read from async reports, which serve the days ` +
          `before ${syncReach} that analytics.startDate ${analytics.startDate} asks for; drop them or start later`,
      ];
    },
  };
}

/**
 * Settings that work but probably not as meant: logged at start (openPipeline), not refused, since a shorter
 * restatement window is a legitimate trade of completeness for requests.
 */
export const warningRules: readonly CrossRule[] = [
  {
    paths: [
      'analytics.restatementDays',
      'analytics.clickWindowDays',
      'analytics.engagementWindowDays',
      'analytics.viewWindowDays',
    ],
    check({analytics: a}) {
      const longest = Math.max(a.clickWindowDays, a.engagementWindowDays, a.viewWindowDays);
      if (a.restatementDays >= longest) return [];
      return [
        `analytics.restatementDays: ${a.restatementDays} is shorter than the longest attribution window ` +
          `(${longest} days): conversions Pinterest attributes to a day after it left the window are never ` +
          `emitted; raise it to ${longest} (PINTEREST_CDC_ANALYTICS__RESTATEMENT_DAYS)`,
      ];
    },
  },
];

/** The warnings of a loaded configuration (every rule's paths are valid once it loaded). */
export function configWarnings(config: AppConfig): string[] {
  return warningRules.flatMap((rule) => rule.check(config));
}
