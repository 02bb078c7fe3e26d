/**
 * The registry enforces BACKWARD compatibility: a new field with a default is accepted as a new version, a new
 * field without a default and a retyped field are refused (HTTP 409), and the latest version stays the last good
 * one.
 */
import {SchemaRegistry, SchemaType} from '@kafkajs/confluent-schema-registry';

import {randomTopic} from '../setup/kafka-helpers';
import {schemaRegistryUrl} from '../setup/services';

// jest 30 ignores the project-level testTimeout of jest.config.js: set it for this file.
jest.setTimeout(120_000);

type Field = {name: string; type: unknown; default?: unknown};

function avro(fields: Field[]): {type: SchemaType.AVRO; schema: string} {
  return {
    type: SchemaType.AVRO,
    schema: JSON.stringify({type: 'record', name: 'Ad', namespace: 'it.pinterest_cdc', fields}),
  };
}

const v1: Field[] = [
  {name: 'id', type: 'string'},
  {name: 'name', type: 'string'},
];

describe('BACKWARD compatibility in the registry', () => {
  const registry = () => new SchemaRegistry({host: schemaRegistryUrl()});

  it('accepts a new field with a default and refuses incompatible changes with 409', async () => {
    const subject = `${randomTopic('it.compat')}-value`;
    const first = await registry().register(avro(v1), {subject});

    const compatible = await registry().register(
      avro([...v1, {name: 'status', type: 'string', default: 'ACTIVE'}]),
      {subject}
    );
    expect(compatible.id).not.toBe(first.id);
    expect(await registry().getLatestSchemaId(subject)).toBe(compatible.id);

    const withoutDefault = registry().register(
      avro([...v1, {name: 'status', type: 'string', default: 'ACTIVE'}, {name: 'bid_micro', type: 'long'}]),
      {
        subject,
      }
    );
    await expect(withoutDefault).rejects.toMatchObject({status: 409});

    const retyped = registry().register(
      avro([
        {name: 'id', type: 'long'},
        {name: 'name', type: 'string'},
        {name: 'status', type: 'string', default: 'ACTIVE'},
      ]),
      {
        subject,
      }
    );
    await expect(retyped).rejects.toMatchObject({status: 409});

    expect(await registry().getLatestSchemaId(subject)).toBe(compatible.id);
    const versions = (await (
      await fetch(`${schemaRegistryUrl()}/subjects/${subject}/versions`)
    ).json()) as number[];
    expect(versions).toHaveLength(2);
  });
});
