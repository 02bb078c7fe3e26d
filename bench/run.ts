/**
 * `npm run bench [-- --quick] [--only a,b]`: runs every benchmark of bench/registry.ts one after the other, each
 * in its own node process (their tables pass through as they print), collects the targets they report
 * (bench/targets.ts) and ends with `targets: N met, M not met`, naming each missed target.
 *
 * Benches that need Kafka use KAFKA_BROKERS / SCHEMA_REGISTRY_URL when set; otherwise the runner starts a private
 * stack in .stack/bench (scripts/stack) for the run and stops it at the end.
 */
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {cpus, loadavg, totalmem} from 'node:os';
import path from 'node:path';
import {createInterface} from 'node:readline';

import {startStack, stopStack} from '../scripts/stack/index';

import {BENCHES, type BenchEntry} from './registry';
import {isMet, parseTargetLine, type TargetResult} from './targets';

const ROOT = path.resolve(__dirname, '..');
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? new Set((process.argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;

interface Outcome {
  entry: BenchEntry;
  targets: TargetResult[];
  /** Why the bench did not run or did not finish, if so. */
  problem?: string;
  seconds: number;
}

function runBench(entry: BenchEntry, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const file = path.join(__dirname, entry.file);
  const started = Date.now();
  const args = [
    ...(entry.nodeFlags ?? []),
    '-r',
    '@swc-node/register',
    file,
    ...(quick ? entry.args.quick : entry.args.full),
  ];
  console.log(`\n## ${entry.file}\n\n$ node ${args.join(' ')}\n`);
  const extra = (quick ? entry.env?.quick : entry.env?.full) ?? {};
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {...env, ...extra},
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const targets: TargetResult[] = [];
  const lines = createInterface({input: child.stdout});
  lines.on('line', (line) => {
    const target = parseTargetLine(line);
    if (target) targets.push(target);
    else console.log(line);
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const problem = code === 0 ? undefined : `exit ${code ?? signal}`;
      resolve({entry, targets, problem, seconds: (Date.now() - started) / 1000});
    });
  });
}

async function kafkaEnv(): Promise<{env: NodeJS.ProcessEnv; stop: () => Promise<void>}> {
  if (process.env.KAFKA_BROKERS && process.env.SCHEMA_REGISTRY_URL) {
    return {env: process.env, stop: async () => {}};
  }
  const dir = path.join('.stack', 'bench');
  console.log(`(KAFKA_BROKERS unset: starting a private stack in ${dir})`);
  const started = await startStack({dir, ownerPid: process.pid});
  return {
    env: {...process.env, ...started.env, STACK_DIR: dir},
    stop: async () => {
      await stopStack({dir});
    },
  };
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2);
}

function summary(outcomes: Outcome[]): number {
  interface Line {
    label: string;
    measured: string;
    target: string;
    met: boolean;
    why?: string;
  }
  const lines: Line[] = [];
  for (const o of outcomes) {
    for (const t of o.targets) {
      lines.push({
        label: t.label,
        measured: fmt(t.value),
        target: `${t.op} ${t.limit}`,
        met: isMet(t),
        why: t.detail,
      });
    }
    for (const [id, label] of Object.entries(o.entry.targets)) {
      if (o.targets.some((t) => t.id === id)) continue;
      lines.push({
        label,
        measured: 'not measured',
        target: '-',
        met: false,
        why: o.problem ?? 'not reported',
      });
    }
  }
  console.log(`\n## Targets (${quick ? 'quick' : 'full'} run)\n`);
  console.log('| target | measured | target | result | how |');
  console.log('|---|---:|---|---|---|');
  for (const l of lines) {
    console.log(
      `| ${l.label} | ${l.measured} | ${l.target} | ${l.met ? 'met' : 'NOT met'} | ${l.why ?? ''} |`
    );
  }
  console.log('\n| bench | seconds | status |\n|---|---:|---|');
  for (const o of outcomes)
    console.log(`| ${o.entry.file} | ${o.seconds.toFixed(0)} | ${o.problem ?? 'ok'} |`);
  const missed = lines.filter((l) => !l.met);
  console.log('');
  for (const l of missed)
    console.log(
      `not met: ${l.label}: ${l.measured}${l.target === '-' ? '' : ` (target ${l.target})`}${l.why ? `; ${l.why}` : ''}`
    );
  console.log(`targets: ${lines.length - missed.length} met, ${missed.length} not met`);
  return missed.length;
}

async function main(): Promise<void> {
  const selected = BENCHES.filter((b) => !only || only.has(b.file.replace(/\.ts$/, '')));
  console.log(
    `# npm run bench${quick ? ' -- --quick' : ''}: ${selected.length} benchmarks; node ${process.version}, ` +
      `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`
  );
  const present = selected.filter((b) => existsSync(path.join(__dirname, b.file)));
  const kafka = present.some((b) => b.kafka) ? await kafkaEnv() : {env: process.env, stop: async () => {}};
  const outcomes: Outcome[] = [];
  try {
    for (const entry of selected) {
      if (!present.includes(entry)) {
        outcomes.push({entry, targets: [], problem: `bench/${entry.file} absent`, seconds: 0});
        continue;
      }
      outcomes.push(await runBench(entry, kafka.env));
    }
  } finally {
    await kafka.stop();
  }
  if (summary(outcomes) > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
