import {readFileSync} from 'node:fs';

import {knownSeries, metricNamesInExpr, productMetrics} from './promql-metrics';
import {DASHBOARD_FILE as DASHBOARD} from './queries';

interface Target {
  expr?: string;
  refId?: string;
  datasource?: {type?: string; uid?: string};
}
interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: {type?: string; uid?: string};
  gridPos: {x: number; y: number; w: number; h: number};
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | {query: string};
  definition?: string;
  datasource?: {uid?: string};
}
interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  panels: Panel[];
  templating: {list: Variable[]};
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({panel: p.title, ...t})));

describe('Grafana dashboard files/dashboards/pinterest-cdc.json', () => {
  it('has a stable uid, a title and tags', () => {
    expect(dashboard.uid).toBe('pinterest-cdc-overview');
    expect(dashboard.uid.length).toBeLessThanOrEqual(40);
    expect(dashboard.title).toBe('pinterest-cdc');
    expect(dashboard.tags).toContain('pinterest-cdc');
  });

  it('has the rows Overview, Pinterest API, Pipeline, Kafka, State, Fleet, Runtime in that order', () => {
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Overview', 'Pinterest API', 'Pipeline', 'Kafka', 'State', 'Fleet', 'Runtime']);
    // Every row holds at least one panel.
    const order = dashboard.panels.map((p) => p.type);
    order.forEach((type, i) => {
      if (type === 'row') expect(order[i + 1]).not.toBe('row');
    });
    expect(order[order.length - 1]).not.toBe('row');
  });

  it('has the variables datasource (prometheus, no fixed uid), namespace, job and collection', () => {
    const vars = dashboard.templating.list;
    expect(vars.map((v) => v.name)).toEqual(['datasource', 'namespace', 'job', 'collection']);
    const ds = vars[0] as Variable;
    expect(ds.type).toBe('datasource');
    expect(ds.query).toBe('prometheus');
    for (const v of vars.slice(1)) {
      expect(v.type).toBe('query');
      expect(v.datasource?.uid).toBe('${datasource}');
    }
  });

  it('gives every panel a title, a description and a query through ${datasource}', () => {
    expect(panels.length).toBeGreaterThan(20);
    for (const p of panels) {
      expect({title: p.title, description: (p.description ?? '').length > 10}).toEqual({
        title: p.title,
        description: true,
      });
      expect(p.datasource?.uid).toBe('${datasource}');
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe('${datasource}');
    }
  });

  it('lays panels out on the 24-column grid with unique ids', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.gridPos.w).toBeGreaterThan(0);
    }
  });

  it('filters every query by namespace and job, and rates over $__rate_interval or a fixed window', () => {
    for (const t of targets) {
      const expr = t.expr ?? '';
      expect({panel: t.panel, namespace: expr.includes('namespace=~"$namespace"')}).toEqual({
        panel: t.panel,
        namespace: true,
      });
      expect({panel: t.panel, job: expr.includes('job=~"$job"')}).toEqual({panel: t.panel, job: true});
      for (const m of expr.matchAll(/\b(?:rate|increase)\([^[]*\[([^\]]+)\]/g)) {
        expect(['$__rate_interval', '$__range', '2h']).toContain(m[1]);
      }
    }
  });

  it('reads only metrics defined in src/observability/metrics.ts or prom-client defaults', async () => {
    const known = await knownSeries();
    const exprs = [
      ...targets.map((t) => ({where: `panel "${t.panel}"`, expr: t.expr ?? ''})),
      ...dashboard.templating.list
        .filter((v) => v.type === 'query')
        .map((v) => ({
          where: `variable ${v.name}`,
          // label_values(<series selector>, <label>)
          expr: /^label_values\((.*),\s*\w+\)$/.exec(v.definition ?? '')?.[1] ?? `unparsed ${v.definition}`,
        })),
    ];
    const unknown: string[] = [];
    let read = 0;
    for (const {where, expr} of exprs) {
      for (const name of metricNamesInExpr(expr)) {
        read++;
        if (!known.has(name)) unknown.push(`${where}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
    expect(read).toBeGreaterThan(exprs.length - 1);
  });

  it('shows most of the product metrics', () => {
    const text = targets.map((t) => t.expr).join('\n');
    const defined = productMetrics();
    const shown = defined.filter((m) => text.includes(m.name));
    expect(shown.length / defined.length).toBeGreaterThan(0.9);
  });
});

describe('metricNamesInExpr', () => {
  it('finds metrics, not functions, labels, keywords, ranges or variables', () => {
    expect(
      metricNamesInExpr(
        'histogram_quantile(0.99, sum by (le, endpoint) (rate(foo_bucket{job=~"$job", x="a b"}[$__rate_interval]))) / on (job) group_left bar_total > 1e3 and time() - baz offset 5m'
      ).sort()
    ).toEqual(['bar_total', 'baz', 'foo_bucket']);
  });

  it('catches a metric that does not exist', async () => {
    const known = await knownSeries();
    const names = metricNamesInExpr(
      'sum(rate(pinterest_cdc_api_request_total[5m])) + nodejs_heap_size_used_bytes'
    );
    expect(names.filter((n) => !known.has(n))).toEqual(['pinterest_cdc_api_request_total']);
  });
});
