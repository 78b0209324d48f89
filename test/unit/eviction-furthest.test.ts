import { describe, expect, it } from 'vitest';
import { FurthestNextUseEviction } from '../../src/pager/eviction.ts';
import { forwardSchedule } from '../../src/pager/schedule.ts';
import { llamaModel } from '../cases/pager-model.ts';

describe('furthest-next-use eviction over the forward-pass cycle', () => {
  const { model } = llamaModel(8);
  const s = forwardSchedule(model);
  const all = () => {
    const e = new FurthestNextUseEviction(s, model.tensors.length);
    for (let t = 0; t < model.tensors.length; t++) e.add(t);
    return e;
  };

  it('picks the candidate whose next use is furthest after the cursor', () => {
    const e = all();
    for (const cursor of [-1, 0, 5, 40, s.length - 1]) {
      const v = e.victim(cursor, () => true);
      let best = -1;
      for (let t = 0; t < model.tensors.length; t++) if (best < 0 || s.distance(cursor, t) > s.distance(cursor, best)) best = t;
      expect(v).toBe(best);
    }
  });
  it('skips candidates that may not be evicted and tensors that are not resident', () => {
    const e = all();
    const cursor = 20;
    e.remove(s.order[20]);
    const blocked = s.order[19];
    expect(e.victim(cursor, (t) => t !== blocked)).toBe(s.order[18]);
    expect(e.victim(cursor, () => false)).toBe(-1);
  });
  it('finds a victim in steady state after looking at only the group just used, not every resident', () => {
    const e = all();
    const group = s.groups[3];
    const cursor = s.pos[group[group.length - 1]];
    let calls = 0;
    const leased = new Set(group);
    const v = e.victim(cursor, (t) => {
      calls++;
      return !leased.has(t);
    });
    expect(s.groupOf[v]).toBe(2);
    expect(calls).toBe(group.length + 1);
  });
  it('gives up after seeing every resident once', () => {
    const e = new FurthestNextUseEviction(s, model.tensors.length);
    e.add(s.order[10]);
    let calls = 0;
    expect(
      e.victim(50, () => {
        calls++;
        return false;
      }),
    ).toBe(-1);
    expect(calls).toBe(1);
  });
});
