import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/runtime/model-cache.ts';
import { GgufPagerError } from '../../src/errors.ts';

interface Model {
  name: string;
}
const newCache = () => new ModelCache<Model>({ sizeOf: () => 1 });

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ModelCache single-flight loading', () => {
  it('shares one loader call among concurrent callers of one key', async () => {
    const cache = newCache();
    const load = deferred<Model>();
    let calls = 0;
    const loader = () => {
      calls++;
      return load.promise;
    };
    const waiting = [cache.getOrInsert('k', loader), cache.getOrInsert('k', loader), cache.getOrInsert('k', loader)];
    load.resolve({ name: 'k' });
    const models = await Promise.all(waiting);
    expect(calls).toBe(1);
    expect(models[1]).toBe(models[0]);
    expect(models[2]).toBe(models[0]);
    expect(cache.stats()).toMatchObject({ totalMisses: 1, totalHits: 2, cachedModels: 1 });
  });

  it('never starts a second load while the first one is landing, at any microtask', async () => {
    for (let delay = 0; delay < 8; delay++) {
      const cache = newCache();
      const load = deferred<Model>();
      let calls = 0;
      const loader = () => {
        calls++;
        return load.promise;
      };
      const first = cache.getOrInsert('k', loader);
      load.resolve({ name: 'k' });
      for (let i = 0; i < delay; i++) await Promise.resolve();
      const second = await cache.getOrInsert('k', loader);
      expect(second).toBe(await first);
      expect(calls, `second call after ${delay} microtasks`).toBe(1);
    }
  });

  it('does not make key B wait for a slow loader of key A', { timeout: 2000 }, async () => {
    const cache = newCache();
    const slowA = deferred<Model>();
    const a = cache.getOrInsert('a', () => slowA.promise);
    const b = await cache.getOrInsert('b', async () => ({ name: 'b' }));
    expect(b.name).toBe('b');
    expect(cache.contains('b')).toBe(true);
    expect(cache.contains('a')).toBe(false);
    slowA.resolve({ name: 'a' });
    expect((await a).name).toBe('a');
    expect(cache.len).toBe(2);
  });

  it('caches nothing when the loader fails, gives every waiter the error, and retries on the next call', async () => {
    const cache = newCache();
    const load = deferred<Model>();
    const first = cache.getOrInsert('k', () => load.promise);
    const joined = cache.getOrInsert('k', () => Promise.resolve({ name: 'unused' }));
    const failure = new GgufPagerError('HTTP_STATUS', 'https://x/model.gguf: 404');
    load.reject(failure);
    await expect(first).rejects.toBe(failure);
    await expect(joined).rejects.toBe(failure);
    expect(cache.len).toBe(0);
    expect(cache.contains('k')).toBe(false);
    const retried = await cache.getOrInsert('k', async () => ({ name: 'second try' }));
    expect(retried.name).toBe('second try');
    expect(cache.stats().totalMisses).toBe(2);
  });

  it('treats a loader that throws synchronously like one that rejects', async () => {
    const cache = newCache();
    await expect(
      cache.getOrInsert('k', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(cache.len).toBe(0);
  });
});
