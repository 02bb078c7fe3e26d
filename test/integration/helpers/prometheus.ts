/**
 * A real Prometheus server for tests (Debian's prometheus 2.x, installed by scripts/install-tool.js): scrapes the
 * given targets on 127.0.0.1, optionally evaluates rule files, answers PromQL through its HTTP API. Its data lives
 * in a temporary folder removed by stop().
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {stringify} from 'yaml';

import {tool} from '../../tools';

export interface ScrapeTarget {
  job: string;
  /** host:port */
  address: string;
  /** Added to every series of the target (e.g. namespace, as the Prometheus Operator adds it). */
  labels?: Record<string, string>;
}

export interface Sample {
  metric: Record<string, string>;
  /** [unix seconds, value] pairs (one for an instant query). */
  values: [number, string][];
}

/** A query's answer: the series, or Prometheus' own error. */
export type QueryAnswer = {ok: true; series: Sample[]} | {ok: false; error: string};

export interface RuleState {
  name: string;
  health: string;
  lastError?: string;
  state?: string;
}

export interface RunningPrometheus {
  url: string;
  /** Instant query at `time` (unix seconds; default now). */
  query(expr: string, time?: number): Promise<QueryAnswer>;
  /** Range query over [start, end] (unix seconds) every `stepSeconds`. */
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<QueryAnswer>;
  /** The values of `label` among the series `match` selects (Grafana's label_values). */
  labelValues(label: string, match: string): Promise<string[]>;
  /** Every loaded rule with its evaluation health. */
  rules(): Promise<RuleState[]>;
  /** Polls `expr` until its first value satisfies `done` (or throws after `timeoutMs`). */
  waitFor(expr: string, done: (value: number) => boolean, timeoutMs: number): Promise<number>;
  /** What the server printed (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))
      );
    });
  });
}

export async function startPrometheus(options: {
  targets: ScrapeTarget[];
  scrapeIntervalSeconds: number;
  /** Rule files by name: {groups: [...]} documents. */
  ruleFiles?: Record<string, unknown>;
}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'cdc-prometheus-'));
  const ruleFiles = Object.entries(options.ruleFiles ?? {}).map(([name, doc]) => {
    writeFileSync(join(dir, name), stringify(doc));
    return name;
  });
  const interval = `${options.scrapeIntervalSeconds}s`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: {scrape_interval: interval, evaluation_interval: interval},
      rule_files: ruleFiles,
      scrape_configs: options.targets.map((t) => ({
        job_name: t.job,
        metrics_path: '/metrics',
        static_configs: [{targets: [t.address], labels: t.labels ?? {}}],
      })),
    })
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    tool('prometheus'),
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    {cwd: dir, stdio: ['ignore', 'pipe', 'pipe']}
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const api = async (
    path: string,
    params: Record<string, string>
  ): Promise<QueryAnswer & {data?: unknown}> => {
    const response = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`);
    const body = (await response.json()) as {
      status: string;
      data?: unknown;
      error?: string;
      errorType?: string;
    };
    if (body.status !== 'success')
      return {ok: false, error: `${body.errorType ?? response.status}: ${body.error ?? ''}`};
    return {ok: true, series: [], data: body.data};
  };
  const toSeries = (data: unknown): Sample[] => {
    const {resultType, result} = data as {resultType: string; result: unknown};
    if (resultType === 'scalar') {
      const [t, v] = result as [number, string];
      return [{metric: {}, values: [[t, v]]}];
    }
    return (
      result as {metric: Record<string, string>; value?: [number, string]; values?: [number, string][]}[]
    ).map((r) => ({metric: r.metric, values: r.values ?? (r.value ? [r.value] : [])}));
  };

  const running: RunningPrometheus = {
    url,
    async query(expr, time) {
      const answer = await api('/api/v1/query', {
        query: expr,
        ...(time === undefined ? {} : {time: String(time)}),
      });
      return answer.ok ? {ok: true, series: toSeries(answer.data)} : answer;
    },
    async queryRange(expr, start, end, stepSeconds) {
      const answer = await api('/api/v1/query_range', {
        query: expr,
        start: String(start),
        end: String(end),
        step: String(stepSeconds),
      });
      return answer.ok ? {ok: true, series: toSeries(answer.data)} : answer;
    },
    async labelValues(label, match) {
      const answer = await api(`/api/v1/label/${encodeURIComponent(label)}/values`, {'match[]': match});
      if (!answer.ok) throw new Error(`label values of ${label} for ${match}: ${answer.error}`);
      return answer.data as string[];
    },
    async rules() {
      const answer = await api('/api/v1/rules', {});
      if (!answer.ok) throw new Error(`rules: ${answer.error}`);
      return (answer.data as {groups: {rules: RuleState[]}[]}).groups.flatMap((g) => g.rules);
    },
    async waitFor(expr, done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last = Number.NaN;
      while (Date.now() < deadline) {
        const answer = await running.query(expr);
        const value = answer.ok ? Number(answer.series[0]?.values[0]?.[1]) : Number.NaN;
        last = value;
        if (!Number.isNaN(value) && done(value)) return value;
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${expr} (last value ${last})`);
    },
    log: () => output,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, {recursive: true, force: true});
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false
    );
    if (ready) return running;
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`prometheus did not get ready within 30 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
