/**
 * `sync --once`: one cycle of every configured entity collection, then exit with a summary of the events
 * written per collection and op. Logs go to stderr; the summary to stdout (a table, or JSON with --json).
 */
import type {Command} from 'commander';
import {Registry} from 'prom-client';

import {announceTokenProtection, openPipeline} from '../../app';
import {Metrics} from '../../observability';
import {totalsByCollection, type CycleSummary} from '../../sync';
import {commandLogger, type CliContext, type GlobalOptions} from '../context';

export function registerSyncCommand(program: Command, ctx: CliContext): void {
  program
    .command('sync')
    .description('Run one sync cycle of every configured collection, then exit with a summary')
    .option('--once', 'one cycle, then exit (the only mode of this command; `run` keeps syncing)', true)
    .option('--collections <names>', 'comma-separated entity collections (overrides sync.collections)')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: {collections?: string; json?: boolean}, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const set = [...(globals.set ?? [])];
      if (flags.collections !== undefined) set.push(`sync.collections=${flags.collections}`);
      const {config} = ctx.loadConfig({...globals, set});
      const logger = commandLogger(ctx, config);
      const metrics = new Metrics({registry: new Registry(), version: ctx.version, defaultMetrics: false});
      announceTokenProtection(config, logger);
      const pipeline = await openPipeline(config, {logger, metrics, version: ctx.version});
      try {
        const summary = await pipeline.runCycle();
        logger.info({syncId: summary.syncId, seconds: summary.durationSeconds}, 'Sync cycle finished');
        ctx.io.stdout.write(
          flags.json ? `${JSON.stringify(summaryJson(summary))}\n` : renderSummary(summary)
        );
      } finally {
        await pipeline.close();
      }
    });
}

export function summaryJson(summary: CycleSummary) {
  return {
    syncId: summary.syncId,
    durationSeconds: summary.durationSeconds,
    collections: Object.fromEntries(totalsByCollection(summary)),
    skipped: summary.skipped,
  };
}

export function renderSummary(summary: CycleSummary): string {
  const rows = [['collection', 'fetched', 'r', 'c', 'u', 'd', 'dead letters']];
  for (const [collection, t] of totalsByCollection(summary)) {
    rows.push([collection, t.fetched, t.r, t.c, t.u, t.d, t.deadLetters].map(String));
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  );
  const skipped = summary.skipped.map(
    (s) => `skipped ${s.collection} (${s.shard}): ${s.reason}: ${s.message}`
  );
  return `${[`sync ${summary.syncId} in ${summary.durationSeconds.toFixed(1)} s`, ...lines, ...skipped].join('\n')}\n`;
}
