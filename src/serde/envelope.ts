import type {RawSchema} from './schema-files';

/**
 * Assembles `<namespace>.Envelope` from the shared template (avro/common/envelope.avsc): `{{Value}}` becomes the
 * collection's value record (defined once, in `before`), `{{ValueRef}}` its full name, `{{Source}}` the shared
 * source record; `{{Name}}`, `{{namespace}}` and `{{collection}}` are substituted in names and docs.
 *
 * Names follow Debezium's convention (`.Key`, `.Value`, `.Envelope`: the JDBC sink recognises an envelope by its
 * name). `{{EnvelopeAliases}}` becomes the envelope's former names, one per alias of the value record
 * (`<ns>.Campaign` -> `<ns>.CampaignEnvelope`), so the registry's BACKWARD check accepts the renaming.
 */
export function assembleEnvelope(
  template: RawSchema,
  source: RawSchema,
  value: RawSchema,
  collection: string
): RawSchema {
  if (typeof value.name !== 'string' || typeof value.namespace !== 'string') {
    throw new Error(`Value schema of ${collection} needs a name and a namespace`);
  }
  const fullName = `${value.namespace}.${value.name}`;
  const valueAliases = Array.isArray(value.aliases) ? (value.aliases as string[]) : [];
  const envelopeAliases = valueAliases.map((alias) => `${alias}Envelope`);
  const text = (s: string): string =>
    s
      .replaceAll('{{Name}}', value.name as string)
      .replaceAll('{{namespace}}', value.namespace as string)
      .replaceAll('{{collection}}', collection);
  const substitute = (node: unknown): unknown => {
    if (node === '{{Value}}') return value;
    if (node === '{{ValueRef}}') return fullName;
    if (node === '{{Source}}') return source;
    if (node === '{{EnvelopeAliases}}') return envelopeAliases;
    if (typeof node === 'string') return text(node);
    if (Array.isArray(node)) return node.map(substitute);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v)]));
    }
    return node;
  };
  return substitute(structuredClone(template)) as RawSchema;
}
