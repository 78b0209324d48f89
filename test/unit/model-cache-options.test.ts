import { describe, expect, it } from 'vitest';
import { ModelCache, type ModelCacheOptions } from '../../src/runtime/model-cache.ts';
import { GgufPagerError, isGgufPagerError } from '../../src/errors.ts';

interface Model {
  bytes: number;
}
const base: ModelCacheOptions<Model> = { sizeOf: (m) => m.bytes };

function codeOf(make: () => unknown): string | undefined {
  try {
    make();
  } catch (e) {
    return isGgufPagerError(e) ? e.code : 'not a GgufPagerError';
  }
  return undefined;
}

describe('ModelCache options', () => {
  it('refuses maxModels 0 at once with a typed error instead of looping forever', () => {
    let err: unknown;
    try {
      new ModelCache<Model>({ ...base, maxModels: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GgufPagerError);
    expect((err as GgufPagerError).code).toBe('INVALID_ARGUMENT');
    expect((err as GgufPagerError).message).toContain('maxModels');
  });

  it('refuses a negative or fractional maxModels', () => {
    expect(codeOf(() => new ModelCache<Model>({ ...base, maxModels: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new ModelCache<Model>({ ...base, maxModels: 1.5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new ModelCache<Model>({ ...base, maxModels: NaN }))).toBe('INVALID_ARGUMENT');
  });

  it('refuses a negative TTL or budget, and accepts an infinite TTL', () => {
    expect(codeOf(() => new ModelCache<Model>({ ...base, ttlMs: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new ModelCache<Model>({ ...base, memoryBudgetBytes: -5 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new ModelCache<Model>({ ...base, ttlMs: Infinity }))).toBeUndefined();
  });

  it('takes the seed defaults: 4 models, one hour, evict on memory pressure, no budget', () => {
    const cache = new ModelCache<Model>(base);
    expect([cache.maxModels, cache.ttlMs, cache.evictOnMemoryPressure, cache.memoryBudgetBytes]).toEqual([4, 3_600_000, true, undefined]);
  });

  it('keeps one model with maxModels 1, replacing it on the next key', async () => {
    const cache = new ModelCache<Model>({ ...base, maxModels: 1 });
    await cache.getOrInsert('a', async () => ({ bytes: 1 }));
    await cache.getOrInsert('b', async () => ({ bytes: 1 }));
    expect(cache.len).toBe(1);
    expect(cache.contains('b')).toBe(true);
  });

  it('refuses and disposes a model whose sizeOf is not a byte count', async () => {
    const disposed: Model[] = [];
    const cache = new ModelCache<Model>({
      ...base,
      dispose: (m) => {
        disposed.push(m);
      },
    });
    const bad = { bytes: NaN };
    const err = await cache.getOrInsert('nan', async () => bad).catch((e: unknown) => e);
    expect(isGgufPagerError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toContain('"nan"');
    expect(cache.len).toBe(0);
    await cache.drain();
    expect(disposed).toEqual([bad]);
  });
});
