/**
 * Checks that span several settings. Each rule names the paths it reads; it runs only when those paths are
 * individually valid, so one mistake is reported once.
 */
import type {AppConfig} from './settings';

export interface CrossRule {
  readonly paths: readonly string[];
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
    ],
    check({pinterest: p}) {
      const refresh = {clientId: p.clientId, clientSecret: p.clientSecret, refreshToken: p.refreshToken};
      const missing = Object.entries(refresh)
        .filter(([, v]) => !set(v))
        .map(([k]) => `pinterest.${k}`);
      if (missing.length === 0 || set(p.accessToken)) return [];
      const env = {
        'pinterest.clientId': 'PINTEREST_CLIENT_ID',
        'pinterest.clientSecret': 'PINTEREST_CLIENT_SECRET',
        'pinterest.refreshToken': 'PINTEREST_REFRESH_TOKEN',
      } as Record<string, string>;
      return [
        `pinterest credentials: set pinterest.clientId + pinterest.clientSecret + pinterest.refreshToken ` +
          `(PINTEREST_CLIENT_ID, PINTEREST_CLIENT_SECRET, PINTEREST_REFRESH_TOKEN), or pinterest.accessToken ` +
          `(PINTEREST_ACCESS_TOKEN); missing: ${missing.map((m) => `${m} (${env[m]})`).join(', ')}`,
      ];
    },
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
          `(${longest} days): conversions attributed later would never be emitted; raise it to ${longest} ` +
          `(PINTEREST_CDC_ANALYTICS__RESTATEMENT_DAYS)`,
      ];
    },
  },
];

/** Checks that need the current date (injectable). */
export function startDateRule(now: Date): CrossRule {
  return {
    paths: ['analytics.startDate'],
    check({analytics}) {
      const today = now.toISOString().slice(0, 10);
      if (analytics.startDate <= today) return [];
      return [
        `analytics.startDate: ${analytics.startDate} is in the future (PINTEREST_CDC_ANALYTICS__START_DATE)`,
      ];
    },
  };
}
