/**
 * `model.dispose()` releases the cache entry's Web Lock: another runtime (a
 * second tab) may then delete the entry, and quota eviction may take it
 * (eviction skips exactly the entries whose lock is held: storage.ts).
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { holders, lockName, withLockIfFree } from '../../src/sources/cache/lock.ts';
import { DEFAULT_NAMESPACE, entryId } from '../../src/sources/cache/store.ts';
import { unique } from '../servers/urls.ts';

let a: Runtime;
let b: Runtime;
beforeAll(async () => {
  [a, b] = await Promise.all([createRuntime({ budget: 16 << 20 }), createRuntime({ budget: 16 << 20 })]);
});
afterAll(async () => {
  await a.dispose();
  await b.dispose();
});

const held = async (url: string) => holders(lockName(DEFAULT_NAMESPACE, await entryId(url)));

for (const cache of ['opfs', 'idb'] as const) {
  it(`${cache}: after dispose the entry's lock is free, and a second runtime deletes the entry`, async () => {
    const url = `${inject('rangeBase')}/small.gguf?t=${unique()}`;
    const m = await a.load(url, { cache });
    expect(await held(url), 'held while loaded').toBeGreaterThan(0);
    await expect(b.cache.delete(url)).rejects.toMatchObject({ code: 'CACHE_IN_USE' });
    await m.dispose();
    expect(await held(url), 'released by dispose').toBe(0);
    expect(await b.cache.delete(url)).toBe(true);
    expect((await b.cache.list()).some((e) => e.key === url)).toBe(false);
  });
}

it('a model loaded twice keeps its lock until its last handle is disposed', async () => {
  const url = `${inject('rangeBase')}/small.gguf?t=${unique()}`;
  const [m1, m2] = [await a.load(url, { cache: 'opfs' }), await a.load(url, { cache: 'opfs' })];
  await m1.dispose();
  expect(await held(url)).toBeGreaterThan(0);
  expect((await m2.readTensor('output_norm.weight')).length).toBeGreaterThan(0);
  await m2.dispose();
  expect(await held(url)).toBe(0);
  await b.cache.delete(url);
});

it('quota eviction may take the entry of a disposed model (it takes entries whose lock it can hold)', async () => {
  const url = `${inject('rangeBase')}/small.gguf?t=${unique()}`;
  const name = lockName(DEFAULT_NAMESPACE, await entryId(url));
  const m = await a.load(url, { cache: 'opfs' });
  expect(await withLockIfFree(name, async () => true), 'skipped while loaded').toBeUndefined();
  await m.dispose();
  expect(await withLockIfFree(name, async () => true), 'evictable once disposed').toEqual({ value: true });
  // the page's own hold of the lock (just above) is let go asynchronously: delete once no one holds it
  await expect.poll(() => held(url)).toBe(0);
  await b.cache.delete(url);
});
