/**
 * `check`: does this configuration work? One line per step (ok, FAIL, or skip with the reason); exit 0 when no step
 * failed, 1 when one did, 2 for a configuration error. Read-only towards a running deployment (src/app/
 * check-deployment.ts): it creates no topic, registers no schema, writes nothing to the state or event topics and
 * fences nobody; a token it had to refresh goes to the shared token store, where a running service finds it.
 */
import type {Command} from 'commander';

import {announceTokenProtection, checkDeployment, type StepStatus} from '../../app';
import {configuredCollections} from '../../config';
import {CdcError} from '../../errors';
import {commandLogger, type CliContext, type GlobalOptions} from '../context';

const MARK: Record<StepStatus, string> = {ok: 'ok  ', FAIL: 'FAIL', skip: 'skip'};

export function registerCheckCommand(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description(
      'Check the connections online without changing anything: Kafka topics, schema compatibility, state, token ' +
        'store, one Pinterest API call (offline validation: config check)'
    )
    .action(async (_flags: object, command: Command) => {
      const {config} = ctx.loadConfig(command.optsWithGlobals<GlobalOptions>());
      const logger = commandLogger(ctx, config, {level: 'warn'});
      const line = (status: StepStatus, step: string, detail: string) =>
        ctx.io.stdout.write(`${MARK[status]}  ${step.padEnd(10)}  ${detail}\n`);
      line(
        'ok',
        'config',
        `${configuredCollections(config).length} collections, topic prefix ${config.kafka.topicPrefix}`
      );
      announceTokenProtection(config, logger);
      const ok = await checkDeployment(config, {
        logger,
        report: (step) => line(step.status, step.step, step.detail),
      });
      if (!ok) throw new CdcError('check failed', {retriable: false});
    });
}
