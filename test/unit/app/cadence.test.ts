import {Cadence} from '../../../src/app/service';

describe('Cadence', () => {
  it('runs every kind at start, then each on its own interval from the start of its last cycle', () => {
    const cadence = new Cadence({entities: 60_000, analytics: 300_000}, 0);
    expect(cadence.due(0)).toEqual(['entities', 'analytics']);
    cadence.ran(['entities', 'analytics'], 0);
    expect(cadence.due(59_999)).toEqual([]);
    expect(cadence.next()).toBe(60_000);
    expect(cadence.due(60_000)).toEqual(['entities']);
    cadence.ran(['entities'], 60_000);
    expect(cadence.due(300_000)).toEqual(['entities', 'analytics']);
  });

  it('knows only the kinds it was given intervals for', () => {
    const cadence = new Cadence({entities: 1000}, 5);
    expect(cadence.due(10_000_000)).toEqual(['entities']);
  });
});
