import {DeleteGuard} from '../../../src/sync';

const guard = new DeleteGuard({maxShare: 0.1});

describe('DeleteGuard', () => {
  it('lets deletes within the share through at once', () => {
    expect(guard.review({candidates: ['1'], tracked: 10, held: undefined})).toEqual({
      allow: true,
      confirmed: false,
      held: undefined,
    });
    expect(guard.review({candidates: [], tracked: 0, held: 'x'})).toMatchObject({
      allow: true,
      held: undefined,
    });
  });

  it('holds a larger share until the next listing names the same records', () => {
    const first = guard.review({candidates: ['1', '2'], tracked: 10, held: undefined});
    expect(first).toMatchObject({
      allow: false,
      reason: expect.stringMatching(/2 of 10 tracked records \(20%/),
    });
    expect(first.held).toMatch(/^[0-9a-f]{64}$/);
    expect(guard.review({candidates: ['1', '2'], tracked: 10, held: first.held})).toEqual({
      allow: true,
      confirmed: true,
      held: undefined,
    });
  });

  it('holds again when the next listing disagrees', () => {
    const first = guard.review({candidates: ['1', '2', '3'], tracked: 10, held: undefined});
    const second = guard.review({candidates: ['1', '2'], tracked: 10, held: first.held});
    expect(second.allow).toBe(false);
    expect(second.held).not.toBe(first.held);
  });

  it('never holds when the share is 100%', () => {
    expect(
      new DeleteGuard({maxShare: 1}).review({candidates: ['1', '2'], tracked: 2, held: undefined}).allow
    ).toBe(true);
  });
});
