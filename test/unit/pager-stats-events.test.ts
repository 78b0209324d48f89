import { describe, expect, it } from 'vitest';
import type { PagerEvent } from '../../src/pager/events.ts';
import { pagerCase } from '../cases/pager-harness.ts';

const specs = [
  { name: 'a', size: 256 },
  { name: 'b', size: 256 },
  { name: 'c', size: 128 },
];

describe('stats and events', () => {
  it('reports a miss, its load, a hit and an eviction as events the UI can draw', async () => {
    const { pager } = await pagerCase({ specs, policy: { kind: 'budget', ramBytes: 512, eviction: 'lru' } });
    const seen: string[] = [];
    const off = pager.onEvent((e: PagerEvent) => seen.push(`${e.type} ${e.id} ${e.bytes}`));
    pager.release(await pager.acquire('a'));
    pager.release(await pager.acquire('a'));
    pager.release(await pager.acquire('b'));
    pager.release(await pager.acquire('c'));
    off();
    pager.release(await pager.acquire('a'));
    expect(seen).toEqual([
      'miss a 256',
      'load-start a 256',
      'load-end a 256',
      'hit a 256',
      'miss b 256',
      'load-start b 256',
      'load-end b 256',
      'evict a 256',
      'miss c 128',
      'load-start c 128',
      'load-end c 128',
    ]);
  });

  it('counts hits, misses, bytes, leases and the budget', async () => {
    const { pager, core } = await pagerCase({ specs, budget: 512 });
    const a = await pager.acquire('a');
    await pager.acquire('a');
    expect(pager.stats()).toMatchObject({
      budgetBytes: 512,
      hits: 1,
      misses: 1,
      bytesLoaded: 256,
      residentBytes: 256,
      residentCount: 1,
      leasedBytes: 256,
      pinnedBytes: 0,
    });
    pager.release(a);
    expect(pager.stats().leasedBytes).toBe(256);
    expect(pager.stats().memoryBytes).toBe(core.memoryBytes());
  });

  it('never grows the Wasm memory while paging', async () => {
    const { pager, core } = await pagerCase({ specs, budget: 512 });
    const before = core.memoryBytes();
    for (let i = 0; i < 20; i++) pager.release(await pager.acquire(specs[i % 3].name));
    expect(pager.stats().evictions).toBeGreaterThan(0);
    expect(core.memoryBytes()).toBe(before);
  });
});
