/**
 * `demo`: the whole product on embedded defaults, with nothing to configure: the local Kafka + Apicurio stack
 * (started, or reused when already up), the Pinterest sandbox with changes applied every few seconds, and the
 * service syncing it; each cycle's events per collection and op are printed. Ctrl-C stops the service and the
 * sandbox; the stack keeps running (`npm run stack:down` stops it).
 */
import type {Command} from 'commander';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

import {CdcError} from '../../errors';
import {startSandbox, type SandboxChange} from '../../sandbox';
import type {CliContext, GlobalOptions} from '../context';
import {serve} from '../serve';
import {renderSummary} from './sync';
import {parseScale} from './sandbox';

interface LocalStack {
  env: {KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string};
  reused: boolean;
}

/** What the sandbox changes between cycles, so the demo shows every op. */
const DEMO_CHANGES: SandboxChange[] = [
  {kind: 'create', collection: 'campaigns', count: 1},
  {kind: 'update', collection: 'ads', count: 2},
  {kind: 'archive', collection: 'ad_groups', count: 1},
  {kind: 'create', collection: 'pins', count: 2},
  {kind: 'update', collection: 'pins', count: 1},
  {kind: 'delete', collection: 'pins', count: 1},
];

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'Run everything locally: Kafka + registry stack, Pinterest sandbox with live changes, the service'
    )
    .option('--interval <seconds>', 'seconds between sync cycles', (v) => Number(v), 10)
    .option('--changes-every <seconds>', 'seconds between sandbox changes (0 = none)', (v) => Number(v), 15)
    .option('--scale <scale>', 'sandbox scale: small|medium|large, JSON or key=value,...', parseScale)
    .action(async (flags: {interval: number; changesEvery: number; scale?: object}, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const stack = await startLocalStack(ctx);
      const sandbox = await startSandbox({scale: flags.scale ?? {}});
      ctx.io.stderr.write(
        `Sandbox: ${sandbox.baseUrl}\nKafka: ${stack.env.KAFKA_BROKERS}\nRegistry: ${stack.env.SCHEMA_REGISTRY_URL}\n`
      );
      const demoEnv: Record<string, string> = {
        ...stack.env,
        PINTEREST_API_BASE_URL: sandbox.baseUrl,
        PINTEREST_CLIENT_ID: sandbox.credentials.clientId,
        PINTEREST_CLIENT_SECRET: sandbox.credentials.clientSecret,
        PINTEREST_REFRESH_TOKEN: sandbox.credentials.refreshToken,
        // A fresh sandbox knows none of the tokens an earlier demo rotated: keep this run's tokens to itself.
        PINTEREST_CDC_PINTEREST__TOKEN_STORE: 'file',
        PINTEREST_CDC_PINTEREST__TOKEN_STORE_PATH: join(tmpdir(), `pinterest-cdc-demo-${process.pid}.json`),
        PINTEREST_CDC_SYNC__INTERVAL_SECONDS: String(flags.interval),
        LOG_LEVEL: 'warn',
      };
      // What the user set explicitly wins over the demo's defaults.
      const {config} = ctx.loadConfig(globals, demoEnv);
      const timer =
        flags.changesEvery > 0
          ? setInterval(() => {
              const {applied} = sandbox.control.applyChanges(DEMO_CHANGES);
              ctx.io.stderr.write(
                `sandbox: applied ${applied.length} changes (${applied.map((a) => `${a.collection}:${a.op}`).join(' ')})\n`
              );
            }, flags.changesEvery * 1000)
          : undefined;
      ctx.io.stderr.write(
        `Topics: ${config.kafka.topicPrefix}.<collection>; metrics: http://${config.observability.metricsHost}:${config.observability.metricsPort}/metrics. Ctrl-C to stop.\n`
      );
      const exitCode = await serve(ctx, config, {
        logTo: 'stderr',
        onCycle: (summary) => ctx.io.stdout.write(`\n${renderSummary(summary)}`),
        closers: [
          {name: 'changes', close: () => clearInterval(timer)},
          {name: 'sandbox', close: () => sandbox.close()},
        ],
      });
      ctx.io.stderr.write(
        `The local stack is still running${stack.reused ? '' : ' (started by this demo)'}: stop it with npm run stack:down\n`
      );
      if (exitCode !== 0)
        throw new CdcError('The demo stopped after a failure (see the log above)', {retriable: false});
    });
}

/** The Maven-based local stack of scripts/stack (plain JS beside the sources, so it works from src and dist). */
async function startLocalStack(ctx: CliContext): Promise<LocalStack> {
  const root = resolve(__dirname, '..', '..', '..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stack = require(join(root, 'scripts', 'stack')) as {
    startStack(options: {rootDir: string; log: (m: string) => void}): Promise<LocalStack>;
  };
  return stack.startStack({rootDir: root, log: (m) => ctx.io.stderr.write(`${m}\n`)});
}
