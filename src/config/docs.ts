/** Documentation derived from the settings table: docs/configuration.md and config/example.yaml. */
import {stringify} from 'yaml';

import {CONFIG_FILE_ENV, suggestedEnvName, type Leaf} from './leaves';
import {configLeaves} from './load';

const HEADER = `# Configuration

<!-- Generated from src/config/settings.ts by \`pinterest-cdc config docs > docs/configuration.md\`.
     Do not edit by hand: test/unit/config/docs.test.ts fails when this file is out of date. -->

Every setting comes, in this order of precedence, from:

1. a command-line flag: \`--set <path>=<value>\` (repeatable), e.g. \`--set kafka.partitions=6\`;
2. the environment: the conventional name where one is listed (e.g. \`KAFKA_BROKERS\`), and for every setting
   the generic \`PINTEREST_CDC_<SECTION>__<SETTING>\` (\`__\` nests, camelCase becomes UPPER_SNAKE, e.g.
   \`PINTEREST_CDC_KAFKA__SASL__PASSWORD\`); when several are set, the first listed wins;
3. the YAML config file given by \`--config <path>\` or \`${CONFIG_FILE_ENV}\` (see \`config/example.yaml\`,
   or \`pinterest-cdc config example\`);
4. the default.

Values from the environment and flags: lists as comma-separated (\`a:9092,b:9092\`) or JSON arrays
(\`["a:9092","b:9092"]\`); booleans \`true/1/yes/on\` or \`false/0/no/off\`; empty variables count as unset.
Secrets can also be read from a file named by \`<VARIABLE>_FILE\` (e.g. \`PINTEREST_CLIENT_SECRET_FILE\`, for
Kubernetes secret volumes); a trailing newline is dropped. Secrets are never logged or printed:
\`pinterest-cdc config print\` redacts them, and the logger censors their values anywhere in a log line.

All problems are reported at once, each with its setting path and environment variable; the CLI exits with
code 2 before connecting to anything.
`;

const SECTION_TITLES: Record<string, string> = {
  pinterest: 'Pinterest API',
  kafka: 'Kafka',
  schemaRegistry: 'Schema registry',
  sync: 'Sync',
  analytics: 'Analytics',
  observability: 'Observability',
};

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

function defaultDoc(leaf: Leaf): string {
  const {setting} = leaf;
  if (setting.defaultDoc !== undefined) return setting.defaultDoc;
  if (setting.default === undefined) return setting.required ? '**required**' : 'unset';
  const value = setting.default;
  if (Array.isArray(value)) return value.length === 0 ? '`[]`' : `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

/** docs/configuration.md. */
export function renderConfigDocs(): string {
  const bySection = new Map<string, Leaf[]>();
  for (const leaf of configLeaves()) {
    const section = leaf.keys[0] ?? '';
    bySection.set(section, [...(bySection.get(section) ?? []), leaf]);
  }
  const parts = [HEADER];
  for (const [section, leaves] of bySection) {
    parts.push(`## ${SECTION_TITLES[section] ?? section} (\`${section}\`)\n`);
    parts.push('| Setting | Environment | Type | Default | Description |');
    parts.push('|---|---|---|---|---|');
    for (const leaf of leaves) {
      const env = leaf.envNames.map((name) => `\`${name}\``).join('<br>');
      const secret = leaf.setting.secret
        ? ' **Secret**: also `<VARIABLE>_FILE`; always redacted.'
        : leaf.setting.nested
          ? ' Holds secrets: also `<VARIABLE>_FILE`; its credentials are always redacted.'
          : '';
      parts.push(
        `| \`${leaf.path}\` | ${env} | ${cell(leaf.setting.typeDoc)} | ${cell(defaultDoc(leaf))} | ` +
          `${cell(leaf.setting.description + secret)} |`
      );
    }
    parts.push('');
  }
  return parts.join('\n');
}

function yamlScalar(value: unknown): string {
  return stringify(value).trim();
}

function yamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yamlScalar).join(', ')}]`;
  return yamlScalar(value);
}

/** config/example.yaml: every setting with its description; secrets only as a pointer to their env vars. */
export function renderExampleConfig(): string {
  const lines = [
    '# pinterest-cdc configuration file (YAML). Generated from src/config/settings.ts by',
    '# `pinterest-cdc config example`; every setting, its env variables and defaults: docs/configuration.md.',
    '# Commented-out settings are optional. Secrets never go in this file: set them in the environment',
    '# (or <VARIABLE>_FILE).',
  ];
  let openGroups: readonly string[] = [];
  for (const leaf of configLeaves()) {
    const groups = leaf.keys.slice(0, -1);
    const common = groups.findIndex((g, i) => openGroups[i] !== g);
    const firstNew = common === -1 ? Math.min(groups.length, openGroups.length) : common;
    for (let i = firstNew; i < groups.length; i++) {
      if (i === 0) lines.push('');
      lines.push(`${'  '.repeat(i)}${groups[i]}:`);
    }
    openGroups = groups;
    const indent = '  '.repeat(groups.length);
    const key = leaf.keys[leaf.keys.length - 1] ?? '';
    const {setting} = leaf;
    lines.push(`${indent}# ${setting.description}`);
    lines.push(`${indent}# env: ${leaf.envNames.join(', ')}`);
    if (setting.secret) {
      lines.push(`${indent}# secret: set ${suggestedEnvName(leaf)} (or its _FILE variant)`);
    } else if (setting.defaultDoc !== undefined) {
      lines.push(`${indent}# ${key}: (default: ${setting.defaultDoc})`);
    } else if (setting.default !== undefined) {
      const line = `${indent}${key}: ${yamlValue(setting.default)}`;
      if (Array.isArray(setting.default) && line.length > 100) {
        // Prettier-stable: long lists as block sequences.
        lines.push(`${indent}${key}:`, ...setting.default.map((item) => `${indent}  - ${yamlScalar(item)}`));
      } else {
        lines.push(line);
      }
    } else if (setting.example !== undefined) {
      lines.push(`${indent}${setting.required ? '' : '# '}${key}: ${yamlValue(setting.example)}`);
    } else {
      lines.push(`${indent}# ${key}:`);
    }
  }
  return `${lines.join('\n')}\n`;
}
