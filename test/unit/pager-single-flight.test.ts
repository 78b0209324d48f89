/** Concurrent acquires of a missing tensor must share one read. */
import { describe, expect, it } from 'vitest';
import { pagerCase } from '../cases/pager-harness.ts';

const specs = [
  { name: 'a', size: 256 },
  { name: 'b', size: 256 },
  { name: 'c', size: 256 },
];

describe('single-flight loads', () => {
  it('two concurrent acquires of a missing tensor read it once and count it once', async () => {
    const { pager, source, verify } = await pagerCase({ specs, budget: 512, source: { delayMs: 5 } });
    const [x, y] = await Promise.all([pager.acquire('a'), pager.acquire('a')]);
    expect(source.reads).toBe(1);
    expect(x.ptr).toBe(y.ptr);
    verify(x);
    expect(pager.residentCount()).toBe(1);
    expect(pager.stats()).toMatchObject({ residentBytes: 256, misses: 1, hits: 1, bytesLoaded: 256 });
  });

  it('ten acquires and an overlapping group share the reads in flight', async () => {
    const { pager, source } = await pagerCase({ specs, budget: 768, source: { delayMs: 5 } });
    const singles = Array.from({ length: 10 }, (_, i) => pager.acquire(i % 2 ? 'a' : 'b'));
    const group = pager.acquireMany(['a', 'b', 'c']);
    await Promise.all([...singles, group]);
    expect(source.reads).toBe(3);
    expect(pager.stats().bytesLoaded).toBe(768);
  });

  it('a tensor acquired twice at once is evicted once, and its bytes leave the count once', async () => {
    const { pager } = await pagerCase({ specs, policy: { kind: 'budget', ramBytes: 512, eviction: 'lru' }, source: { delayMs: 2 } });
    const [x, y] = await Promise.all([pager.acquire('a'), pager.acquire('a')]);
    pager.release(x);
    pager.release(y);
    pager.release(await pager.acquire('b'));
    pager.release(await pager.acquire('c'));
    pager.release(await pager.acquire('b'));
    pager.release(await pager.acquire('c'));
    const s = pager.stats();
    expect(s.evictions).toBe(1);
    expect(s.bytesEvicted).toBe(256);
    expect(s.residentBytes).toBe(512);
    expect(pager.isResident('a')).toBe(false);
  });

  it('an acquirer that gives up during a shared read holds nothing, and the other keeps its lease', async () => {
    const { pager, source, verify } = await pagerCase({ specs, budget: 512 });
    source.pause();
    const ac = new AbortController();
    const quitter = pager.acquire('a', { signal: ac.signal });
    const stayer = pager.acquire('a');
    await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await expect(quitter).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
    source.resume();
    const l = await stayer;
    verify(l);
    expect(source.reads).toBe(1);
    expect(pager.stats().leasedBytes).toBe(256);
    pager.release(l);
    expect(pager.stats().leasedBytes).toBe(0);
  });
});
