/**
 * A hit is O(1): the LRU bump and the eviction search were once O(n) scans.
 * The time per hit is measured in bench/pager.bench.ts (hit path, 10 vs 1000 residents).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Arena } from '../../src/core/arena.ts';
import { FurthestNextUseEviction, LruEviction } from '../../src/pager/eviction.ts';
import { Lru } from '../../src/pager/lru.ts';
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

/**
 * Counts the calls a run of hits makes into the eviction structures. A scan
 * (the seed's O(n) LRU bump) shows up as `oldest`/`newer`/`victim` calls that
 * grow with the number of residents; an O(1) hit makes the same few calls
 * whatever that number is.
 */
async function hitCalls(residents: number, eviction: 'lru' | 'auto'): Promise<Record<string, number>> {
  const specs = Array.from({ length: residents }, (_, i) => ({ name: `t${i}`, size: 64 }));
  const { pager, core } = await pagerCase({ specs, policy: { kind: 'budget', ramBytes: residents * 64, eviction } });
  await pager.prefetch(specs.map((s) => s.name));
  expect(pager.residentCount()).toBe(residents);
  const ids = specs.slice(0, 8).map((s) => s.name);
  const spies = {
    touch: vi.spyOn(Lru.prototype, 'touch'),
    oldest: vi.spyOn(Lru.prototype, 'oldest'),
    newer: vi.spyOn(Lru.prototype, 'newer'),
    lruVictim: vi.spyOn(LruEviction.prototype, 'victim'),
    furthestVictim: vi.spyOn(FurthestNextUseEviction.prototype, 'victim'),
  };
  const arena = countCalls(core.arena);
  try {
    for (let i = 0; i < 1000; i++) pager.release(pager.tryAcquire(ids[i & 7])!);
    const counts: Record<string, number> = Object.fromEntries(Object.entries(spies).map(([k, s]) => [k, s.mock.calls.length]));
    counts.arenaCalls = [...arena.values()].reduce((a, b) => a + b, 0);
    return counts;
  } finally {
    for (const s of Object.values(spies)) s.mockRestore();
  }
}

describe('the hit path', () => {
  it('a hit soon after a release makes no arena call at all, and allocates nothing', async () => {
    const { pager, core } = await pagerCase({
      specs: [
        { name: 'a', size: 64 },
        { name: 'b', size: 64 },
      ],
      budget: 128,
    });
    pager.release(await pager.acquire('a'));
    const calls = countCalls(core.arena);
    for (let i = 0; i < 10; i++) pager.release(await pager.acquire('a'));
    expect(Object.fromEntries(calls)).toEqual({});
  });

  it('a hit after the idle pins were dropped pins, reads the address, and unpins when the event loop turns', async () => {
    const { pager, core } = await pagerCase({
      specs: [
        { name: 'a', size: 64 },
        { name: 'b', size: 64 },
      ],
      budget: 128,
    });
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
    const { pager, core } = await pagerCase({
      specs: [
        { name: 'a', size: 64 },
        { name: 'b', size: 64 },
      ],
      budget: 128,
    });
    pager.release(await pager.acquire('a'));
    const l = pager.tryAcquire('a')!;
    pager.release(l);
    expect(core.arena.stats().pinnedBlocks).toBe(1);
    const b = pager.acquire('b');
    expect(core.arena.stats().pinnedBlocks).toBe(1); // only b's load pin
    pager.release(await b);
  });

  for (const eviction of ['lru', 'auto'] as const) {
    it(`makes the same calls per hit with 1000 residents as with 10, and never scans (${eviction})`, async () => {
      const small = await hitCalls(10, eviction);
      const large = await hitCalls(1000, eviction);
      expect(large).toEqual(small);
      expect(small).toEqual({ touch: eviction === 'lru' ? 1000 : 0, oldest: 0, newer: 0, lruVictim: 0, furthestVictim: 0, arenaCalls: small.arenaCalls });
      expect(small.arenaCalls).toBeLessThanOrEqual(2 * 8); // one pin + ptr per id whose idle pin was dropped, then none
    });
  }
});
