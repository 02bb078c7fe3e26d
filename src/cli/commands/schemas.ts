/**
 * `schemas print|diff|register`: the Avro schemas this configuration writes (entity and analytics collections),
 * compared with the registry before a deploy, and registered on demand (`run` still registers them at start).
 * Exit codes a CI step can branch on: 0 every subject identical, compatible or not yet registered (`diff`), or
 * registered (`register`); 1 a subject the registry refuses (its reason printed) or a registry that fails; 2 a
 * usage or configuration error.
 */
import type {Command} from 'commander';

import {configuredCatalog, configuredRegistrar} from '../../app';
import type {AppConfig} from '../../config';
import {CdcError, ConfigError} from '../../errors';
import {
  checkSubjects,
  SchemaRegistrationError,
  subjectsOf,
  verifyRegistryAccess,
  type CollectionSchemas,
  type SubjectCheck,
} from '../../serde';
import type {CliContext, GlobalOptions} from '../context';

/** `registered` reads better as `identical` to someone diffing; `missing` as `not registered`. */
const VERDICT: Record<SubjectCheck['state'], string> = {
  registered: 'identical',
  compatible: 'compatible',
  missing: 'not registered',
  incompatible: 'INCOMPATIBLE',
};

interface SchemaFlags {
  collections?: string;
  json?: boolean;
}

export function registerSchemasCommand(program: Command, ctx: CliContext): void {
  const schemas = program
    .command('schemas')
    .description(
      'Show the Avro schemas of the configured collections, diff them against the registry, register them'
    );
  /** The configuration and the schemas of the selected collections (all configured ones by default). */
  const load = (flags: SchemaFlags, command: Command): {config: AppConfig; selected: CollectionSchemas[]} => {
    // Schemas need Kafka's topic prefix and the registry, not Pinterest: a CI step has no Pinterest credentials.
    const {config} = ctx.loadConfig(
      command.optsWithGlobals<GlobalOptions>(),
      {},
      {unusedGroups: ['pinterest']}
    );
    const all = configuredCatalog(config).all();
    if (flags.collections === undefined) return {config, selected: all};
    const names = flags.collections.split(',').map((n) => n.trim());
    const known = all.map((s) => s.declaration.name);
    const unknown = names.filter((n) => !known.includes(n));
    if (unknown.length > 0) {
      throw new ConfigError([
        `--collections: ${unknown.join(', ')} not configured (configured: ${known.join(', ')})`,
      ]);
    }
    return {config, selected: all.filter((s) => names.includes(s.declaration.name))};
  };
  const collectionsOption = [
    '--collections <names>',
    'comma-separated collections (default: every configured entity and analytics collection)',
  ] as const;

  schemas
    .command('print')
    .description('Print the local schemas per collection: key, value and envelope, as registered (JSON)')
    .option(...collectionsOption)
    .action((flags: SchemaFlags, command: Command) => {
      const {config, selected} = load(flags, command);
      const out = selected.map((s) => {
        const [key, value] = subjectsOf(config.kafka.topicPrefix, s);
        return {
          collection: s.declaration.name,
          kind: s.declaration.kind,
          key: {subject: key.subject, schema: s.keySchema},
          value: {schema: s.valueSchema},
          envelope: {subject: value.subject, schema: s.envelopeSchema},
        };
      });
      ctx.io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    });

  schemas
    .command('diff')
    .description(
      'Compare each subject with the registry (registers nothing): identical, compatible, not registered, or ' +
        'INCOMPATIBLE with the registry reason; exit 1 when any is incompatible'
    )
    .option(...collectionsOption)
    .option('--json', 'one JSON object per subject')
    .action(async (flags: SchemaFlags, command: Command) => {
      const {config, selected} = load(flags, command);
      await verifyRegistryAccess(config.schemaRegistry);
      const subjects = selected.flatMap((s) => subjectsOf(config.kafka.topicPrefix, s));
      const checks = await checkSubjects(config.schemaRegistry, subjects);
      for (const check of checks)
        ctx.io.stdout.write(flags.json ? `${JSON.stringify(check)}\n` : line(check));
      const refused = checks.filter((c) => c.state === 'incompatible');
      if (refused.length > 0) {
        throw new CdcError(
          `${refused.length} of ${checks.length} subjects incompatible with the registry: ` +
            refused.map((c) => c.subject).join(', '),
          {retriable: false}
        );
      }
    });

  schemas
    .command('register')
    .description(
      'Register every subject (what run does at start): prints each id; a subject the registry refuses is ' +
        'named with its reason, exit 1'
    )
    .option(...collectionsOption)
    .action(async (flags: SchemaFlags, command: Command) => {
      const {config, selected} = load(flags, command);
      await verifyRegistryAccess(config.schemaRegistry);
      const registrar = configuredRegistrar(config, configuredCatalog(config));
      const refused: SchemaRegistrationError[] = [];
      for (const schemas of selected) {
        const [key, value] = subjectsOf(config.kafka.topicPrefix, schemas);
        try {
          const ids = await registrar.register(schemas);
          ctx.io.stdout.write(`registered      ${key.subject}  id ${ids.keyId}\n`);
          ctx.io.stdout.write(`registered      ${value.subject}  id ${ids.valueId}\n`);
        } catch (error) {
          // No answer (retriable) ends the command; a refusal is one subject's verdict: report it, go on.
          if (!(error instanceof SchemaRegistrationError) || error.retriable) throw error;
          refused.push(error);
          ctx.io.stdout.write(`REFUSED         ${error.subject}  ${error.reason}\n`);
        }
      }
      if (refused.length > 0) {
        throw new CdcError(
          `the registry refused ${refused.length} subject(s): ${refused.map((e) => e.subject).join(', ')}`,
          {retriable: false}
        );
      }
    });
}

function line(check: SubjectCheck): string {
  const registered = check.version === undefined ? '' : `  (version ${check.version}, id ${check.id})`;
  const reasons = check.reasons?.length ? `\n${check.reasons.map((r) => `    ${r}`).join('\n')}` : '';
  return `${VERDICT[check.state].padEnd(15)} ${check.subject}${registered}${reasons}\n`;
}
