import { afterAll, describe, expect, it } from 'vitest';
import { createStore, set } from 'idb-keyval';
import { CachedSource } from '../../src/sources/cache/cached.ts';
import { entryId, type CacheStore } from '../../src/sources/cache/store.ts';
import { newManifest } from '../../src/sources/cache/manifest.ts';
import { OpfsWriter } from '../../src/sources/opfs/writer.ts';
import { clearCached, listCached } from '../../src/sources/cache/storage.ts';
import { CountingRemote, interceptWrites, readAllMismatch } from './workers/cached-fixtures.ts';

const ns = `test-cached-crash-${Date.now()}`;
const CHUNK = 2048;
const SIZE = 8 * CHUNK;

afterAll(async () => {
  await clearCached({ namespace: ns });
});

/** Replaces the stored manifest of `key` with `text`, as a torn write would leave it. */
async function tearManifest(store: 'idb' | 'opfs', key: string, text: string): Promise<void> {
  if (store === 'idb') return set(key, text, createStore(`${ns}-manifests`, 'manifests'));
  const w = await OpfsWriter.open(`${ns}/${await entryId(key)}/manifest.json`, { truncate: true });
  await w.write(0, new TextEncoder().encode(text));
  await w.close();
}

describe.each(['idb', 'opfs'] as const)('CachedSource over %s after a crash', (store) => {
  it('re-fetches a chunk whose bytes were written but whose bit was never set', async () => {
    const key = `crash-after-write-${store}`;
    const crash = new Error('simulated crash between the write and the manifest update');
    const first = new CountingRemote(SIZE, { seed: 10 });
    const a = await CachedSource.open(first, {
      key,
      store,
      chunkSize: CHUNK,
      namespace: ns,
      // Chunk 3's bytes reach the disk, then the "crash" comes before its bit is set.
      wrapStore: interceptWrites(async (write, index) => {
        await write();
        if (index === 3) throw crash;
      }),
    });
    await expect(a.readInto(0, new Uint8Array(SIZE))).rejects.toBe(crash);
    expect(a.stats().chunksCached).toBe(7);
    await a.close();

    const second = new CountingRemote(SIZE, { seed: 10 });
    const b = await CachedSource.open(second, { key, store, chunkSize: CHUNK, namespace: ns });
    expect(await readAllMismatch(b, 10)).toBe(-1);
    expect(second.reads).toEqual([[3 * CHUNK, CHUNK]]);
    await b.close();
  });

  it('never trusts bytes on disk without their bit: garbage there is replaced by a fetch', async () => {
    const key = `crash-garbage-${store}`;
    let inner!: CacheStore;
    const a = await CachedSource.open(new CountingRemote(SIZE, { seed: 11 }), { key, store, chunkSize: CHUNK, namespace: ns, wrapStore: (s) => (inner = s) });
    await a.readInto(0, new Uint8Array(2 * CHUNK));
    // Chunk 2's place holds garbage that no manifest ever claimed.
    await inner.writeChunk(newManifest(key, store, { size: SIZE }, CHUNK), 2, new Uint8Array(CHUNK).fill(0xee));
    await a.close();

    const remote = new CountingRemote(SIZE, { seed: 11 });
    const b = await CachedSource.open(remote, { key, store, chunkSize: CHUNK, namespace: ns });
    expect(await readAllMismatch(b, 11)).toBe(-1);
    expect(remote.offsets()).toEqual([2, 3, 4, 5, 6, 7].map((i) => i * CHUNK));
    await b.close();
  });

  it('starts the entry over when the manifest is torn, instead of trusting it', async () => {
    const key = `crash-torn-${store}`;
    const a = await CachedSource.open(new CountingRemote(SIZE, { seed: 12 }), { key, store, chunkSize: CHUNK, namespace: ns });
    expect(await readAllMismatch(a, 12)).toBe(-1);
    await a.close();
    await tearManifest(store, key, '{"version":1,"key":"crash-torn-');

    const remote = new CountingRemote(SIZE, { seed: 12 });
    const b = await CachedSource.open(remote, { key, store, chunkSize: CHUNK, namespace: ns });
    expect(b.stats().cachedBytes).toBe(0);
    expect(await readAllMismatch(b, 12)).toBe(-1);
    expect(remote.bytes).toBe(SIZE);
    await b.close();
    expect((await listCached({ namespace: ns })).find((e) => e.key === key)).toMatchObject({ bytesCached: SIZE });
  });
});
