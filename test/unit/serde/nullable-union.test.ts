/**
 * The fast writer of `["null", <primitive>]` unions (src/serde/nullable-union.ts) against avsc's own unwrapped
 * union: the same bytes for every value, the same errors for values of a wrong type. No seam: both are real avsc
 * types built from the same schema.
 */
import {Type} from 'avsc';

import {avscTypeOptions} from '../../../src/serde';

const schema = {
  type: 'record',
  name: 'Row',
  fields: [
    {name: 'i', type: ['null', 'int'], default: null},
    {name: 'l', type: ['null', 'long'], default: null},
    {name: 'f', type: ['null', 'float'], default: null},
    {name: 'd', type: ['null', 'double'], default: null},
    {name: 's', type: ['null', 'string'], default: null},
    {name: 'b', type: ['null', 'boolean'], default: null},
    {name: 'other', type: ['null', 'string', 'long'], default: null},
    {name: 'nested', type: ['null', {type: 'array', items: 'string'}], default: null},
  ],
};

const fast = Type.forSchema(schema as never, avscTypeOptions());
const plain = Type.forSchema(schema as never, {wrapUnions: 'auto'});

describe('nullable primitive unions', () => {
  it('uses the fast writer only for ["null", primitive]', () => {
    const names = (
      fast as unknown as {fields: {name: string; type: {constructor: {name: string}}}[]}
    ).fields.map((f) => [f.name, f.type.constructor.name]);
    expect(names).toEqual([
      ['i', 'NullablePrimitiveUnion'],
      ['l', 'NullablePrimitiveUnion'],
      ['f', 'NullablePrimitiveUnion'],
      ['d', 'NullablePrimitiveUnion'],
      ['s', 'NullablePrimitiveUnion'],
      ['b', 'NullablePrimitiveUnion'],
      ['other', 'UnwrappedUnionType'],
      ['nested', 'UnwrappedUnionType'],
    ]);
  });

  it.each([
    {i: null, l: null, f: null, d: null, s: null, b: null, other: null, nested: null},
    {i: 0, l: 0, f: 0, d: 0, s: '', b: false, other: 'x', nested: []},
    {i: -1, l: -(2 ** 52), f: 1.5, d: -0.125, s: 'émoji 📌', b: true, other: 7, nested: ['a', 'b']},
    {
      i: 2 ** 31 - 1,
      l: 2 ** 53 - 2,
      f: null,
      d: 1e300,
      s: 'x'.repeat(300),
      b: null,
      other: null,
      nested: null,
    },
    // Larger than avsc's first buffer: the writes after the overflow are dropped and avsc writes again, larger.
    {i: null, l: 1, f: null, d: null, s: 'y'.repeat(70_000), b: null, other: null, nested: null},
    {i: null, l: 1, f: null, d: null, s: 'y'.repeat(70_000), b: true, other: 'z', nested: ['q']},
  ])('writes the bytes avsc writes, and reads back: %j', (row) => {
    const bytes = fast.toBuffer(row);
    expect(bytes.equals(plain.toBuffer(row))).toBe(true);
    expect({...plain.fromBuffer(bytes)}).toEqual(row);
  });

  it.each([
    ['l', 'not a number'],
    ['s', 12],
    ['b', 'true'],
  ])('refuses %s = %j as avsc does', (field, value) => {
    const row: Record<string, unknown> = {i: null, l: null, f: null, d: null, s: null, b: null, other: null};
    row[field] = value;
    expect(() => plain.toBuffer(row)).toThrow();
    expect(() => fast.toBuffer(row)).toThrow();
  });
});
