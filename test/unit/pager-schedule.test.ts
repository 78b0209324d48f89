import { describe, expect, it } from 'vitest';
import { forwardSchedule, groupTrace } from '../../src/pager/schedule.ts';
import { buildModel, llamaModel } from '../cases/pager-model.ts';

const names = (m: ReturnType<typeof buildModel>['model'], g: Int32Array) => Array.from(g, (t) => m.tensors[t].name);

describe('forwardSchedule', () => {
  it('reads the embeddings, then each block in file order, then the rest', () => {
    const { model } = buildModel([
      { name: 'output_norm.weight', size: 4 },
      { name: 'blk.1.b', size: 4 },
      { name: 'blk.0.z', size: 4 },
      { name: 'token_embd.weight', size: 4 },
      { name: 'blk.0.a', size: 4 },
      { name: 'output.weight', size: 4 },
      { name: 'blk.10.a', size: 4 },
    ]);
    const s = forwardSchedule(model);
    expect(s.groups.map((g) => names(model, g))).toEqual([
      ['token_embd.weight'],
      ['blk.0.z', 'blk.0.a'],
      ['blk.1.b'],
      ['blk.10.a'],
      ['output_norm.weight', 'output.weight'],
    ]);
    expect(s.groupOfBlock(10)).toBe(3);
    expect(s.groupOfBlock(2)).toBe(-1);
  });
  it('gives every tensor one position in the cycle', () => {
    const { model } = llamaModel(3);
    const s = forwardSchedule(model);
    expect(s.length).toBe(model.tensors.length);
    expect(new Set(s.order).size).toBe(model.tensors.length);
    for (let p = 0; p < s.length; p++) expect(s.pos[s.order[p]]).toBe(p);
  });
  it('measures next use as accesses after the cursor, the cursor itself a full cycle away', () => {
    const { model } = llamaModel(1);
    const s = forwardSchedule(model);
    const at = (p: number) => s.order[p];
    expect(s.distance(-1, at(0))).toBe(1);
    expect(s.distance(3, at(4))).toBe(1);
    expect(s.distance(3, at(3))).toBe(s.length);
    expect(s.distance(3, at(2))).toBe(s.length - 1);
  });
  it('repeats the groups once per token in the trace', () => {
    const s = forwardSchedule(llamaModel(2).model);
    expect(Array.from(groupTrace(s, 2))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });
});
