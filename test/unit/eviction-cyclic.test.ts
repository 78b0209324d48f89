/**
 * On inference's cyclic access, LRU reloads every unpinned tensor
 * every token once they exceed the budget; furthest-next-use keeps what it can.
 */
import { describe, expect, it } from 'vitest';
import type { LayerPager } from '../../src/pager/layer-pager.ts';
import { offlineOptimum } from '../../src/pager/optimum.ts';
import { groupTrace } from '../../src/pager/schedule.ts';
import { llamaModel } from '../cases/pager-model.ts';
import { pagerCase } from '../cases/pager-harness.ts';

const built = llamaModel(8, { matrixBytes: 512, normBytes: 64 });
const TOKENS = 5;

/** Runs `tokens` forward passes (acquire a group, release it); returns bytes loaded per token. */
async function run(pager: LayerPager, tokens: number): Promise<number[]> {
  const perToken: number[] = [];
  for (let k = 0; k < tokens; k++) {
    const before = pager.stats().bytesLoaded;
    for (const g of pager.schedule.groups) {
      pager.release(await pager.acquireMany(Array.from(g, (t) => built.model.tensors[t].name)));
    }
    perToken.push(pager.stats().bytesLoaded - before);
  }
  return perToken;
}

describe('eviction on the forward-pass cycle', () => {
  const budget = Math.floor(built.model.totalTensorBytes / 2);

  it('lru reloads every tensor every token at half the model (hit rate 0 after the first token)', async () => {
    const { pager } = await pagerCase({ built, policy: { kind: 'budget', ramBytes: budget, eviction: 'lru' } });
    const perToken = await run(pager, TOKENS);
    for (const b of perToken.slice(1)) expect(b).toBe(built.model.totalTensorBytes);
  });

  it('auto keeps about half the model across tokens and loads the rest', async () => {
    const { pager } = await pagerCase({ built, policy: { kind: 'budget', ramBytes: budget } });
    const perToken = await run(pager, TOKENS);
    const steady = perToken.slice(1);
    for (const b of steady) {
      expect(b).toBeLessThan(0.6 * built.model.totalTensorBytes);
      expect(b).toBeGreaterThanOrEqual(built.model.totalTensorBytes - budget);
    }
  });

  it('auto loads within 5% of the offline furthest-next-use reference over the same trace', async () => {
    const { pager } = await pagerCase({ built, policy: { kind: 'budget', ramBytes: budget } });
    const perToken = await run(pager, TOKENS);
    const s = pager.schedule;
    const steps = Array.from(groupTrace(s, TOKENS), (g) => s.groups[g]);
    const opt = offlineOptimum({ steps, sizes: built.model.tensors.map((t) => t.size), budgetBytes: budget });
    const total = perToken.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(opt.bytesLoaded * 1.05);
    expect(total).toBeGreaterThanOrEqual(opt.bytesLoaded * 0.95);
  });
});
