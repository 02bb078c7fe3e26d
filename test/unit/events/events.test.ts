import {buildChangeEvent, canonicalJson, changedTopLevelFields, sourceTsMs} from '../../../src/events';

const context = {name: 'pinterest', version: '1', collection: 'campaigns', adAccountId: '5', syncId: 's'};

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({b: 1, a: {d: [3, {y: 1, x: 2}], c: null}})).toBe(
      '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}'
    );
    expect(canonicalJson({a: [2, 1]})).not.toBe(canonicalJson({a: [1, 2]}));
  });

  it('follows JSON.stringify for undefined, non-finite numbers and escapes', () => {
    expect(canonicalJson({a: undefined, b: [undefined], c: NaN, d: 'q"\n'})).toBe(
      '{"b":[null],"c":null,"d":"q\\"\\n"}'
    );
    expect(canonicalJson(12345678901234567890n)).toBe('12345678901234567890');
  });
});

describe('buildChangeEvent', () => {
  it('fills source from the context and the record', () => {
    const event = buildChangeEvent(context, {
      op: 'r',
      key: {id: '1'},
      after: {id: '1', updated_time: 1700000000},
      tsMs: 9,
    });
    expect(event.source).toEqual({
      name: 'pinterest',
      version: '1',
      collection: 'campaigns',
      adAccountId: '5',
      syncId: 's',
      snapshot: true,
      tsMs: 1700000000000,
    });
    expect(event.changedFields).toBeNull();
    expect(sourceTsMs({updated_time: '1700000000'})).toBeNull();
  });

  it('refuses images that contradict the op', () => {
    expect(() => buildChangeEvent(context, {op: 'c', key: {}, tsMs: 1})).toThrow(/needs an after image/);
    expect(() => buildChangeEvent(context, {op: 'd', key: {}, after: {}, tsMs: 1})).toThrow(/no after image/);
    expect(() => buildChangeEvent(context, {op: 'u', key: {}, before: {}, tsMs: 1})).toThrow(
      /needs an after image/
    );
  });

  it('lists the top-level fields that differ, deep values compared canonically', () => {
    expect(
      changedTopLevelFields(
        {a: 1, b: {x: 1, y: 2}, c: 3, gone: 1},
        {a: 1, b: {y: 2, x: 1}, c: 4, added: null},
        canonicalJson
      )
    ).toEqual(['added', 'c', 'gone']);
  });
});
