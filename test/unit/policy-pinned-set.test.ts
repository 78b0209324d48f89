import { describe, expect, it } from 'vitest';
import { blockCount, pinnedSet } from '../../src/pager/policy.ts';
import { buildModel, llamaModel } from '../cases/pager-model.ts';

const hot = (o: Partial<{ pinEmbeddings: boolean; pinOutputHead: boolean; pinLastNLayers: number }>) => ({
  kind: 'pinnedHotSet' as const,
  ramBytes: 1 << 30,
  pinEmbeddings: false,
  pinOutputHead: false,
  pinLastNLayers: 0,
  prefetchNAhead: 0,
  ...o,
});

describe('pinnedSet derives the hot set from GGUF names and metadata', () => {
  it('pins token_embd.weight for pinEmbeddings', () => {
    expect([...pinnedSet(llamaModel(2).model, hot({ pinEmbeddings: true }))]).toEqual(['token_embd.weight']);
  });
  it('pins output.weight and output_norm.weight for pinOutputHead', () => {
    expect([...pinnedSet(llamaModel(2).model, hot({ pinOutputHead: true }))].sort()).toEqual(['output.weight', 'output_norm.weight']);
  });
  it('pins the embeddings as the head when the head is tied and output.weight is absent', () => {
    expect([...pinnedSet(llamaModel(2, { tied: true }).model, hot({ pinOutputHead: true }))].sort()).toEqual(['output_norm.weight', 'token_embd.weight']);
  });
  it('pins every tensor of the last N blocks, N from <arch>.block_count', () => {
    const pins = pinnedSet(llamaModel(4).model, hot({ pinLastNLayers: 2 }));
    expect(pins.size).toBe(18);
    expect([...pins].every((n) => n.startsWith('blk.2.') || n.startsWith('blk.3.'))).toBe(true);
  });
  it('takes the block count from metadata even when the names say otherwise', () => {
    const { model } = buildModel(
      [
        { name: 'blk.0.a', size: 4 },
        { name: 'blk.1.a', size: 4 },
      ],
      [
        ['general.architecture', 'gpt2'],
        ['gpt2.block_count', 5],
      ],
    );
    expect(blockCount(model)).toBe(5);
    expect([...pinnedSet(model, hot({ pinLastNLayers: 3 }))]).toEqual([]);
  });
  it('counts blk.N. names when the metadata has no block count', () => {
    const { model } = buildModel([
      { name: 'blk.0.a', size: 4 },
      { name: 'blk.7.a', size: 4 },
      { name: 'blk.3.a', size: 4 },
    ]);
    expect(blockCount(model)).toBe(8);
    expect([...pinnedSet(model, hot({ pinLastNLayers: 1 }))]).toEqual(['blk.7.a']);
  });
  it('pins nothing for a plain budget and everything for none', () => {
    const { model } = llamaModel(2);
    expect(pinnedSet(model, { kind: 'budget', ramBytes: 1 }).size).toBe(0);
    expect(pinnedSet(model, { kind: 'none' }).size).toBe(model.tensors.length);
  });
});
