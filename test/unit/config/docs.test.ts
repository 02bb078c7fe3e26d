import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {parse} from 'yaml';

import {configLeaves, loadConfig, renderConfigDocs, renderExampleConfig} from '../../../src/config';

const root = join(__dirname, '..', '..', '..');

describe('generated configuration docs', () => {
  it('docs/configuration.md is up to date (regenerate: pinterest-cdc config docs > docs/configuration.md)', () => {
    expect(readFileSync(join(root, 'docs', 'configuration.md'), 'utf8')).toBe(renderConfigDocs());
  });

  it('config/example.yaml is up to date (regenerate: pinterest-cdc config example > config/example.yaml)', () => {
    expect(readFileSync(join(root, 'config', 'example.yaml'), 'utf8')).toBe(renderExampleConfig());
  });

  it('documents every setting with its generic and conventional env names', () => {
    const docs = renderConfigDocs();
    for (const leaf of configLeaves()) {
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${leaf.path}\` |`));
      expect(row).toBeDefined();
      for (const name of leaf.envNames) expect(row).toContain(`\`${name}\``);
      expect(leaf.genericEnv).toMatch(/^PINTEREST_CDC_[A-Z0-9_]+__[A-Z0-9_]+$/);
    }
    expect(docs).toContain(
      '| `kafka.sasl.password` | `PINTEREST_CDC_KAFKA__SASL__PASSWORD`<br>`KAFKA_SASL_PASSWORD`'
    );
  });

  it('the example file loads as is, holds no secrets and mirrors the defaults', () => {
    const example = renderExampleConfig();
    const parsed = parse(example) as Record<string, Record<string, unknown>>;
    expect(parsed.pinterest?.clientSecret).toBeUndefined();
    expect(parsed.kafka?.brokers).toEqual(['127.0.0.1:9092']);
    const config = loadConfig({
      env: {PINTEREST_ACCESS_TOKEN: 'pina.token'},
      file: 'example.yaml',
      readFile: () => example,
      now: new Date('2025-01-01T00:00:00Z'),
    });
    expect(config.schemaRegistry.url).toBe('http://127.0.0.1:8080/apis/ccompat/v7');
    expect(config.sync.keepImages).toEqual(['ad_accounts', 'campaigns', 'ad_groups', 'ads', 'boards']);
  });
});
