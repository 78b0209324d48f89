import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/runtime/model-cache.ts';
import { isGgufPagerError } from '../../src/errors.ts';

interface Model {
  name: string;
  bytes: number;
}

function setup(maxModels: number, memoryBudgetBytes?: number) {
  let t = 0;
  const disposed: string[] = [];
  const cache = new ModelCache<Model>({
    maxModels,
    memoryBudgetBytes,
    sizeOf: (m) => m.bytes,
    now: () => t,
    dispose: (m) => {
      disposed.push(m.name);
    },
  });
  const loader =
    (name: string, bytes = 1) =>
    async () => ({ name, bytes });
  const tick = () => {
    t++;
  };
  return { cache, disposed, loader, tick };
}

describe('ModelCache leases', () => {
  it('never evicts a leased model for a newer one; it evicts the next unleased instead', async () => {
    const { cache, disposed, loader, tick } = setup(2);
    const lease = await cache.acquire('a', loader('a'));
    tick();
    await cache.getOrInsert('b', loader('b'));
    tick();
    await cache.getOrInsert('c', loader('c'));
    expect(cache.contains('a')).toBe(true);
    expect(cache.contains('b')).toBe(false);
    expect(lease.model.name).toBe('a');
    await cache.drain();
    expect(disposed).toEqual(['b']);
  });

  it('stays over its limits while every entry is leased, and evicts when a release makes one evictable', async () => {
    const { cache, disposed, loader, tick } = setup(1);
    const a = await cache.acquire('a', loader('a'));
    tick();
    const b = await cache.acquire('b', loader('b'));
    tick();
    expect(cache.len).toBe(2);
    expect(cache.stats().leasedModels).toBe(2);
    a.release();
    tick();
    expect(cache.len).toBe(1);
    expect(cache.contains('b')).toBe(true);
    b.release();
    expect(cache.len).toBe(1);
    expect(cache.contains('b')).toBe(true);
    await cache.drain();
    expect(disposed).toEqual(['a']);
  });

  it('removes an explicitly evicted leased model at once but disposes it at its last release', async () => {
    const { cache, disposed, loader } = setup(4, 100);
    const first = await cache.acquire('a', loader('a', 30));
    const second = await cache.acquire('a', loader('unused', 30));
    expect(second.model).toBe(first.model);
    expect(cache.evict('a')).toBe(true);
    expect(cache.contains('a')).toBe(false);
    expect(cache.stats()).toMatchObject({ cachedModels: 0, retiredModels: 1, totalMemoryBytes: 30 });
    first.release();
    await cache.drain();
    expect(disposed).toEqual([]);
    second.release();
    await cache.drain();
    expect(disposed).toEqual(['a']);
    expect(cache.stats()).toMatchObject({ retiredModels: 0, totalMemoryBytes: 0 });
  });

  it('counts a retired model against the budget until it is disposed', async () => {
    const { cache, loader, tick } = setup(4, 100);
    const held = await cache.acquire('a', loader('a', 60));
    tick();
    cache.evict('a');
    await cache.getOrInsert('b', loader('b', 30));
    tick();
    await cache.getOrInsert('c', loader('c', 30));
    expect(cache.contains('b')).toBe(false);
    expect(cache.contains('c')).toBe(true);
    expect(cache.totalMemoryBytes()).toBe(90);
    held.release();
    expect(cache.totalMemoryBytes()).toBe(30);
  });

  it('pins a model for every caller that acquired it while it was loading', async () => {
    const { cache, loader, tick } = setup(1);
    const [x, y] = await Promise.all([cache.acquire('a', loader('a')), cache.acquire('a', loader('a'))]);
    expect(y.model).toBe(x.model);
    expect(cache.stats().leasedModels).toBe(1);
    tick();
    await cache.getOrInsert('b', loader('b'));
    expect(cache.contains('a')).toBe(true);
    x.release();
    await cache.getOrInsert('c', loader('c'));
    expect(cache.contains('a')).toBe(true);
    expect(cache.contains('b')).toBe(false);
    tick();
    y.release();
    expect(cache.len).toBe(1);
    expect(cache.contains('a')).toBe(true);
    expect(cache.contains('c')).toBe(false);
  });

  it('does not let a leased model go stale, and measures its idle time from the release', async () => {
    let t = 0;
    const cache = new ModelCache<Model>({ ttlMs: 10, sizeOf: () => 1, now: () => t });
    const lease = await cache.acquire('a', async () => ({ name: 'a', bytes: 1 }));
    t = 100;
    expect(cache.evictStale()).toBe(0);
    lease.release();
    t = 109;
    expect(cache.contains('a')).toBe(true);
    t = 110;
    expect(cache.evictStale()).toBe(1);
  });

  it('refuses a second release of one lease with MODEL_BAD_LEASE', async () => {
    const { cache, loader } = setup(2);
    const lease = await cache.acquire('a', loader('a'));
    const other = await cache.acquire('a', loader('a'));
    lease.release();
    let err: unknown;
    try {
      lease.release();
    } catch (e) {
      err = e;
    }
    expect(isGgufPagerError(err, 'MODEL_BAD_LEASE')).toBe(true);
    expect(cache.stats().leasedModels).toBe(1);
    other.release();
    expect(cache.stats().leasedModels).toBe(0);
  });
});
