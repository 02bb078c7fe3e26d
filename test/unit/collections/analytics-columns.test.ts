/**
 * The column catalog against the OpenAPI description, and the analytics .avsc files against the catalog: the
 * files are the serde's source of truth, the catalog validates analytics.columns and names the stored figures,
 * so the three must agree (regenerate the files: node scripts/generate-analytics-schemas.js).
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';

import {
  ANALYTICS_COLUMNS,
  COLLECTIONS,
  COLUMN_TYPE_EXCEPTIONS,
  SYNC_COLUMN_NAMES,
  columnType,
  columnTypeFromName,
} from '../../../src/collections';
import {analyticsValueSchema, analyticsKeySchema} from '../../../src/collections/analytics-schema';
import {SchemaCatalog} from '../../../src/serde';

const ROOT = path.resolve(__dirname, '../../..');
const spec = JSON.parse(readFileSync(path.join(ROOT, 'test/unit/sandbox/fixtures/openapi.json'), 'utf8')) as {
  components: {
    parameters: {query_columns: {schema: {items: {enum: string[]}}}};
    schemas: {ReportingColumnAsync: {enum: string[]}};
  };
};
const analytics = COLLECTIONS.filter((c) => c.kind === 'analytics');
const readSchema = (file: string) =>
  JSON.parse(readFileSync(path.join(ROOT, 'avro', file), 'utf8')) as Record<string, unknown>;

describe('analytics column catalog', () => {
  it('is the spec query_columns enum, in order (175 columns)', () => {
    expect(SYNC_COLUMN_NAMES).toEqual(spec.components.parameters.query_columns.schema.items.enum);
    expect(SYNC_COLUMN_NAMES).toHaveLength(175);
  });

  it('knows which columns async reports lack', () => {
    const asyncColumns = new Set(spec.components.schemas.ReportingColumnAsync.enum);
    for (const column of ANALYTICS_COLUMNS)
      expect([column.name, column.inReports]).toEqual([column.name, asyncColumns.has(column.name)]);
  });

  it('types columns by name: micro amounts and counts long, ratios and dollars double, ids and names string', () => {
    expect(columnTypeFromName('SPEND_IN_MICRO_DOLLAR')).toBe('long');
    expect(columnTypeFromName('TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR')).toBe('long');
    expect(columnTypeFromName('IMPRESSION_1')).toBe('long');
    expect(columnTypeFromName('TOTAL_CONVERSIONS')).toBe('long');
    expect(columnTypeFromName('SPEND_IN_DOLLAR')).toBe('double');
    expect(columnTypeFromName('CTR')).toBe('double');
    expect(columnTypeFromName('OUTBOUND_CTR_1')).toBe('double');
    expect(columnTypeFromName('CHECKOUT_ROAS')).toBe('double');
    expect(columnTypeFromName('TOTAL_SIGNUP_CONVERSION_RATE')).toBe('double');
    expect(columnTypeFromName('COST_PER_LEAD')).toBe('double');
    expect(columnTypeFromName('TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND')).toBe('double');
    expect(columnTypeFromName('CAMPAIGN_NAME')).toBe('string');
    expect(columnTypeFromName('AD_GROUP_ENTITY_STATUS')).toBe('string');
    expect(columnTypeFromName('PIN_ID')).toBe('string');
    // Exceptions: costs per click/mille in micro units are fractional; undocumented flags kept as JSON.
    expect(columnType('CPC_IN_MICRO_DOLLAR')).toBe('double');
    expect(columnType('IS_PREMIERE_CAMPAIGN')).toBe('json');
    for (const name of Object.keys(COLUMN_TYPE_EXCEPTIONS)) {
      expect(SYNC_COLUMN_NAMES).toContain(name);
      expect(columnType(name)).not.toBe(columnTypeFromName(name));
    }
  });

  it.each(analytics.map((c) => c.name))('avro/%s/{key,value}.avsc are what the catalog renders', (name) => {
    const declaration = analytics.find((c) => c.name === name)!;
    expect(readSchema(declaration.schemas.value)).toEqual(analyticsValueSchema(declaration));
    expect(readSchema(declaration.schemas.key)).toEqual(analyticsKeySchema(declaration));
  });

  it.each(analytics.map((c) => c.name))(
    '%s: one optional field per column, typed as the catalog says',
    (name) => {
      const declaration = analytics.find((c) => c.name === name)!;
      const fields = readSchema(declaration.schemas.value).fields as {
        name: string;
        type: unknown;
        default?: unknown;
      }[];
      const byName = new Map(fields.map((f) => [f.name, f]));
      for (const column of ANALYTICS_COLUMNS) {
        const field = byName.get(column.field);
        expect(field).toBeDefined();
        if (declaration.keyFields.includes(column.field)) continue; // the key field itself (AD_ID in ad rows)
        expect(field?.type).toEqual(['null', column.type === 'json' ? 'string' : column.type]);
        expect(field?.default).toBeNull();
      }
      for (const attribution of ['click_window_days', 'engagement_window_days', 'view_window_days']) {
        expect(byName.get(attribution)?.type).toEqual(['null', 'long']);
      }
      expect(byName.get('conversion_report_time')?.type).toEqual(['null', 'string']);
      expect(byName.get('unknown_fields_json')?.type).toEqual(['null', 'string']);
    }
  );

  it('keeps the former names as aliases (BACKWARD-compatible replacement of the placeholders)', () => {
    expect(readSchema('ad_analytics/value.avsc').aliases).toEqual(['pinterest.cdc.ad_analytics.AdAnalytics']);
    expect(readSchema('campaign_analytics/value.avsc').aliases).toEqual([
      'pinterest.cdc.campaign_analytics.CampaignAnalytics',
    ]);
    expect(readSchema('ad_group_analytics/value.avsc').aliases).toBeUndefined();
  });

  it('the schemas compile (envelope assembled, key fields as declared)', () => {
    const catalog = new SchemaCatalog({collections: analytics});
    expect(catalog.all()).toHaveLength(4);
    expect(catalog.get('ad_account_analytics').keyPlan.fields.map((f) => f.name)).toEqual([
      'ad_account_id',
      'date',
    ]);
  });
});
