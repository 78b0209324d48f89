import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/runtime/model-cache.ts';

interface Model {
  name: string;
  bytes: number;
  uses: number;
}
const model = (name: string, bytes = 1024): Model => ({ name, bytes, uses: 0 });
const newCache = () => new ModelCache<Model>({ sizeOf: (m) => m.bytes });

describe('ModelCache lookups', () => {
  it('calls the loader on a miss and counts one miss, no hit', async () => {
    const cache = newCache();
    let calls = 0;
    const m = await cache.getOrInsert('model-a', async () => {
      calls++;
      return model('a');
    });
    expect(m.name).toBe('a');
    expect(calls).toBe(1);
    expect(cache.stats()).toMatchObject({ totalMisses: 1, totalHits: 0, cachedModels: 1 });
    expect(cache.len).toBe(1);
    expect(cache.isEmpty).toBe(false);
  });

  it('skips the loader on a hit and counts it', async () => {
    const cache = newCache();
    await cache.getOrInsert('model-b', async () => model('b'));
    let secondCalled = false;
    await cache.getOrInsert('model-b', async () => {
      secondCalled = true;
      return model('b2');
    });
    expect(secondCalled).toBe(false);
    expect(cache.stats()).toMatchObject({ totalHits: 1, totalMisses: 1 });
  });

  it('returns the cached model itself, not a copy, to every caller', async () => {
    const cache = newCache();
    const first = await cache.getOrInsert('shared', async () => model('shared'));
    first.uses = 7;
    const second = await cache.getOrInsert('shared', async () => model('other'));
    expect(second).toBe(first);
    expect(second.uses).toBe(7);
    expect(cache.get('shared')).toBe(first);
  });

  it('reports a hit rate of 0 before any lookup and 2/3 after a miss and two hits', async () => {
    const cache = newCache();
    expect(cache.hitRate()).toBe(0);
    for (let i = 0; i < 3; i++) await cache.getOrInsert('rate-model', async () => model('r'));
    expect(cache.hitRate()).toBeCloseTo(2 / 3, 10);
    expect(cache.stats().hitRate).toBeCloseTo(2 / 3, 10);
  });

  it('takes a stats snapshot of entries, counters, bytes and the oldest age', async () => {
    let t = 0;
    const cache = new ModelCache<Model>({ sizeOf: (m) => m.bytes, now: () => t });
    await cache.getOrInsert('stats-model', async () => model('s', 1024));
    expect(cache.stats()).toEqual({
      cachedModels: 1,
      totalHits: 0,
      totalMisses: 1,
      hitRate: 0,
      totalMemoryBytes: 1024,
      oldestEntryAgeSecs: 0,
      leasedModels: 0,
      retiredModels: 0,
    });
    t = 2500;
    await cache.getOrInsert('second', async () => model('s2', 10));
    expect(cache.stats().oldestEntryAgeSecs).toBe(2);
    expect(cache.totalMemoryBytes()).toBe(1034);
  });

  it('reports no oldest age when empty', () => {
    expect(newCache().stats().oldestEntryAgeSecs).toBeNull();
    expect(newCache().isEmpty).toBe(true);
  });

  it('answers get and contains without calling a loader or counting a lookup', async () => {
    const cache = newCache();
    expect(cache.get('absent')).toBeUndefined();
    expect(cache.contains('absent')).toBe(false);
    await cache.getOrInsert('present', async () => model('p'));
    expect(cache.contains('present')).toBe(true);
    expect(cache.get('present')?.name).toBe('p');
    expect(cache.stats()).toMatchObject({ totalHits: 0, totalMisses: 1 });
  });
});
