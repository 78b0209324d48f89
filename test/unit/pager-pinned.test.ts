import { describe, expect, it } from 'vitest';
import type { OffloadPolicy } from '../../src/pager/policy.ts';
import { llamaModel } from '../cases/pager-model.ts';
import { pagerCase } from '../cases/pager-harness.ts';

const built = llamaModel(6, { matrixBytes: 256, normBytes: 64 });
const BLOCK = 2 * 64 + 7 * 256;

describe('pinned tensors', () => {
  it('loadPinned loads the hot set, and no amount of paging evicts it', async () => {
    const policy: OffloadPolicy = {
      kind: 'pinnedHotSet',
      ramBytes: 3 * BLOCK + 1200,
      pinEmbeddings: true,
      pinOutputHead: true,
      pinLastNLayers: 1,
      prefetchNAhead: 0,
    };
    const { pager, source } = await pagerCase({ built, policy });
    await pager.loadPinned();
    const pinned = built.model.tensors.filter((t) => pager.isPinned(t.name));
    expect(pinned.map((t) => t.name)).toContain('blk.5.ffn_down.weight');
    expect(pinned.every((t) => pager.isResident(t.name))).toBe(true);
    const readsAfterPins = source.reads;
    for (let k = 0; k < 3; k++) for (let b = 0; b < 6; b++) pager.release(await pager.acquireLayer(b));
    expect(pinned.every((t) => pager.isResident(t.name))).toBe(true);
    expect(pager.stats().pinnedBytes).toBe(pinned.reduce((a, t) => a + t.size, 0));
    expect(source.offsets.slice(readsAfterPins).some((o) => pinned.some((t) => t.offset === o))).toBe(false);
    expect(pager.stats().leasedBytes).toBe(0);
  });

  it('policy none keeps every tensor once loaded and never evicts', async () => {
    const { pager, source } = await pagerCase({ built, policy: { kind: 'none' } });
    for (let k = 0; k < 2; k++) for (let b = 0; b < 6; b++) pager.release(await pager.acquireLayer(b));
    expect(pager.stats().evictions).toBe(0);
    expect(source.reads).toBe(54);
  });
});
