/**
 * The value schema of an analytics collection, rendered from the column catalog: the key fields, one optional
 * field per documented column (catalog order), the attribution settings, `unknown_fields_json`. The .avsc files
 * under avro/ are this output (regenerate: `node scripts/generate-analytics-schemas.js`); a unit test keeps them
 * equal, so the files stay the serde's single source of truth and the catalog cannot drift from them.
 */
import {
  ANALYTICS_COLUMNS,
  ATTRIBUTION_FIELDS,
  type AnalyticsColumn,
  type AnalyticsColumnType,
} from './analytics-columns';
import type {CollectionDeclaration} from './types';

/** Names the value records had before Debezium's naming (issue 14): kept as aliases, BACKWARD-compatible. */
const FORMER_NAMES: Readonly<Record<string, readonly string[]>> = {
  ad_analytics: ['pinterest.cdc.ad_analytics.AdAnalytics'],
  campaign_analytics: ['pinterest.cdc.campaign_analytics.CampaignAnalytics'],
};

const DATE_TYPE = {type: 'int', logicalType: 'date'};

function avroType(type: AnalyticsColumnType): string {
  return type === 'json' ? 'string' : type;
}

/** The catalog columns with a field of their own in the collection's value schema. */
export function analyticsColumnsOf(declaration: CollectionDeclaration): AnalyticsColumn[] {
  return ANALYTICS_COLUMNS.filter((column) => !declaration.keyFields.includes(column.field));
}

export function analyticsValueSchema(declaration: CollectionDeclaration): Record<string, unknown> {
  const level = declaration.analytics?.level.replace('_', ' ') ?? declaration.name;
  const aliases = FORMER_NAMES[declaration.name];
  const keyFields = analyticsKeySchema(declaration).fields as unknown[];
  // A column that names the key's own entity (AD_ID in ad rows) is the key field itself.
  const columns = analyticsColumnsOf(declaration).map((column) => ({
    name: column.field,
    type: ['null', avroType(column.type)],
    default: null,
    ...(column.type === 'json' ? {'x-format': 'json'} : {}),
    doc: `Pinterest column ${column.name}${column.type === 'json' ? ' (type undocumented: its JSON text)' : ''}.`,
  }));
  const attribution = ATTRIBUTION_FIELDS.map((field) => ({
    name: field.name,
    type: ['null', field.type],
    default: null,
    doc: field.doc,
  }));
  return {
    type: 'record',
    name: 'Value',
    namespace: `pinterest.cdc.${declaration.name}`,
    ...(aliases ? {aliases: [...aliases]} : {}),
    doc:
      `One UTC day of one ${level}'s figures, as Pinterest reports them with the attribution settings below. ` +
      'A column the API did not return (no value) is null; micro-currency amounts are in the ad account currency.',
    fields: [
      ...keyFields,
      ...columns,
      ...attribution,
      {
        name: 'unknown_fields_json',
        type: ['null', 'string'],
        default: null,
        doc: 'JSON object of the row keys the API sent that this schema does not know (keys sorted), null when none.',
      },
    ],
  };
}

export function analyticsKeySchema(declaration: CollectionDeclaration): Record<string, unknown> {
  return {
    type: 'record',
    name: 'Key',
    namespace: `pinterest.cdc.${declaration.name}`,
    doc: `Key of ${declaration.name}: the record's identifying fields.`,
    fields: declaration.keyFields.map((name) => ({name, type: name === 'date' ? DATE_TYPE : 'string'})),
  };
}

/** The .avsc texts as written to avro/<collection>/{key,value}.avsc. */
export function renderAnalyticsSchemas(declaration: CollectionDeclaration): {key: string; value: string} {
  const text = (schema: unknown) => `${JSON.stringify(schema, null, 2)}\n`;
  return {key: text(analyticsKeySchema(declaration)), value: text(analyticsValueSchema(declaration))};
}
