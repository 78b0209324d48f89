import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/runtime/model-cache.ts';

interface Model {
  name: string;
}

function setup(ttlMs: number) {
  let t = 1000;
  const disposed: string[] = [];
  const cache = new ModelCache<Model>({
    ttlMs,
    sizeOf: () => 1,
    now: () => t,
    dispose: (_m, key) => {
      disposed.push(key);
    },
  });
  const load = (key: string) => cache.getOrInsert(key, async () => ({ name: key }));
  return {
    cache,
    disposed,
    load,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('ModelCache time-to-live', () => {
  it('keeps a new entry fresh under a one-hour TTL', async () => {
    const { cache, load, advance } = setup(3_600_000);
    await load('m');
    advance(3_599_999);
    expect(cache.contains('m')).toBe(true);
    advance(1);
    expect(cache.contains('m')).toBe(false);
  });

  it('treats every entry as stale under a zero TTL', async () => {
    const { cache, load } = setup(0);
    await load('m');
    expect(cache.contains('m')).toBe(false);
    expect(cache.get('m')).toBeUndefined();
  });

  it('evicts only the stale entries and says how many', async () => {
    const { cache, disposed, load, advance } = setup(100);
    await load('old');
    advance(60);
    await load('young');
    advance(50);
    expect(cache.evictStale()).toBe(1);
    expect(cache.len).toBe(1);
    expect(cache.contains('young')).toBe(true);
    await cache.drain();
    expect(disposed).toEqual(['old']);
  });

  it('evicts every entry under a zero TTL', async () => {
    const { cache, load } = setup(0);
    await load('model-d');
    expect(cache.len).toBe(1);
    expect(cache.evictStale()).toBe(1);
    expect(cache.len).toBe(0);
  });

  it('measures staleness from the last use, not from the load', async () => {
    const { cache, load, advance } = setup(100);
    await load('m');
    advance(90);
    await load('m');
    advance(90);
    expect(cache.contains('m')).toBe(true);
    expect(cache.stats().totalHits).toBe(1);
  });

  it('reloads a stale entry in getOrInsert and disposes the old model', async () => {
    const { cache, disposed, load, advance } = setup(100);
    const first = await load('m');
    advance(100);
    const second = await load('m');
    expect(second).not.toBe(first);
    expect(cache.stats()).toMatchObject({ totalMisses: 2, totalHits: 0, cachedModels: 1 });
    await cache.drain();
    expect(disposed).toEqual(['m']);
  });
});
