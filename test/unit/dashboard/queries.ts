/**
 * The queries of the Grafana dashboard (helm/pinterest-cdc/files/dashboards/pinterest-cdc.json) as Grafana would send
 * them to Prometheus: every panel target and every variable query, with the variables and Grafana's built-in
 * intervals substituted.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

export const DASHBOARD_FILE = join(
  __dirname,
  '..',
  '..',
  '..',
  'helm',
  'pinterest-cdc',
  'files',
  'dashboards',
  'pinterest-cdc.json'
);

interface Target {
  expr?: string;
  refId?: string;
  instant?: boolean;
  range?: boolean;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | {query: string};
  includeAll?: boolean;
  allValue?: string;
}

export interface PanelQuery {
  /** `<panel title> [<refId>]`, unique in the dashboard. */
  id: string;
  panelId: number;
  expr: string;
  /** Grafana sends an instant query (stat panels) rather than a range query. */
  instant: boolean;
}

export interface VariableQuery {
  name: string;
  /** label_values(<match>, <label>) */
  label: string;
  match: string;
  allValue: string | undefined;
}

function load(): {panels: Panel[]; templating: {list: Variable[]}} {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
    panels: Panel[];
    templating: {list: Variable[]};
  };
}

export function panelQueries(): PanelQuery[] {
  const out: PanelQuery[] = [];
  const walk = (panels: Panel[]) => {
    for (const panel of panels) {
      if (panel.panels) walk(panel.panels);
      for (const target of panel.targets ?? []) {
        if (!target.expr) continue;
        out.push({
          id: `${panel.title} [${target.refId ?? 'A'}]`,
          panelId: panel.id,
          expr: target.expr,
          instant: target.instant === true && target.range !== true,
        });
      }
    }
  };
  walk(load().panels);
  return out;
}

export function variableQueries(): VariableQuery[] {
  return load()
    .templating.list.filter((v) => v.type === 'query')
    .map((v) => {
      const text = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
      const parsed = /^label_values\((.*),\s*(\w+)\)$/.exec(text.trim());
      if (!parsed) throw new Error(`variable ${v.name}: not a label_values(...) query: ${text}`);
      return {name: v.name, match: parsed[1] as string, label: parsed[2] as string, allValue: v.allValue};
    });
}

/** Replaces `$name`/`${name}` variables and Grafana's `$__rate_interval`, `$__interval`, `$__range`. */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      const value = values[name];
      if (value === undefined) throw new Error(`no value for $${name} in ${expr}`);
      return value;
    }
  );
}
