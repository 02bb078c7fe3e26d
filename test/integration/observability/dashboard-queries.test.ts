/**
 * The Grafana dashboard against real data: the service (`pinterest-cdc run`, the CLI in its own process) syncs the
 * sandbox into the test's Kafka + registry every 2 s while a real Prometheus scrapes it every second. The run
 * goes through creates, updates, archives and deletes, a bad record (a dead letter), and a phase where the sandbox
 * answers 429 and 503 on one endpoint. Then every query of the dashboard runs through Prometheus' HTTP API as
 * Grafana would send it (variables resolved by their own label_values queries, All = `.*`):
 * - no query may fail;
 * - every query returns data, except those listed below with the reason each is empty. A listed query that has
 *   data now is reported (tighten the list); one listed as "healthy run" must stay empty.
 * The chart's PrometheusRule is loaded into the same Prometheus (selector pointed at this run): every rule must
 * evaluate without error on the real series.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {render} from '../../unit/chart/helm';
import {panelQueries, substitute, variableQueries} from '../../unit/dashboard/queries';
import {freePort, startPrometheus, type QueryAnswer, type RunningPrometheus} from '../helpers/prometheus';
import {serviceEnv} from '../helpers/service-env';

const ROOT = join(__dirname, '..', '..', '..');
const JOB = 'pinterest-cdc-it';
const NAMESPACE = 'it';
const SCRAPE_SECONDS = 1;
const SYNC_SECONDS = 2;
// Grafana's $__rate_interval is at least four scrape intervals; a bit more spans a sync cycle or two.
const RATE_INTERVAL = '10s';

/** Empty now, with data once the piece named lands: reported when they have data, so the list can shrink. */
const EMPTY_UNTIL_LANDED: Record<string, string> = {};

/** Empty because this run is healthy where it says: data here is a failure. */
const EMPTY_IN_A_HEALTHY_RUN: Record<string, string> = {
  'Produce errors [A]':
    'the broker stays up, so no produce fails (test/integration/e2e-restart covers failures)',
};

function hasData(answer: QueryAnswer): boolean {
  return answer.ok && answer.series.some((s) => s.values.some(([, v]) => Number.isFinite(Number(v))));
}

