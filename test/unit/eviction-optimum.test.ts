import { describe, expect, it } from 'vitest';
import { offlineOptimum } from '../../src/pager/optimum.ts';

function rng(seed: number) {
  return () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Fewest misses over every possible eviction choice (unit sizes, one tensor per step). */
function bruteForce(trace: number[], slots: number): number {
  let best = Infinity;
  const go = (i: number, cache: number[], misses: number) => {
    if (misses >= best) return;
    if (i === trace.length) {
      best = misses;
      return;
    }
    const t = trace[i];
    if (cache.includes(t)) return go(i + 1, cache, misses);
    if (cache.length < slots) return go(i + 1, [...cache, t], misses + 1);
    for (let k = 0; k < cache.length; k++) go(i + 1, [...cache.slice(0, k), ...cache.slice(k + 1), t], misses + 1);
  };
  go(0, [], 0);
  return best;
}

describe('offline furthest-next-use reference', () => {
  it('matches the textbook Belady example: 7 faults for 1 2 3 4 1 2 5 1 2 3 4 5 with 3 frames', () => {
    const steps = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5].map((x) => [x]);
    const r = offlineOptimum({ steps, sizes: new Array(6).fill(1), budgetBytes: 3 });
    expect(r.misses).toBe(7);
    expect(r.bytesLoaded).toBe(7);
  });
  it('is optimal with unit sizes: equals a brute-force search on random traces', () => {
    const r = rng(3);
    for (let k = 0; k < 25; k++) {
      const trace = Array.from({ length: 10 }, () => Math.floor(r() * 5));
      const slots = 2 + Math.floor(r() * 2);
      const got = offlineOptimum({ steps: trace.map((x) => [x]), sizes: new Array(5).fill(1), budgetBytes: slots });
      expect(got.misses).toBe(bruteForce(trace, slots));
    }
  });
  it("keeps every step's tensors together and never exceeds the budget", () => {
    const sizes = [3, 5, 2, 4, 6];
    const steps = [[0, 1], [2, 3], [4], [0, 1], [2, 3], [4]];
    const r = offlineOptimum({ steps, sizes, budgetBytes: 10 });
    expect(r.maxResidentBytes).toBeLessThanOrEqual(10);
    expect(r.loadedPerStep.reduce((a, b) => a + b, 0)).toBe(r.bytesLoaded);
  });
  it('never evicts pinned tensors and fails when a step cannot fit beside them', () => {
    const r = offlineOptimum({ steps: [[0], [1], [2], [0], [1], [2]], sizes: [4, 4, 4], budgetBytes: 8, pinned: new Set([0]) });
    expect(r.loadedPerStep[3]).toBe(0);
    expect(() => offlineOptimum({ steps: [[0], [1, 2]], sizes: [4, 4, 4], budgetBytes: 8, pinned: new Set([0]) })).toThrow(
      expect.objectContaining({ code: 'PAGER_NO_SPACE' }),
    );
  });
});
