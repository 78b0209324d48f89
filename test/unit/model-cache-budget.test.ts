import { describe, expect, it } from 'vitest';
import { ModelCache, type ModelCacheOptions } from '../../src/runtime/model-cache.ts';
import { isGgufPagerError } from '../../src/errors.ts';

interface Model {
  name: string;
  bytes: number;
}

function setup(options: Partial<ModelCacheOptions<Model>>) {
  let t = 0;
  const disposed: string[] = [];
  const cache = new ModelCache<Model>({
    maxModels: 10,
    sizeOf: (m) => m.bytes,
    now: () => t,
    dispose: (_m, key) => {
      disposed.push(key);
    },
    ...options,
  });
  const load = (key: string, bytes: number) => {
    t++;
    return cache.getOrInsert(key, async () => ({ name: key, bytes }));
  };
  return { cache, disposed, load };
}

describe('ModelCache memory budget', () => {
  it('evicts only as many least recently used entries as the budget needs', async () => {
    const { cache, disposed, load } = setup({ memoryBudgetBytes: 100 });
    await load('a', 30);
    await load('b', 30);
    await load('c', 30);
    await load('d', 30);
    expect(cache.totalMemoryBytes()).toBe(90);
    expect(cache.len).toBe(3);
    expect(cache.contains('a')).toBe(false);
    expect(['b', 'c', 'd'].every((k) => cache.contains(k))).toBe(true);
    await cache.drain();
    expect(disposed).toEqual(['a']);
  });

  it('evicts several entries when one insertion needs their room, and stops at the budget', async () => {
    const { cache, load } = setup({ memoryBudgetBytes: 100 });
    for (const k of ['a', 'b', 'c', 'd']) await load(k, 25);
    await load('big', 60);
    expect([...'abcd'].filter((k) => cache.contains(k))).toEqual(['d']);
    expect(cache.contains('big')).toBe(true);
    expect(cache.totalMemoryBytes()).toBe(85);
  });

  it('refuses a model that alone exceeds the budget, disposes it, and keeps the others', async () => {
    const { cache, disposed, load } = setup({ memoryBudgetBytes: 100 });
    await load('small', 40);
    const err = await load('huge', 101).catch((e: unknown) => e);
    expect(isGgufPagerError(err, 'MODEL_OVER_BUDGET')).toBe(true);
    expect(String((err as Error).message)).toContain('huge');
    expect(cache.contains('small')).toBe(true);
    expect(cache.contains('huge')).toBe(false);
    expect(cache.totalMemoryBytes()).toBe(40);
    await cache.drain();
    expect(disposed).toEqual(['huge']);
  });

  it('accepts a model exactly the size of the budget, alone', async () => {
    const { cache, load } = setup({ memoryBudgetBytes: 100 });
    await load('a', 50);
    await load('whole', 100);
    expect(cache.len).toBe(1);
    expect(cache.totalMemoryBytes()).toBe(100);
  });

  it('ignores the budget when evictOnMemoryPressure is off', async () => {
    const { cache, load } = setup({ memoryBudgetBytes: 100, evictOnMemoryPressure: false });
    await load('a', 80);
    await load('b', 80);
    await load('c', 500);
    expect(cache.len).toBe(3);
    expect(cache.totalMemoryBytes()).toBe(660);
  });

  it('has no byte limit without a budget', async () => {
    const { cache, load } = setup({});
    await load('a', 2 ** 40);
    await load('b', 2 ** 40);
    expect(cache.len).toBe(2);
  });
});
