import {ReadProgress} from '../../../src/kafka/read-progress';

describe('ReadProgress', () => {
  it('is done at once when every partition is empty (start = end)', () => {
    const p = new ReadProgress([
      {partition: 0, start: '0', end: '0'},
      {partition: 1, start: '7', end: '7'},
    ]);
    expect(p.isDone()).toBe(true);
    expect(p.pending()).toEqual([]);
  });

  it('completes a partition whose tail is a commit marker, past the last data offset', () => {
    // Offsets 0..2 data, 3 commit marker: end 4. The last data record (2) is below end - 1.
    const p = new ReadProgress([{partition: 0, start: '0', end: '4'}]);
    expect(p.advance(0, '2')).toBe(false);
    expect(p.isDone()).toBe(false);
    expect(p.advance(0, '3')).toBe(true); // a batch of only the marker: kafkajs reports its lastOffset
    expect(p.isDone()).toBe(true);
    expect(p.advance(0, '9')).toBe(false); // already complete: reported once
  });

  it('accepts only offsets between the position and the end (no re-yield after a restart from 0)', () => {
    const p = new ReadProgress([{partition: 0, start: '0', end: '10'}]);
    expect(p.accepts(0, '0')).toBe(true);
    p.advance(0, '4');
    expect(p.accepts(0, '3')).toBe(false);
    expect(p.accepts(0, '5')).toBe(true);
    expect(p.accepts(0, '10')).toBe(false);
    expect(p.accepts(1, '0')).toBe(false);
    expect(p.advance(0, '2')).toBe(false); // going back changes nothing
    expect(p.accepts(0, '4')).toBe(false);
  });

  it('raises the end once to the first high watermark seen (an open transaction pinned the LSO)', () => {
    const p = new ReadProgress([{partition: 0, start: '0', end: '5'}]);
    p.observeHighWatermark(0, '12');
    p.observeHighWatermark(0, '40'); // later batches do not move the end again
    expect(p.advance(0, '4')).toBe(false);
    expect(p.accepts(0, '11')).toBe(true);
    expect(p.accepts(0, '12')).toBe(false);
    expect(p.advance(0, '11')).toBe(true);
    const lower = new ReadProgress([{partition: 0, start: '0', end: '5'}]);
    lower.observeHighWatermark(0, '3');
    expect(lower.accepts(0, '4')).toBe(true);
  });

  it('handles offsets beyond 2^53 exactly', () => {
    const p = new ReadProgress([{partition: 0, start: '9007199254740993', end: '9007199254740995'}]);
    expect(p.advance(0, '9007199254740993')).toBe(false);
    expect(p.advance(0, '9007199254740994')).toBe(true);
  });
});
