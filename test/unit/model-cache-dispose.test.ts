import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/runtime/model-cache.ts';
import { isGgufPagerError } from '../../src/errors.ts';

interface Model {
  name: string;
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

describe('ModelCache disposal', () => {
  it('waits for async disposals in clear and leaves the cache empty', async () => {
    const finished: string[] = [];
    const cache = new ModelCache<Model>({
      sizeOf: () => 1,
      dispose: async (m) => {
        await new Promise((r) => setTimeout(r, 5));
        finished.push(m.name);
      },
    });
    await cache.getOrInsert('a', async () => ({ name: 'a' }));
    await cache.getOrInsert('b', async () => ({ name: 'b' }));
    await cache.clear();
    expect(finished.sort()).toEqual(['a', 'b']);
    expect(cache.isEmpty).toBe(true);
  });

  it('keeps a failed dispose and rethrows it from drain, once', async () => {
    const cache = new ModelCache<Model>({
      sizeOf: () => 1,
      dispose: async (m) => {
        throw new Error(`cannot free ${m.name}`);
      },
    });
    await cache.getOrInsert('a', async () => ({ name: 'a' }));
    cache.evict('a');
    await expect(cache.drain()).rejects.toThrow('cannot free a');
    await expect(cache.drain()).resolves.toBeUndefined();
  });

  it('gathers several failed disposals into one AggregateError', async () => {
    const cache = new ModelCache<Model>({
      sizeOf: () => 1,
      dispose: (m) => {
        throw new Error(m.name);
      },
    });
    await cache.getOrInsert('a', async () => ({ name: 'a' }));
    await cache.getOrInsert('b', async () => ({ name: 'b' }));
    const err = await cache.clear().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AggregateError);
    expect((err as AggregateError).errors.map((e: Error) => e.message).sort()).toEqual(['a', 'b']);
  });

  it('aborts an in-flight load on clear, rejects its callers and disposes a model that lands anyway', async () => {
    const disposed: string[] = [];
    const cache = new ModelCache<Model>({
      sizeOf: () => 1,
      dispose: (m) => {
        disposed.push(m.name);
      },
    });
    const load = deferred<Model>();
    let signal: AbortSignal | undefined;
    const pending = cache.getOrInsert('a', (s) => {
      signal = s;
      return load.promise;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(signal?.aborted).toBe(false);
    const cleared = cache.clear();
    expect(signal?.aborted).toBe(true);
    load.resolve({ name: 'late' });
    const err = await pending.catch((e: unknown) => e);
    expect(isGgufPagerError(err, 'MODEL_DISPOSED')).toBe(true);
    await cleared;
    await cache.drain();
    expect(disposed).toEqual(['late']);
    expect(cache.contains('a')).toBe(false);
  });

  it('starts a fresh load after evict cancelled the previous one', async () => {
    const cache = new ModelCache<Model>({ sizeOf: () => 1 });
    const stuck = deferred<Model>();
    const first = cache.getOrInsert('a', () => stuck.promise);
    expect(cache.evict('a')).toBe(true);
    const fresh = await cache.getOrInsert('a', async () => ({ name: 'fresh' }));
    expect(fresh.name).toBe('fresh');
    stuck.resolve({ name: 'stale' });
    await expect(first).rejects.toMatchObject({ code: 'MODEL_DISPOSED' });
    expect(cache.get('a')).toBe(fresh);
  });
});
