/** A tensor over the budget, or pins over the budget, are clear errors, not overruns. */
import { describe, expect, it } from 'vitest';
import { LayerPager } from '../../src/pager/layer-pager.ts';
import { createCore } from '../../src/core/core.ts';
import { llamaModel } from '../cases/pager-model.ts';
import { TestSource } from '../cases/pager-source.ts';
import { pagerCase } from '../cases/pager-harness.ts';

describe('budget errors', () => {
  it('a tensor larger than the budget is PAGER_TENSOR_TOO_LARGE at acquire, and nothing is evicted or read', async () => {
    const { pager, source } = await pagerCase({
      specs: [
        { name: 'small', size: 64 },
        { name: 'huge', size: 1000 },
      ],
      budget: 512,
    });
    pager.release(await pager.acquire('small'));
    await expect(pager.acquire('huge')).rejects.toMatchObject({ code: 'PAGER_TENSOR_TOO_LARGE', message: expect.stringContaining('huge') });
    expect(pager.isResident('small')).toBe(true);
    expect(source.reads).toBe(1);
  });

  it('a tensor that fits the budget but not beside the pinned set is PAGER_TENSOR_TOO_LARGE', async () => {
    const { pager } = await pagerCase({
      specs: [
        { name: 'token_embd.weight', size: 300 },
        { name: 'blk.0.a', size: 300 },
      ],
      policy: { kind: 'pinnedHotSet', ramBytes: 512, pinEmbeddings: true, pinOutputHead: false, pinLastNLayers: 0, prefetchNAhead: 0 },
    });
    await expect(pager.acquire('blk.0.a')).rejects.toMatchObject({ code: 'PAGER_TENSOR_TOO_LARGE' });
  });

  it('a layer whose tensors together exceed the budget is PAGER_TENSOR_TOO_LARGE, not a wait', async () => {
    const { pager } = await pagerCase({ built: llamaModel(2, { matrixBytes: 256, normBytes: 64 }), budget: 1024 });
    await expect(pager.acquireLayer(0)).rejects.toMatchObject({ code: 'PAGER_TENSOR_TOO_LARGE', message: expect.stringContaining('block 0') });
  });

  it('a pinned set larger than the budget is PAGER_PINS_OVER_BUDGET at construction', async () => {
    const built = llamaModel(2, { matrixBytes: 256 });
    const core = await createCore({ arenaBytes: 1 << 16 });
    const make = (ramBytes: number) =>
      new LayerPager({
        arena: core.arena,
        sources: [new TestSource(built.bytes)],
        model: built.model,
        policy: { kind: 'pinnedHotSet', ramBytes, pinEmbeddings: true, pinOutputHead: true, pinLastNLayers: 1, prefetchNAhead: 0 },
      });
    expect(() => make(2000)).toThrow(expect.objectContaining({ code: 'PAGER_PINS_OVER_BUDGET' }));
    expect(() => make(4000)).not.toThrow();
  });

  it('policy none pins the whole model: a model over the arena is PAGER_PINS_OVER_BUDGET', async () => {
    const built = llamaModel(2, { matrixBytes: 4096 });
    const core = await createCore({ arenaBytes: 1 << 16 });
    expect(() => new LayerPager({ arena: core.arena, sources: [new TestSource(built.bytes)], model: built.model, policy: { kind: 'none' } })).toThrow(
      expect.objectContaining({ code: 'PAGER_PINS_OVER_BUDGET' }),
    );
  });

  it('the budget is the smaller of the policy budget and the arena capacity', async () => {
    const built = llamaModel(1);
    const core = await createCore({ arenaBytes: 1 << 16 });
    const pager = new LayerPager({
      arena: core.arena,
      sources: [new TestSource(built.bytes)],
      model: built.model,
      policy: { kind: 'budget', ramBytes: 1 << 30 },
    });
    expect(pager.budgetBytes).toBe(core.arena.capacity);
  });
});
