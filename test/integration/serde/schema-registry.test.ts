import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {SchemaRegistry} from '@kafkajs/confluent-schema-registry';
import {COLLECTIONS} from '../../../src/collections';
import {buildChangeEvent} from '../../../src/events';
import {
  assembleEnvelope,
  defaultAvroDir,
  EventSerializer,
  SchemaCatalog,
  SchemaRegistrar,
  SchemaRegistrationError,
  type RawSchema,
} from '../../../src/serde';
import {keyOf, realisticRecords} from '../../unit/serde/realistic-records';

function readValueSchema(file: string): RawSchema {
  return JSON.parse(fs.readFileSync(join(defaultAvroDir(), file), 'utf8')) as RawSchema;
}

function registryUrl(): string {
  const url = process.env.SCHEMA_REGISTRY_URL;
  if (!url)
    throw new Error('SCHEMA_REGISTRY_URL is not set: the integration global setup must provide the registry');
  return url;
}

describe('schemas on a real Confluent-compatible registry (Apicurio ccompat)', () => {
  const catalog = new SchemaCatalog({collections: COLLECTIONS});
  const registry = new SchemaRegistry({host: registryUrl()});
  const prefix = `it${randomBytes(5).toString('hex')}`;
  let ids: Map<string, {keyId: number; valueId: number}>;

  beforeAll(async () => {
    ids = await new SchemaRegistrar(registry, catalog, prefix).registerAll();
  });

  it('registers <topic>-key and <topic>-value for every collection, idempotently', async () => {
    expect([...ids.keys()]).toEqual(COLLECTIONS.map((c) => c.name));
    const all = [...ids.values()].flatMap((v) => [v.keyId, v.valueId]);
    expect(new Set(all).size).toBe(all.length);
    for (const collection of COLLECTIONS) {
      const id = ids.get(collection.name)!;
      expect(await registry.getLatestSchemaId(`${prefix}.${collection.name}-key`)).toBe(id.keyId);
      expect(await registry.getLatestSchemaId(`${prefix}.${collection.name}-value`)).toBe(id.valueId);
    }
    expect(await new SchemaRegistrar(registry, catalog, prefix).registerAll()).toEqual(ids);
  });

  it.each(COLLECTIONS.map((c) => [c.name, c]))(
    '%s: encode -> decode round trip, also by the registry client',
    async (name, declaration) => {
      const serializer = new EventSerializer(catalog, ids);
      const record = realisticRecords[name]!;
      const key = keyOf(name, record, declaration.keyFields);
      const event = buildChangeEvent(
        {
          name: prefix,
          version: '0.1.0',
          collection: name,
          adAccountId: declaration.scope === 'ad_account' ? '549755885175' : null,
          syncId: 'it',
        },
        {
          op: 'u',
          key,
          before: record,
          after: {...record, name: 'changed'},
          changedFields: ['name'],
          tsMs: 1767225600000,
        }
      );
      const value = serializer.encodeValue(event);
      const ours = serializer.decode(value).value as {
        after: Record<string, unknown>;
        before: Record<string, unknown>;
      };
      const theirs = (await registry.decode(value)) as {
        after: Record<string, unknown>;
        op: string;
        changed_fields: string[];
      };
      expect(theirs.op).toBe('u');
      expect(theirs.changed_fields).toEqual(['name']);
      // The registry client knows no logical types: it sees `date` as days since the epoch, we see YYYY-MM-DD.
      const {date: ourDate, ...ourRest} = ours.after;
      const {date: theirDate, ...theirRest} = theirs.after;
      expect(theirRest).toEqual(ourRest);
      if (ourDate !== undefined)
        expect(theirDate).toBe(Math.round(Date.parse(`${ourDate as string}T00:00:00Z`) / 86_400_000));
      // Collections without a `name` field keep it with the other unknown fields, never drop it.
      const knowsName = ours.after.name !== undefined;
      if (knowsName) expect(ours.after.name).toBe('changed');
      else expect(JSON.parse(ours.after.unknown_fields_json as string)).toMatchObject({name: 'changed'});
      const keyBuffer = serializer.encodeKey(name, key);
      expect(serializer.decode(keyBuffer).value).toEqual(key);
      expect(keyBuffer.readInt32BE(1)).toBe(ids.get(name)!.keyId);
    }
  );

  it('accepts a BACKWARD-compatible change (new optional field with a default)', async () => {
    const compatible = structuredClone(catalog.get('boards').envelopeSchema) as RawSchema & {
      fields: object[];
    };
    compatible.fields.push({name: 'transaction_id', type: ['null', 'string'], default: null});
    const {id} = await registry.register(
      {type: 'AVRO' as never, schema: JSON.stringify(compatible)},
      {subject: `${prefix}.boards-value`}
    );
    expect(id).not.toBe(ids.get('boards')!.valueId);
  });

  it('adds source.connection BACKWARD-compatibly over envelopes registered before connections were named', async () => {
    const earlier = `it${randomBytes(5).toString('hex')}`;
    // The envelopes as main registered them: the source record without `connection`.
    const withoutConnection = (schema: RawSchema): RawSchema => {
      const copy = structuredClone(schema) as {fields: {name: string; type: unknown}[]};
      const source = copy.fields.find((f) => f.name === 'source')!.type as {fields: {name: string}[]};
      expect(source.fields.map((f) => f.name)).toContain('connection');
      source.fields = source.fields.filter((f) => f.name !== 'connection');
      return copy as unknown as RawSchema;
    };
    for (const {declaration, envelopeSchema} of catalog.all()) {
      await registry.register(
        {type: 'AVRO' as never, schema: JSON.stringify(withoutConnection(envelopeSchema))},
        {subject: `${earlier}.${declaration.name}-value`}
      );
    }
    const upgraded = await new SchemaRegistrar(registry, catalog, earlier).registerAll();
    expect([...upgraded.keys()]).toEqual(COLLECTIONS.map((c) => c.name));
    const latest = await registry.getSchema(await registry.getLatestSchemaId(`${earlier}.campaigns-value`));
    expect(JSON.stringify(latest)).toContain('"connection"');
  });

  it('moves a deployment registered under the pre-Debezium names (<Name>Envelope, <Name>) to .Envelope/.Value', async () => {
    const moved = `it${randomBytes(5).toString('hex')}`;
    // The names this project registered before it followed Debezium's convention, rebuilt from the aliases.
    const previous = (schema: RawSchema): RawSchema => {
      const text = JSON.stringify(schema);
      const envelope = schema as {aliases: string[]};
      const value = (schema as {fields: {type: unknown}[]}).fields[0]!.type as [null, {aliases: string[]}];
      const oldValue = value[1].aliases[0]!;
      const oldEnvelope = envelope.aliases[0]!;
      const namespace = oldValue.slice(0, oldValue.lastIndexOf('.'));
      return JSON.parse(
        text
          .replaceAll(`"${namespace}.Value"`, `"${oldValue}"`)
          .replace('"name":"Value"', `"name":"${oldValue.slice(namespace.length + 1)}"`)
          .replace('"name":"Envelope"', `"name":"${oldEnvelope.slice(namespace.length + 1)}"`)
          .replace(/"aliases":\[[^\]]*\],?/g, '')
      ) as RawSchema;
    };
    // Collections added after the move (ad_group_analytics, ad_account_analytics) never had other names.
    const renamed = catalog
      .all()
      .filter((c) => ((c.envelopeSchema as {aliases?: unknown[]}).aliases ?? []).length > 0);
    for (const {declaration, envelopeSchema} of renamed) {
      await registry.register(
        {type: 'AVRO' as never, schema: JSON.stringify(previous(envelopeSchema))},
        {subject: `${moved}.${declaration.name}-value`}
      );
    }
    const movedIds = await new SchemaRegistrar(registry, catalog, moved).registerAll();
    expect([...movedIds.keys()]).toEqual(COLLECTIONS.map((c) => c.name));
    const latest = await registry.getLatestSchemaId(`${moved}.campaigns-value`);
    expect(((await registry.getSchema(latest)) as unknown as {name: string}).name).toBe(
      'pinterest.cdc.campaigns.Envelope'
    );
  });

  it('replaces the analytics placeholder value schemas (key fields + unknown_fields_json) BACKWARD-compatibly', async () => {
    const replaced = `it${randomBytes(5).toString('hex')}`;
    for (const name of ['ad_analytics', 'campaign_analytics']) {
      const {declaration, keySchema} = catalog.get(name);
      // The placeholder as registered before issue 9: the key fields, then unknown_fields_json.
      const placeholder: RawSchema = {
        type: 'record',
        name: 'Value',
        namespace: `pinterest.cdc.${name}`,
        aliases: (readValueSchema(declaration.schemas.value).aliases as string[]) ?? [],
        fields: [
          ...(keySchema as {fields: unknown[]}).fields,
          {name: 'unknown_fields_json', type: ['null', 'string'], default: null},
        ],
      };
      const envelope = assembleEnvelope(
        readValueSchema('common/envelope.avsc'),
        readValueSchema('common/source.avsc'),
        placeholder,
        name
      );
      await registry.register(
        {type: 'AVRO' as never, schema: JSON.stringify(envelope)},
        {subject: `${replaced}.${name}-value`}
      );
    }
    const replacedIds = await new SchemaRegistrar(registry, catalog, replaced).registerAll();
    const latest = await registry.getLatestSchemaId(`${replaced}.ad_analytics-value`);
    expect(latest).toBe(replacedIds.get('ad_analytics')!.valueId);
  });

  it('fails registration of a BACKWARD-incompatible local change, naming the subject and the reason', async () => {
    const avroDir = join(tmpdir(), `avro-${prefix}`);
    fs.cpSync(defaultAvroDir(), avroDir, {recursive: true});
    const file = `${avroDir}/ads/value.avsc`;
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      fields: {name: string; type: unknown; default?: unknown}[];
    };
    // Retyping a field (string -> long) is never allowed.
    const field = value.fields.find((f) => f.name === 'pin_id')!;
    field.type = ['null', 'long'];
    fs.writeFileSync(file, JSON.stringify(value));
    const changed = new SchemaCatalog({collections: COLLECTIONS, avroDir});
    const error = await new SchemaRegistrar(registry, changed, prefix).registerAll().catch((e: unknown) => e);
    fs.rmSync(avroDir, {recursive: true});
    expect(error).toBeInstanceOf(SchemaRegistrationError);
    expect((error as SchemaRegistrationError).subject).toBe(`${prefix}.ads-value`);
    expect((error as Error).message).toMatch(
      new RegExp(`Schema registration for subject ${prefix}\\.ads-value failed: .*[Ii]ncompatible`)
    );
    expect((error as SchemaRegistrationError).message).toContain('HTTP 409');
    expect((error as SchemaRegistrationError).retriable).toBe(false);
  });
});
