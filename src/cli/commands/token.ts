/**
 * `token set`: puts a refresh token (from a new OAuth consent) into the deployment's token store, where every
 * process of the connection finds it, a running service that waits for re-authorisation included (it looks
 * again within 30 s and at its next cycle). The token comes from stdin with `--stdin` (nothing on the command
 * line or in the environment of a shell), else from the configured PINTEREST_REFRESH_TOKEN (or its _FILE).
 * Never prints it.
 */
import type {Command} from 'commander';

import {
  describeProtection,
  kafkaConnectionConfig,
  openTokenStore,
  tokenCodec,
  tokenLocation,
  tokenTopicSpec,
} from '../../app';
import {ConfigError} from '../../errors';
import {connectionsOf} from '../../config/connections';
import {createKafkaConnection} from '../../kafka';
import {commandLogger, type CliContext, type GlobalOptions} from '../context';

export function registerTokenCommand(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('Manage the stored Pinterest tokens');
  token
    .command('set')
    .description(
      'Store a refresh token (e.g. after re-authorising the app) where every process of the deployment finds it'
    )
    .option('--stdin', "read the refresh token from stdin instead of the connection's configured one")
    .option('--connection <name>', 'the connection whose token it is (default: the first configured)')
    .action(async (flags: {stdin?: boolean; connection?: string}, command: Command) => {
      const {config} = ctx.loadConfig(command.optsWithGlobals<GlobalOptions>());
      const connections = connectionsOf(config);
      const connection =
        flags.connection === undefined
          ? connections[0]
          : connections.find((c) => c.name === flags.connection);
      if (!connection) {
        throw new ConfigError([
          `token set --connection ${flags.connection ?? ''}: no such connection; configured: ` +
            connections.map((c) => c.name).join(', '),
        ]);
      }
      const refreshToken = flags.stdin ? await readAll(ctx.io.stdin) : connection.refreshToken;
      if (!refreshToken || !/^[\x21-\x7e]+$/.test(refreshToken)) {
        throw new ConfigError([
          flags.stdin
            ? 'token set --stdin: stdin holds no refresh token (one line of visible characters)'
            : 'token set: no refresh token configured (PINTEREST_REFRESH_TOKEN or _FILE); or pipe one with --stdin',
        ]);
      }
      const logger = commandLogger(ctx, config, {level: 'warn'});
      const kafka = createKafkaConnection(kafkaConnectionConfig(config), {logger});
      try {
        if (config.pinterest.tokenStore === 'kafka') {
          const admin = kafka.topicAdmin();
          await admin.ensureTopics([tokenTopicSpec(config)]);
          await admin.close();
        }
        await openTokenStore(config, kafka, connection.name).save({refreshToken});
      } finally {
        await kafka.close();
      }
      ctx.io.stdout.write(
        `stored a refresh token for connection ${connection.name} in ${tokenLocation(config)}, ` +
          `${describeProtection(tokenCodec(config).target)}\n`
      );
    });
}

async function readAll(input: AsyncIterable<string | Buffer> | undefined): Promise<string> {
  if (!input) return '';
  let text = '';
  for await (const chunk of input) text += chunk.toString();
  return text.trim();
}
