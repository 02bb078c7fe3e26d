/**
 * `demo`: the whole product on embedded defaults, with nothing to configure: the local Kafka + Apicurio stack
 * (started, or reused when already up, in STACK_DIR like `npm run stack:up`), the Pinterest sandbox with changes
 * applied every few seconds, and the service syncing it; each cycle's events per collection and op are printed.
 * Ctrl-C (SIGINT/SIGTERM) stops the service and the sandbox and removes the demo's temporary files; the stack keeps
 * running (`npm run stack:down` stops it).
 *
 * Every flag and the configuration are checked before anything starts: a bad value exits 2 at once.
 */
import type {Command} from 'commander';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

import {settings} from '../../config';
import {CdcError} from '../../errors';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_REFRESH_TOKEN,
  startSandbox,
  type SandboxChange,
  type SandboxScale,
} from '../../sandbox';
import type {CliContext, GlobalOptions} from '../context';
import {integerFlag, settingFlag} from '../flags';
import {serve} from '../serve';
import {renderSummary} from './sync';
import {parseScale} from './sandbox';

interface StackEnv {
  KAFKA_BROKERS: string;
  SCHEMA_REGISTRY_URL: string;
}

interface LocalStack {
  env: StackEnv;
  reused: boolean;
}

interface DemoFlags {
  interval: number;
  changesEvery: number;
  scale?: Partial<SandboxScale>;
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

const DEFAULT_INTERVAL_SECONDS = 10;
const MAX_CHANGES_EVERY_SECONDS = 86_400;

/** Stand-ins for the addresses only known once the stack and the sandbox run: the preflight check needs values. */
const PLACEHOLDER_STACK: StackEnv = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
};
const PLACEHOLDER_SANDBOX = {
  baseUrl: 'http://127.0.0.1:8080/v5',
  credentials: {
    clientId: DEFAULT_CLIENT_ID,
    clientSecret: DEFAULT_CLIENT_SECRET,
    refreshToken: DEFAULT_REFRESH_TOKEN,
  },
};

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'Run everything locally: Kafka + registry stack (in $STACK_DIR, default .stack), Pinterest sandbox with ' +
        'live changes, the service'
    )
    .option(
      '--interval <seconds>',
      'seconds between sync cycles',
      settingFlag(settings.sync.intervalSeconds),
      DEFAULT_INTERVAL_SECONDS
    )
    .option(
      '--changes-every <seconds>',
      'seconds between sandbox changes (0 = none)',
      integerFlag(0, MAX_CHANGES_EVERY_SECONDS),
      15
    )
    .option('--scale <scale>', 'sandbox scale: small|medium|large, JSON or key=value,...', parseScale)
    .action(async (flags: DemoFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      // An --interval given on the command line beats the environment; the demo's default does not.
      const explicitInterval = command.getOptionValueSource('interval') === 'cli';
      const options: GlobalOptions = explicitInterval
        ? {...globals, set: [...(globals.set ?? []), `sync.intervalSeconds=${flags.interval}`]}
        : globals;
      const intervalDefault = explicitInterval ? undefined : flags.interval;
      // Preflight: the user's configuration with stand-in addresses, before a JVM or the sandbox starts.
      ctx.loadConfig(
        options,
        demoEnv(
          PLACEHOLDER_STACK,
          PLACEHOLDER_SANDBOX,
          join(tmpdir(), 'pinterest-cdc-demo.json'),
          intervalDefault
        )
      );

      const stack = await startLocalStack(ctx);
      const sandbox = await startSandbox({scale: flags.scale ?? {}});
      const temp = mkdtempSync(join(tmpdir(), 'pinterest-cdc-demo-'));
      let cleaned: Promise<void> | undefined;
      const cleanUp = () =>
        (cleaned ??= sandbox.close().finally(() => rmSync(temp, {recursive: true, force: true})));
      let exitCode: number;
      try {
        ctx.io.stderr.write(
          `Sandbox: ${sandbox.baseUrl}\nKafka: ${stack.env.KAFKA_BROKERS}\nRegistry: ${stack.env.SCHEMA_REGISTRY_URL}\n`
        );
        const {config} = ctx.loadConfig(
          options,
          demoEnv(stack.env, sandbox, join(temp, 'tokens.json'), intervalDefault),
          {quiet: true}
        );
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
        exitCode = await serve(ctx, config, {
          logTo: 'stderr',
          onCycle: (summary) => ctx.io.stdout.write(`\n${renderSummary(summary)}`),
          closers: [
            {name: 'changes', close: () => clearInterval(timer)},
            {name: 'sandbox', close: cleanUp},
          ],
        });
      } finally {
        // Once only: serve's closers may have run it already; a failure before serve has not.
        await cleanUp();
      }
      const stackDir = ctx.io.env.STACK_DIR ? `STACK_DIR=${ctx.io.env.STACK_DIR} ` : '';
      ctx.io.stderr.write(
        `The local stack is still running${stack.reused ? '' : ' (started by this demo)'}: stop it with ` +
          `${stackDir}npm run stack:down\n`
      );
      if (exitCode !== 0)
        throw new CdcError('The demo stopped after a failure (see the log above)', {retriable: false});
    });
}

/** The environment the demo gives the service; what the user set explicitly wins over it. */
function demoEnv(
  stack: StackEnv,
  sandbox: {baseUrl: string; credentials: typeof PLACEHOLDER_SANDBOX.credentials},
  tokenStorePath: string,
  intervalSeconds: number | undefined
): Record<string, string> {
  return {
    ...(intervalSeconds === undefined ? {} : {PINTEREST_CDC_SYNC__INTERVAL_SECONDS: String(intervalSeconds)}),
    ...stack,
    PINTEREST_API_BASE_URL: sandbox.baseUrl,
    PINTEREST_CLIENT_ID: sandbox.credentials.clientId,
    PINTEREST_CLIENT_SECRET: sandbox.credentials.clientSecret,
    PINTEREST_REFRESH_TOKEN: sandbox.credentials.refreshToken,
    // A fresh sandbox knows none of the tokens an earlier demo rotated: keep this run's tokens to itself.
    PINTEREST_CDC_PINTEREST__TOKEN_STORE: 'file',
    PINTEREST_CDC_PINTEREST__TOKEN_STORE_PATH: tokenStorePath,
    LOG_LEVEL: 'warn',
  };
}

/**
 * The Maven-based local stack of scripts/stack (plain JS beside the sources, so it works from src and dist), in
 * the same folder `npm run stack:up|down|status` use: $STACK_DIR, relative to the repository, default .stack.
 */
async function startLocalStack(ctx: CliContext): Promise<LocalStack> {
  const root = resolve(__dirname, '..', '..', '..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stack = require(join(root, 'scripts', 'stack')) as {
    startStack(options: {rootDir: string; dir?: string; log: (m: string) => void}): Promise<LocalStack>;
  };
  const dir = ctx.io.env.STACK_DIR;
  return stack.startStack({
    rootDir: root,
    ...(dir ? {dir} : {}),
    log: (m) => ctx.io.stderr.write(`${m}\n`),
  });
}