describe('Grafana dashboard queries on a real Prometheus scraping the running service', () => {
  jest.setTimeout(300_000);
  let sandbox: RunningSandbox;
  let service: ChildProcess;
  let serviceOutput = '';
  let prometheus: RunningPrometheus;
  let tokens: string;
  let start: number;
  let end: number;
  const variables: Record<string, string> = {};
  const resolved: Record<string, string[]> = {};
  const selector = `job="${JOB}", namespace="${NAMESPACE}"`;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 1,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 2,
        adsPerAdGroup: 2,
        boards: 3,
        pins: 40,
      },
    });
    tokens = mkdtempSync(join(tmpdir(), 'cdc-dashboard-'));
    const metricsPort = await freePort();
    service = spawn(process.execPath, [join(ROOT, 'bin', 'pinterest-cdc.js'), 'run'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PINTEREST_CDC_FROM_SOURCE: '1',
        ...serviceEnv(sandbox, `dash_${randomBytes(4).toString('hex')}`, {
          PINTEREST_CDC_SYNC__INTERVAL_SECONDS: String(SYNC_SECONDS),
          PINTEREST_CDC_PINTEREST__TOKEN_STORE: 'file',
          PINTEREST_CDC_PINTEREST__TOKEN_STORE_PATH: join(tokens, 'tokens.json'),
          METRICS_HOST: '127.0.0.1',
          METRICS_PORT: String(metricsPort),
          LOG_LEVEL: 'warn',
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout?.on('data', (chunk: Buffer) => (serviceOutput += chunk.toString()));
    service.stderr?.on('data', (chunk: Buffer) => (serviceOutput += chunk.toString()));

    // The chart's alert rules, selecting this run's series.
    const rule = render({
      valuesFiles: ['servicemonitor-values.yaml'],
      set: [`prometheusRule.selector=${selector.replaceAll(',', '\\,')}`],
    }).find((o) => o.kind === 'PrometheusRule') as unknown as {spec: {groups: unknown[]}};
    prometheus = await startPrometheus({
      scrapeIntervalSeconds: SCRAPE_SECONDS,
      targets: [{job: JOB, address: `127.0.0.1:${metricsPort}`, labels: {namespace: NAMESPACE}}],
      ruleFiles: {'pinterest-cdc.rules.yaml': {groups: rule.spec.groups}},
    });
    start = Math.floor(Date.now() / 1000);

    const cycles = `sum(pinterest_cdc_cycle_duration_seconds_count{${selector}})`;
    const waitCycles = async (atLeast: number) => {
      try {
        return await prometheus.waitFor(cycles, (n) => n >= atLeast, 120_000);
      } catch (error) {
        throw new Error(
          `${String(error)}\nservice output:\n${serviceOutput}\nprometheus:\n${prometheus.log()}`
        );
      }
    };
    // The first snapshot (r events), then every kind of change, a record that cannot be encoded (dead letter),
    // then 429s and 503s on one endpoint for a few cycles (retries, rate limits, non-2xx answers).
    let seen = await waitCycles(2);
    sandbox.control.applyChanges([
      {kind: 'create', collection: 'campaigns', count: 1},
      {kind: 'update', collection: 'ads', count: 2},
      {kind: 'archive', collection: 'ad_groups', count: 1},
      {kind: 'create', collection: 'pins', count: 2},
      {kind: 'delete', collection: 'pins', count: 1},
      {kind: 'update', collection: 'campaigns', count: 1, set: {daily_spend_cap: 'twelve dollars'}},
    ]);
    seen = await waitCycles(seen + 2);
    sandbox.control.setFaults({errorRate: 0.5, errorStatus: 429, pathPattern: '/boards'});
    seen = await waitCycles(seen + 2);
    sandbox.control.setFaults({errorRate: 0.5, errorStatus: 503, pathPattern: '/boards'});
    seen = await waitCycles(seen + 2);
    sandbox.control.clearFaults();
    await waitCycles(seen + 2);
    // Two more scrapes, so the last counters are in.
    await new Promise((r) => setTimeout(r, 2 * SCRAPE_SECONDS * 1000 + 500));
    end = Math.floor(Date.now() / 1000);

    Object.assign(variables, {__rate_interval: RATE_INTERVAL, __interval: `${SCRAPE_SECONDS}s`});
    variables.__range = `${end - start}s`;
    for (const v of variableQueries()) {
      // Grafana resolves variables in order; a later one refers to the earlier ones with their All value.
      const values = await prometheus.labelValues(v.label, substitute(v.match, variables));
      resolved[v.name] = values;
      variables[v.name] = v.allValue ?? values.join('|');
    }
  });

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    await prometheus?.stop();
    await sandbox?.close();
    if (tokens) rmSync(tokens, {recursive: true, force: true});
  });

  it('resolves every dashboard variable to values that include this run (label_values)', () => {
    expect(resolved.namespace).toContain(NAMESPACE);
    expect(resolved.job).toContain(JOB);
    expect(resolved.collection).toEqual(expect.arrayContaining(['ad_accounts', 'campaigns', 'ads', 'pins']));
  });

  it('runs every panel query without an error, with data except where the list says why not', async () => {
    const rows: {id: string; ok: boolean; error?: string; data: boolean}[] = [];
    for (const q of panelQueries()) {
      const expr = substitute(q.expr, variables);
      const answer = q.instant
        ? await prometheus.query(expr, end)
        : await prometheus.queryRange(expr, start, end, 1);
      rows.push({
        id: q.id,
        ok: answer.ok,
        ...(answer.ok ? {} : {error: answer.error}),
        data: hasData(answer),
      });
    }
    const failed = rows.filter((r) => !r.ok).map((r) => `${r.id}: ${r.error}`);
    const missing = rows
      .filter((r) => r.ok && !r.data && !(r.id in EMPTY_UNTIL_LANDED) && !(r.id in EMPTY_IN_A_HEALTHY_RUN))
      .map((r) => r.id);
    const unhealthy = rows.filter((r) => r.data && r.id in EMPTY_IN_A_HEALTHY_RUN).map((r) => r.id);
    const listedButData = rows.filter((r) => r.data && r.id in EMPTY_UNTIL_LANDED).map((r) => r.id);
    const unknownListed = [...Object.keys(EMPTY_UNTIL_LANDED), ...Object.keys(EMPTY_IN_A_HEALTHY_RUN)].filter(
      (id) => !rows.some((r) => r.id === id)
    );
    const empty = rows.filter((r) => r.ok && !r.data).map((r) => r.id);
    process.stderr.write(
      `[dashboard] ${rows.length} queries over ${end - start} s: ${rows.length - empty.length} with data, ` +
        `${empty.length} empty:\n${empty
          .map((id) => `  - ${id}: ${EMPTY_UNTIL_LANDED[id] ?? EMPTY_IN_A_HEALTHY_RUN[id] ?? 'NOT EXPECTED'}`)
          .join('\n')}\n` +
        (listedButData.length > 0
          ? `[dashboard] listed as empty but have data now (remove them from EMPTY_UNTIL_LANDED): ${listedButData.join(', ')}\n`
          : '')
    );
    expect({failed, missing, unhealthy, unknownListed}).toEqual({
      failed: [],
      missing: [],
      unhealthy: [],
      unknownListed: [],
    });
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it("evaluates every rule of the chart's PrometheusRule on the real series without an error", async () => {
    const rules = await prometheus.rules();
    expect(rules.length).toBeGreaterThanOrEqual(7);
    expect(
      rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)
    ).toEqual([]);
    // The service is up and cycling: neither of these may fire. The dead letter of this run fires its alert (no
    // `for`), which shows the rules select this run's real series.
    const firing = rules.filter((r) => r.state === 'firing').map((r) => r.name);
    expect(firing).not.toContain('PinterestCdcDown');
    expect(firing).not.toContain('PinterestCdcCycleStale');
    expect(firing).toContain('PinterestCdcDeadLetters');
  });
});
