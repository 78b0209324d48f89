/** Seed flaw 4: the LRU bump and the eviction were O(n) scans. Here a hit is O(1). */
import { describe, expect, it } from 'vitest';
import type { Arena } from '../../src/core/arena.ts';
import { pagerCase, settle } from '../cases/pager-harness.ts';

/** Counts the arena calls a block of code makes. */
function countCalls(arena: Arena): Map<string, number> {
  const calls = new Map<string, number>();
  for (const name of ['tryAlloc', 'alloc', 'free', 'pin', 'unpin', 'ptr', 'compact', 'stats'] as const) {
    const orig = arena[name].bind(arena) as (...a: unknown[]) => unknown;
    (arena as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return orig(...a);
    };
  }
  return calls;
}

async function hitNanos(residents: number, eviction: 'lru' | 'auto'): Promise<number> {
  const specs = Array.from({ length: residents }, (_, i) => ({ name: `t${i}`, size: 64 }));
  const { pager } = await pagerCase({ specs, policy: { kind: 'budget', ramBytes: residents * 64, eviction } });
  await pager.prefetch(specs.map((s) => s.name));
  expect(pager.residentCount()).toBe(residents);
  const ids = specs.slice(0, 8).map((s) => s.name);
  const rounds = 20_000;
  let best = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) pager.release(pager.tryAcquire(ids[i & 7])!);
    best = Math.min(best, ((performance.now() - t0) * 1e6) / rounds);
  }
  return best;
}

describe('the hit path', () => {
  it('a hit soon after a release makes no arena call at all, and allocates nothing', async () => {
    const { pager, core } = await pagerCase({ specs: [{ name: 'a', size: 64 }, { name: 'b', size: 64 }], budget: 128 });
    pager.release(await pager.acquire('a'));
    const calls = countCalls(core.arena);
    for (let i = 0; i < 10; i++) pager.release(await pager.acquire('a'));
    expect(Object.fromEntries(calls)).toEqual({});
  });

  it('a hit after the idle pins were dropped pins, reads the address, and unpins when the event loop turns', async () => {
    const { pager, core } = await pagerCase({ specs: [{ name: 'a', size: 64 }, { name: 'b', size: 64 }], budget: 128 });
    pager.release(await pager.acquire('a'));
    await settle();
    expect(core.arena.stats().pinnedBlocks).toBe(0);
    const calls = countCalls(core.arena);
    const l = pager.tryAcquire('a')!;
    expect(Object.fromEntries(calls)).toEqual({ pin: 1, ptr: 1 });
    pager.release(l);
    expect(core.arena.stats().pinnedBlocks).toBe(1);
    await settle();
    expect(calls.get('unpin')).toBe(1);
    expect(core.arena.stats().pinnedBlocks).toBe(0);
  });

  it('drops the idle pins before it allocates, so compaction may move those blocks', async () => {
    const { pager, core } = await pagerCase({ specs: [{ name: 'a', size: 64 }, { name: 'b', size: 64 }], budget: 128 });
    pager.release(await pager.acquire('a'));
    const l = pager.tryAcquire('a')!;
    pager.release(l);
    expect(core.arena.stats().pinnedBlocks).toBe(1);
    const b = pager.acquire('b');
    expect(core.arena.stats().pinnedBlocks).toBe(1); // only b's load pin
    pager.release(await b);
  });

  for (const eviction of ['lru', 'auto'] as const) {
    it(`costs the same with 1000 residents as with 10 (${eviction})`, async () => {
      const small = await hitNanos(10, eviction);
      const large = await hitNanos(1000, eviction);
      expect(large).toBeLessThan(small * 4 + 200);
    });
  }
});
