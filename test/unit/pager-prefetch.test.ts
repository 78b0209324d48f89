/** prefetchNAhead loads the next groups in the background (it was once only advisory). */
import { describe, expect, it } from 'vitest';
import type { OffloadPolicy } from '../../src/pager/policy.ts';
import { llamaModel } from '../cases/pager-model.ts';
import { loadsDone, pagerCase } from '../cases/pager-harness.ts';

const built = llamaModel(4, { matrixBytes: 256, normBytes: 64 });
const BLOCK = 2 * 64 + 7 * 256;
const hot = (ramBytes: number, prefetchNAhead: number): OffloadPolicy => ({
  kind: 'pinnedHotSet',
  ramBytes,
  pinEmbeddings: false,
  pinOutputHead: false,
  pinLastNLayers: 0,
  prefetchNAhead,
});
const blockIds = (i: number) => built.model.tensors.filter((t) => t.name.startsWith(`blk.${i}.`)).map((t) => t.name);

describe('prefetch', () => {
  it('acquiring block i starts loading blocks i+1..i+n, and acquiring them later reads nothing more', async () => {
    const { pager, source } = await pagerCase({ built, policy: hot(6 * BLOCK, 2) });
    const l0 = await pager.acquireLayer(0);
    expect(pager.stats().prefetches).toBe(18);
    await loadsDone(pager);
    expect(
      blockIds(1)
        .concat(blockIds(2))
        .every((id) => pager.isResident(id)),
    ).toBe(true);
    expect(pager.isResident(blockIds(3)[0])).toBe(false);
    pager.release(l0);
    const readsBefore = source.reads;
    const l1 = await pager.acquireLayer(1);
    expect(source.reads - readsBefore).toBe(9); // block 3 prefetched; block 1 itself was a hit
    pager.release(l1);
  });

  it('does not block the caller: the acquire resolves while the prefetch reads are still held', async () => {
    const { pager, source } = await pagerCase({ built, policy: hot(6 * BLOCK, 1) });
    for (const id of blockIds(1)) source.holdAt.add(built.model.tensors.find((t) => t.name === id)!.offset);
    const l0 = await pager.acquireLayer(0);
    expect(pager.stats().loadsInFlight).toBe(9);
    expect(blockIds(1).some((id) => pager.isResident(id))).toBe(false);
    pager.release(l0);
    source.resume();
    await loadsDone(pager);
    expect(blockIds(1).every((id) => pager.isResident(id))).toBe(true);
  });

  it('wraps around the cycle: the last group prefetches the first', async () => {
    const { pager } = await pagerCase({ built, policy: hot(built.model.totalTensorBytes, 1) });
    pager.release(await pager.acquireMany(['output_norm.weight', 'output.weight']));
    await loadsDone(pager);
    expect(pager.isResident('token_embd.weight')).toBe(true);
  });

  it('never evicts a tensor needed sooner than the one it would load: it skips instead', async () => {
    const { pager } = await pagerCase({ built, policy: hot(2 * BLOCK, 2) });
    await pager.prefetch(blockIds(1));
    const before = pager.stats().prefetches;
    const l0 = await pager.acquireLayer(0);
    await loadsDone(pager);
    expect(blockIds(1).every((id) => pager.isResident(id))).toBe(true);
    expect(blockIds(2).some((id) => pager.isResident(id))).toBe(false);
    expect(pager.stats().prefetches).toBe(before);
    pager.release(l0);
  });

  it('evicts a tensor needed later than the prefetched one, and stays within the budget', async () => {
    const { pager } = await pagerCase({ built, policy: hot(2 * BLOCK, 1) });
    await pager.prefetch(blockIds(3));
    const l0 = await pager.acquireLayer(0);
    await loadsDone(pager);
    expect(blockIds(1).every((id) => pager.isResident(id))).toBe(true);
    expect(blockIds(3).some((id) => pager.isResident(id))).toBe(false);
    expect(pager.stats().maxResidentBytes).toBeLessThanOrEqual(2 * BLOCK);
    pager.release(l0);
  });

  it('prefetch(ids) loads named tensors in the background without leasing them', async () => {
    const { pager, source } = await pagerCase({ built, budget: 4 * BLOCK });
    await pager.prefetch(blockIds(2));
    expect(pager.stats()).toMatchObject({ prefetches: 9, leasedBytes: 0, loadsInFlight: 0 });
    const reads = source.reads;
    pager.release(await pager.acquireLayer(2));
    expect(source.reads).toBe(reads);
  });
});
