/**
 * The chart's PrometheusRule checked by a real Prometheus toolchain (promtool 2.x from Debian's prometheus package,
 * installed by scripts/install-tool.js): the rules of the rendered object (ci/servicemonitor-values.yaml) pass
 * `promtool check rules` (PromQL parses, templates parse, no duplicates), and `promtool test rules` runs
 * prometheusrule.promtool.yaml, where every alert fires in a case of its own with its exact labels and rendered
 * annotations, and stays quiet in a negative case. A new alert without such cases fails here.
 */
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {parse as parseYaml, stringify} from 'yaml';

import {tool} from '../../tools';
import {render} from './helm';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}
interface PromtoolTests {
  tests: {
    name: string;
    alert_rule_test?: {eval_time: string; alertname: string; exp_alerts: unknown[]}[];
  }[];
}

const TESTS_FILE = join(__dirname, 'prometheusrule.promtool.yaml');

function promtool(args: string[], cwd: string) {
  const result = spawnSync(tool('promtool'), args, {cwd, encoding: 'utf8'});
  return {status: result.status, out: `${result.stdout}${result.stderr}`};
}

describe('PrometheusRule, checked by promtool', () => {
  jest.setTimeout(120_000);
  let dir: string;
  let rules: Rule[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdc-promtool-'));
    const objects = render({valuesFiles: ['servicemonitor-values.yaml']});
    const object = objects.find((o) => o.kind === 'PrometheusRule') as unknown as {
      spec: {groups: {name: string; rules: Rule[]}[]};
    };
    rules = object.spec.groups.flatMap((g) => g.rules);
    // What the Prometheus Operator hands Prometheus: the spec's groups as a rule file.
    writeFileSync(join(dir, 'rules.yaml'), stringify({groups: object.spec.groups}));
    copyFileSync(TESTS_FILE, join(dir, 'tests.yaml'));
  });

  afterAll(() => rmSync(dir, {recursive: true, force: true}));

  it('passes promtool check rules', () => {
    const result = promtool(['check', 'rules', 'rules.yaml'], dir);
    expect(result).toEqual({status: 0, out: expect.stringContaining(`SUCCESS: ${rules.length} rules found`)});
  });

  it('passes promtool test rules: every case of prometheusrule.promtool.yaml', () => {
    const result = promtool(['test', 'rules', 'tests.yaml'], dir);
    expect({status: result.status, out: result.out}).toEqual({
      status: 0,
      out: expect.stringContaining('SUCCESS'),
    });
  });

  it('has a firing case and a quiet case for every alert, and no case for an alert that does not exist', () => {
    const cases = (parseYaml(readFileSync(TESTS_FILE, 'utf8')) as PromtoolTests).tests.flatMap(
      (t) => t.alert_rule_test ?? []
    );
    const alerts = rules.map((r) => r.alert).filter((a): a is string => a !== undefined);
    expect(alerts.length).toBeGreaterThanOrEqual(7);
    const coverage = alerts.map((alert) => ({
      alert,
      fires: cases.some((c) => c.alertname === alert && c.exp_alerts.length > 0),
      quiet: cases.some((c) => c.alertname === alert && c.exp_alerts.length === 0),
    }));
    expect(coverage).toEqual(alerts.map((alert) => ({alert, fires: true, quiet: true})));
    expect([...new Set(cases.map((c) => c.alertname))].sort()).toEqual([...alerts].sort());
  });

  it('fails a case whose expectation is wrong: a negative control for promtool test rules', () => {
    const text = readFileSync(TESTS_FILE, 'utf8');
    expect(text).toContain('severity: critical');
    writeFileSync(join(dir, 'wrong.yaml'), text.replace('severity: critical', 'severity: page'));
    const result = promtool(['test', 'rules', 'wrong.yaml'], dir);
    expect(result.status).not.toBe(0);
    expect(result.out).toContain('FAILED');
  });
});
