import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/runtime/model-cache.ts';

interface Model {
  name: string;
}

function setup(maxModels: number) {
  let t = 0;
  const disposed: string[] = [];
  const cache = new ModelCache<Model>({
    maxModels,
    sizeOf: () => 1,
    now: () => t,
    dispose: (m, key) => {
      disposed.push(`${key}:${m.name}`);
    },
  });
  const load = (key: string) => cache.getOrInsert(key, async () => ({ name: key }));
  const tick = (ms = 1) => {
    t += ms;
  };
  return { cache, disposed, load, tick };
}

describe('ModelCache eviction', () => {
  it('evicts a key on request, and reports whether there was one', async () => {
    const { cache, disposed, load } = setup(4);
    await load('model-c');
    expect(cache.contains('model-c')).toBe(true);
    expect(cache.evict('model-c')).toBe(true);
    expect(cache.contains('model-c')).toBe(false);
    expect(cache.len).toBe(0);
    expect(cache.evict('no-such-model')).toBe(false);
    await cache.drain();
    expect(disposed).toEqual(['model-c:model-c']);
  });

  it('evicts the longest idle entry when an insertion exceeds maxModels', async () => {
    const { cache, disposed, load, tick } = setup(2);
    await load('a');
    tick();
    await load('b');
    tick();
    await load('c');
    expect(cache.len).toBe(2);
    expect(cache.contains('a')).toBe(false);
    expect(cache.contains('b')).toBe(true);
    expect(cache.contains('c')).toBe(true);
    await cache.drain();
    expect(disposed).toEqual(['a:a']);
  });

  it('counts a hit as a use, so the entry used last survives', async () => {
    const { cache, load, tick } = setup(2);
    await load('a');
    tick();
    await load('b');
    tick();
    await load('a');
    tick();
    await load('c');
    expect(cache.contains('a')).toBe(true);
    expect(cache.contains('b')).toBe(false);
  });

  it('counts get as a use too, but not contains', async () => {
    const { cache, load, tick } = setup(2);
    await load('a');
    tick();
    await load('b');
    tick();
    cache.get('a');
    tick();
    cache.contains('b');
    tick();
    await load('c');
    expect(cache.contains('a')).toBe(true);
    expect(cache.contains('b')).toBe(false);
  });

  it('reloads an evicted key through its loader', async () => {
    const { cache, load } = setup(1);
    const first = await load('a');
    await load('b');
    const again = await load('a');
    expect(again).not.toBe(first);
    expect(cache.stats().totalMisses).toBe(3);
  });

  it('holds at most maxModels entries through many insertions, disposing each loaded model exactly once', async () => {
    let t = 0;
    let loads = 0;
    const disposed: string[] = [];
    const cache = new ModelCache<Model>({
      maxModels: 3,
      sizeOf: () => 1,
      now: () => t,
      dispose: (m) => {
        disposed.push(m.name);
      },
    });
    for (let i = 0; i < 20; i++) {
      await cache.getOrInsert(`m${(i * 5) % 7}`, async () => ({ name: `load${loads++}` }));
      t++;
      expect(cache.len).toBeLessThanOrEqual(3);
    }
    await cache.clear();
    expect(cache.len).toBe(0);
    expect(loads).toBe(cache.stats().totalMisses);
    expect([...disposed].sort()).toEqual(Array.from({ length: loads }, (_, i) => `load${i}`).sort());
  });
});
