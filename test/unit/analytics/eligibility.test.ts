/** Which entities can have rows in a range, from what a listing says. Pure. */
import {canHaveRows, compareIds, entityCanHaveRows, lifetimeOf} from '../../../src/analytics';

const at = (date: string) => Date.parse(`${date}T12:00:00Z`) / 1000;
const JUNE = {start: '2026-06-01', end: '2026-06-30'};

describe('entity eligibility', () => {
  it('drafts never; created after the range, never', () => {
    expect(canHaveRows({id: '1', status: 'DRAFT'}, JUNE, 0)).toBe(false);
    expect(canHaveRows({id: '1', status: 'DELETED_DRAFT'}, JUNE, 0)).toBe(false);
    expect(canHaveRows({id: '1', status: 'ACTIVE', createdTime: at('2026-07-01')}, JUNE, 0)).toBe(false);
    expect(canHaveRows({id: '1', status: 'ACTIVE', createdTime: at('2026-06-30')}, JUNE, 0)).toBe(true);
  });

  it('paused or archived before the range began: no rows, unless conversions land later (TIME_OF_CONVERSION)', () => {
    const stopped = {
      id: '1',
      status: 'ARCHIVED',
      createdTime: at('2026-01-01'),
      updatedTime: at('2026-05-20'),
    };
    expect(canHaveRows(stopped, JUNE, 0)).toBe(false);
    expect(canHaveRows({...stopped, updatedTime: at('2026-06-01')}, JUNE, 0)).toBe(true);
    expect(canHaveRows({...stopped, status: 'PAUSED'}, JUNE, 0)).toBe(false);
    expect(canHaveRows(stopped, JUNE, 30)).toBe(true);
  });

  it('created paused and never changed: it never ran', () => {
    expect(
      canHaveRows(
        {id: '1', status: 'PAUSED', createdTime: at('2026-06-10'), updatedTime: at('2026-06-10')},
        JUNE,
        0
      )
    ).toBe(false);
  });

  it('unknown fields widen: no status or timestamps can have rows', () => {
    expect(canHaveRows({id: '1'}, JUNE, 0)).toBe(true);
    expect(canHaveRows({id: '1', status: 'PAUSED'}, JUNE, 0)).toBe(true);
  });

  it('an entity delivers only while its listed parents do (the days intersect)', () => {
    const ad = {id: '3', status: 'ACTIVE', createdTime: at('2026-06-10'), parents: ['2', '1']};
    const group = {id: '2', status: 'ACTIVE', createdTime: at('2025-01-01')};
    const campaign = {
      id: '1',
      status: 'ARCHIVED',
      createdTime: at('2025-01-01'),
      updatedTime: at('2026-06-05'),
    };
    const parents = new Map([group, campaign].map((p) => [p.id, p]));
    // The campaign stopped on June 5, the ad was created on June 10: they never ran together.
    expect(entityCanHaveRows(ad, parents, JUNE, 0)).toBe(false);
    expect(entityCanHaveRows({...ad, createdTime: at('2026-06-03')}, parents, JUNE, 0)).toBe(true);
    // A parent that was not listed widens (nothing known against it).
    expect(entityCanHaveRows(ad, new Map([[group.id, group]]), JUNE, 0)).toBe(true);
  });

  it('reads lifetimes and parents from a listed record', () => {
    expect(
      lifetimeOf({
        id: '9',
        status: 'ACTIVE',
        created_time: 1,
        updated_time: 2,
        campaign_id: '1',
        ad_group_id: '2',
      })
    ).toEqual({id: '9', status: 'ACTIVE', createdTime: 1, updatedTime: 2, parents: ['2', '1']});
    expect(lifetimeOf({id: 9})).toBeUndefined();
  });

  it('orders ids numerically beyond 2^53', () => {
    expect(['687195134316000002', '99', '687195134316000001'].sort(compareIds)).toEqual([
      '99',
      '687195134316000001',
      '687195134316000002',
    ]);
  });
});
