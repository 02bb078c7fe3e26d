/**
 * `check`: does this configuration work? Starts the pipeline exactly as `run` would (topics ensured, schemas
 * registered, producer fenced, state restored: so it also creates missing topics and registers schemas), then
 * makes one Pinterest call through the token store. Prints one line per step; exit 0 when all pass, else 1.
 */
import type {Command} from 'commander';

import {openPipeline, type Pipeline} from '../../app';
import {CdcError} from '../../errors';
import {commandLogger, type CliContext, type GlobalOptions} from '../context';

export function registerCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'Check the connections online: Kafka, schema registry, state restore and one Pinterest API call ' +
        '(offline validation: config check)'
    )
    .action(async (_flags: object, command: Command) => {
      const {config} = ctx.loadConfig(command.optsWithGlobals<GlobalOptions>());
      const logger = commandLogger(ctx, config, {level: 'warn'});
      const line = (ok: boolean, step: string, detail: string) =>
        ctx.io.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${step.padEnd(10)}  ${detail}\n`);
      line(
        true,
        'config',
        `${config.sync.collections.length} collections, topic prefix ${config.kafka.topicPrefix}`
      );
      let pipeline: Pipeline | undefined;
      try {
        pipeline = await openPipeline(config, {logger, version: ctx.version});
        const shards = pipeline.state.all();
        line(
          true,
          'kafka',
          `topics ready, schemas registered, state restored (${shards.reduce((n, s) => n + s.size, 0)} records in ${shards.length} shards)`
        );
        const accounts = await pipeline.client.get<{items?: unknown[]}>({
          path: '/ad_accounts',
          query: {page_size: 25},
          category: 'ads_read',
        });
        line(
          true,
          'pinterest',
          `token accepted; ${accounts.items?.length ?? 0} ad account(s) on the first page`
        );
      } catch (error) {
        line(false, pipeline ? 'pinterest' : 'kafka', error instanceof Error ? error.message : String(error));
        throw new CdcError('check failed', {retriable: false});
      } finally {
        await pipeline?.close();
      }
    });
}
