/**
 * Which metric names a PromQL expression reads, and which metric names exist: those a live Metrics instance of
 * src/observability/metrics.ts registers, and the prom-client default metrics (process_*, nodejs_*), both taken
 * from live prom-client registries.
 */
import {collectDefaultMetrics, Registry} from 'prom-client';

import {Metrics} from '../../../src/observability/metrics';

/** Series Prometheus itself adds to every scrape (not exported by any process). */
export const PROMETHEUS_SCRAPE_SERIES = new Set(['up']);

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** Metric names read by a PromQL expression (Grafana variables such as $__rate_interval allowed). */
export function metricNamesInExpr(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const start = match.index;
    const before = start > 0 ? stripped[start - 1] : ' ';
    if (before !== undefined && /[0-9.$]/.test(before)) continue; // 1e3, $variable
    const after = stripped.slice(start + token.length).trimStart();
    if (after.startsWith('(')) continue; // a function call
    if (KEYWORDS.has(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names];
}

export interface DefinedMetric {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  source: 'pinterest-cdc' | 'prom-client';
}

/**
 * pinterest-cdc's own metrics, as a Metrics instance registers them (so a metric built by a helper, such as the
 * progress gauges, counts too; reading the source's `name('...')` calls missed those).
 */
export function productMetrics(): DefinedMetric[] {
  const registry = new Registry();
  new Metrics({registry, version: 'test', defaultMetrics: false});
  return (registry.getMetricsAsArray() as unknown as {name: string; type: string}[]).map((m) => ({
    name: m.name,
    type: m.type as DefinedMetric['type'],
    source: 'pinterest-cdc',
  }));
}

/** prom-client's default metrics as a registry really exposes them. */
export async function promClientDefaultMetrics(): Promise<DefinedMetric[]> {
  const registry = new Registry();
  collectDefaultMetrics({register: registry});
  const json = await registry.getMetricsAsJSON();
  return json.map((m) => ({
    name: m.name,
    type: String(m.type) as DefinedMetric['type'],
    source: 'prom-client',
  }));
}

/** Every series name a scrape can contain: histograms add _bucket, _sum and _count. */
export function seriesNames(metrics: DefinedMetric[]): Set<string> {
  const names = new Set<string>(PROMETHEUS_SCRAPE_SERIES);
  for (const m of metrics) {
    names.add(m.name);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    if (m.type === 'summary') for (const s of ['_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

/** Names of every series known to pinterest-cdc's /metrics (plus `up`). */
export async function knownSeries(): Promise<Set<string>> {
  return seriesNames([...productMetrics(), ...(await promClientDefaultMetrics())]);
}
