import { afterAll, describe, expect, it } from 'vitest';
import { createStore, del, keys } from 'idb-keyval';
import { CachedSource } from '../../src/sources/cache/cached.ts';
import { entryId } from '../../src/sources/cache/store.ts';
import { removeOpfsEntry } from '../../src/sources/opfs/file.ts';
import { clearCached, deleteCached, estimate, listCached, persist } from '../../src/sources/cache/storage.ts';
import { CountingRemote, sleep } from './workers/cached-fixtures.ts';

const ns = `test-storage-manage-${Date.now()}`;
const CHUNK = 2048;

afterAll(async () => {
  await clearCached({ namespace: ns });
});

async function cache(key: string, size: number, store: 'idb' | 'opfs', readBytes = size, namespace = ns): Promise<void> {
  const src = await CachedSource.open(new CountingRemote(size, { etag: `"${key}"` }), { key, store, chunkSize: CHUNK, namespace });
  await src.readInto(0, new Uint8Array(readBytes));
  await src.close();
  await sleep(5);
}

/** Runs `fn` with `obj[prop]` hidden, as in a browser without that API. */
async function without<T>(obj: object, prop: string, fn: () => Promise<T>): Promise<T> {
  Object.defineProperty(obj, prop, { value: undefined, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    delete (obj as Record<string, unknown>)[prop];
  }
}

describe('cache management', () => {
  it('lists cached models from both stores, most recently used first', async () => {
    const before = Date.now();
    await cache('https://example.test/a.gguf', 5 * CHUNK, 'opfs');
    await cache('https://example.test/b.gguf', 3 * CHUNK + 1, 'idb', CHUNK);
    const list = await listCached({ namespace: ns });
    expect(list.map(({ key, size, bytesCached, store, chunkSize, etag }) => ({ key, size, bytesCached, store, chunkSize, etag }))).toEqual([
      { key: 'https://example.test/b.gguf', size: 3 * CHUNK + 1, bytesCached: CHUNK, store: 'idb', chunkSize: CHUNK, etag: '"https://example.test/b.gguf"' },
      { key: 'https://example.test/a.gguf', size: 5 * CHUNK, bytesCached: 5 * CHUNK, store: 'opfs', chunkSize: CHUNK, etag: '"https://example.test/a.gguf"' },
    ]);
    for (const e of list) expect(e.lastUsed).toBeGreaterThanOrEqual(before);
  });

  it('deletes one model, and refuses while it is open', async () => {
    await cache('del-me', 2 * CHUNK, 'idb');
    const open = await CachedSource.open(new CountingRemote(2 * CHUNK, { etag: '"del-me"' }), { key: 'del-me', chunkSize: CHUNK, namespace: ns });
    expect(open.storeKind, 'auto reuses the store that holds the key').toBe('idb');
    await expect(deleteCached('del-me', { namespace: ns })).rejects.toMatchObject({ code: 'CACHE_IN_USE', message: expect.stringContaining('del-me') });
    await open.close();
    expect(await deleteCached('del-me', { namespace: ns })).toBe(true);
    expect(await deleteCached('del-me', { namespace: ns })).toBe(false);
    expect((await listCached({ namespace: ns })).some((e) => e.key === 'del-me')).toBe(false);
  });

  it('clears every model that is not open, and says which it kept', async () => {
    const other = `${ns}-clear`;
    await cache('c1', CHUNK, 'opfs', CHUNK, other);
    await cache('c2', CHUNK, 'idb', CHUNK, other);
    const held = await CachedSource.open(new CountingRemote(CHUNK, { etag: '"c3"' }), { key: 'c3', store: 'idb', chunkSize: CHUNK, namespace: other });
    await held.readInto(0, new Uint8Array(CHUNK));
    const result = await clearCached({ namespace: other });
    expect(result.deleted.sort()).toEqual(['c1', 'c2']);
    expect(result.inUse).toEqual(['c3']);
    await held.close();
    expect((await listCached({ namespace: other })).map((e) => e.key)).toEqual(['c3']);
    expect(await clearCached({ namespace: other })).toEqual({ deleted: ['c3'], inUse: [] });
    expect(await listCached({ namespace: other })).toEqual([]);
  });

  it('clears what a cut-short deletion leaves: chunks or a data file without a manifest', async () => {
    const other = `${ns}-leftovers`;
    await cache('idb-left', 2 * CHUNK, 'idb', 2 * CHUNK, other);
    await cache('opfs-left', 2 * CHUNK, 'opfs', 2 * CHUNK, other);
    await del('idb-left', createStore(`${other}-manifests`, 'manifests'));
    const opfsId = await entryId('opfs-left');
    await removeOpfsEntry(`${other}/${opfsId}/manifest.json`);
    expect(await listCached({ namespace: other }), 'no manifest: not listed').toEqual([]);
    const chunks = createStore(`${other}-chunks`, 'chunks');
    expect((await keys(chunks)).map(String).filter((k) => !k.endsWith(':journal')).length, 'the two chunks (beside the journal)').toBe(2);
    const result = await clearCached({ namespace: other });
    expect(result.deleted.sort()).toEqual([await entryId('idb-left'), opfsId].sort());
    expect(await keys(chunks)).toEqual([]);
    expect(await removeOpfsEntry(`${other}/${opfsId}`), 'the entry directory is gone').toBe(false);
  });

  it('estimates usage and quota, and asks for persistence from the page', async () => {
    const e = await estimate();
    expect(e.quota).toBeGreaterThan(0);
    expect(e.usage).toBeGreaterThan(0);
    expect(e.available).toBe(Math.max(0, e.quota - e.usage));
    expect(await persist()).toBeTypeOf('boolean');
  });

  it('picks IndexedDB for a new entry on the page (no in-place OPFS writes here) under auto', async () => {
    const src = await CachedSource.open(new CountingRemote(CHUNK), { key: 'auto-new', namespace: ns, chunkSize: CHUNK });
    expect(src.storeKind).toBe('idb');
    expect(src.zeroCopy).toBe(false);
    await src.close();
  });

  it('is STORAGE_UNAVAILABLE where OPFS or IndexedDB is missing', async () => {
    await without(StorageManager.prototype, 'getDirectory', async () => {
      await expect(CachedSource.open(new CountingRemote(CHUNK), { key: 'no-opfs', store: 'opfs', namespace: ns })).rejects.toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
        message: expect.stringContaining('OPFS'),
      });
      await without(globalThis, 'indexedDB', async () => {
        await expect(CachedSource.open(new CountingRemote(CHUNK), { key: 'none', namespace: ns })).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
        await expect(CachedSource.open(new CountingRemote(CHUNK), { key: 'no-idb', store: 'idb', namespace: ns })).rejects.toMatchObject({
          code: 'STORAGE_UNAVAILABLE',
          message: expect.stringContaining('IndexedDB'),
        });
      });
    });
  });
});
