/**
 * `sync --once`: one cycle of every configured collection (entity listings and analytics windows), then exit
 * with a summary of the events written per collection and op. The summary always prints, failed and skipped
 * listings marked; the exit code is 1 when any listing failed. Logs go to stderr; the summary to stdout (a
 * table, or JSON with --json). `--dry-run` swaps the pipeline's outputs for dryRunOutputs (src/app/
 * pipeline-outputs.ts): the events go to stdout as JSON lines, the summary to stderr, nothing is written.
 */
import type {Command} from 'commander';
import {Registry} from 'prom-client';

import {announceTokenProtection, dryRunOutputs, openPipeline, type DryRunLine} from '../../app';
import {CdcError} from '../../errors';
import {Metrics} from '../../observability';
import {totalsByCollection, type CycleSummary, type UnitKind} from '../../sync';
import {commandLogger, type CliContext, type GlobalOptions} from '../context';
import {startCommandProgress} from '../progress';

export function registerSyncCommand(program: Command, ctx: CliContext): void {
  program
    .command('sync')
    .description('Run one sync cycle of every configured collection, then exit with a summary')
    .option('--once', 'one cycle, then exit (the only mode of this command; `run` keeps syncing)', true)
    .option('--collections <names>', 'comma-separated entity collections (overrides sync.collections)')
    .option('--json', 'print the summary as JSON')
    .option(
      '--dry-run',
      'read and diff as usual, write nothing (no event, state, topic or schema; nobody fenced): each event as ' +
        'one JSON line on stdout, the summary on stderr'
    )
    .action(async (flags: {collections?: string; json?: boolean; dryRun?: boolean}, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const set = [...(globals.set ?? [])];
      if (flags.collections !== undefined) set.push(`sync.collections=${flags.collections}`);
      const {config} = ctx.loadConfig({...globals, set});
      const logger = commandLogger(ctx, config);
      const metrics = new Metrics({registry: new Registry(), version: ctx.version, defaultMetrics: false});
      announceTokenProtection(config, logger);
      const kinds: UnitKind[] =
        config.analytics.collections.length > 0 ? ['entities', 'analytics'] : ['entities'];
      const dryRun = flags.dryRun ? {messages: new Map<string, number>()} : undefined;
      const {progress, stop} = startCommandProgress(ctx, config, logger, metrics);
      const pipeline = await openPipeline(config, {
        logger,
        metrics,
        progress,
        version: ctx.version,
        ...(dryRun
          ? {outputs: dryRunOutputs((line) => ctx.io.stdout.write(`${jsonLine(line)}\n`), dryRun)}
          : {}),
      });
      let summary: CycleSummary;
      try {
        summary = await pipeline.runCycle({kinds});
      } finally {
        stop();
        await pipeline.close();
      }
      logger.info(
        {syncId: summary.syncId, seconds: summary.durationSeconds, failed: summary.failed.length},
        'Sync cycle finished'
      );
      // A dry run's stdout is its events; the summary goes beside the logs.
      const out = dryRun ? ctx.io.stderr : ctx.io.stdout;
      out.write(flags.json ? `${JSON.stringify(summaryJson(summary))}\n` : renderSummary(summary));
      if (dryRun) out.write(renderDryRunTally(dryRun.messages, pipeline.topics.state));
      if (summary.fatal) throw summary.fatal;
      if (summary.failed.length > 0) {
        throw new CdcError(`${summary.failed.length} listing(s) failed (see the summary)`, {
          retriable: summary.failed.every((f) => f.retriable),
        });
      }
    });
}

export function summaryJson(summary: CycleSummary) {
  return {
    syncId: summary.syncId,
    durationSeconds: summary.durationSeconds,
    collections: Object.fromEntries(totalsByCollection(summary)),
    skipped: summary.skipped,
    failed: summary.failed,
    ...(summary.fatal ? {fatal: summary.fatal.message} : {}),
  };
}

export function renderSummary(summary: CycleSummary): string {
  const rows = [['collection', 'fetched', 'r', 'c', 'u', 'd', 'dead letters', 'held deletes']];
  for (const [collection, t] of totalsByCollection(summary)) {
    rows.push([collection, t.fetched, t.r, t.c, t.u, t.d, t.deadLetters, t.heldDeletes].map(String));
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  );
  const marks = [
    ...summary.failed.map((f) => `FAILED  ${f.collection} (${f.shard}): ${f.message}`),
    ...summary.skipped.map((s) => `skipped ${s.collection} (${s.shard}): ${s.reason}: ${s.message}`),
    ...(summary.fatal ? [`STOPPED every lane: ${summary.fatal.message}`] : []),
  ];
  const title = `sync ${summary.syncId} in ${summary.durationSeconds.toFixed(1)} s`;
  return `${[title, ...lines, ...marks].join('\n')}\n`;
}

/** One JSON line: Avro longs that do not fit a double come as bigint, bytes as Buffer; both become text. */
export function jsonLine(line: DryRunLine): string {
  return JSON.stringify(line, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value && typeof value === 'object' && (value as {type?: unknown}).type === 'Buffer') {
      return Buffer.from((value as {data: number[]}).data).toString('base64');
    }
    return value;
  });
}

function renderDryRunTally(messages: ReadonlyMap<string, number>, stateTopic: string): string {
  const written = [...messages].map(([topic, n]) => `${topic} ${n}`).join(', ') || 'nothing';
  const state = messages.get(stateTopic) ?? 0;
  return (
    `dry run: wrote nothing; a real run would have written ${written}` +
    ` (${state} state records not saved)\n`
  );
}
