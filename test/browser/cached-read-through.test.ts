import { afterAll, describe, expect, it } from 'vitest';
import { CachedSource, type CachedProgress } from '../../src/sources/cache/cached.ts';
import { clearCached } from '../../src/sources/cache/storage.ts';
import { firstPatternMismatch } from '../servers/pattern.ts';
import { CountingRemote, readAllMismatch, sleep } from './workers/cached-fixtures.ts';

const ns = `test-cached-rt-${Date.now()}`;
const KiB = 1024;
const CHUNK = 4 * KiB;
const SIZE = 10 * CHUNK + 3;
let n = 0;

afterAll(async () => {
  await clearCached({ namespace: ns });
});

describe.each(['idb', 'opfs'] as const)('CachedSource over %s on the page', (store) => {
  const open = (remote: CountingRemote, key: string, extra: { onProgress?: (e: CachedProgress) => void; waitForWriterMs?: number } = {}) =>
    CachedSource.open(remote, { key, store, chunkSize: CHUNK, namespace: ns, ...extra });

  it('fetches on the first read and answers the second from the cache', async () => {
    const remote = new CountingRemote(SIZE, { seed: 3 });
    const src = await open(remote, `rt-${store}-${n++}`);
    expect(src.storeKind).toBe(store);
    expect(await readAllMismatch(src, 3)).toBe(-1);
    expect(remote.bytes).toBe(SIZE);
    expect(src.stats()).toMatchObject({ fromNetwork: SIZE, fromCache: 0, cachedBytes: SIZE, chunksCached: 11, chunksTotal: 11 });
    expect(await readAllMismatch(src, 3)).toBe(-1);
    expect(remote.bytes, 'network bytes of the second read').toBe(SIZE);
    expect(src.stats()).toMatchObject({ fromNetwork: SIZE, fromCache: SIZE });
    await src.close();
    expect(remote.closed).toBe(true);
  });

  it('fetches whole chunks, only those a read touches', async () => {
    const remote = new CountingRemote(SIZE, { seed: 4 });
    const src = await open(remote, `rt-${store}-${n++}`);
    const small = new Uint8Array(10);
    await src.readInto(CHUNK + 100, small);
    expect(firstPatternMismatch(small, CHUNK + 100, 4)).toBe(-1);
    expect(remote.reads).toEqual([[CHUNK, CHUNK]]);
    const span = new Uint8Array(CHUNK);
    await src.readInto(CHUNK + 200, span);
    expect(firstPatternMismatch(span, CHUNK + 200, 4)).toBe(-1);
    expect(remote.reads).toEqual([
      [CHUNK, CHUNK],
      [2 * CHUNK, CHUNK],
    ]);
    expect(src.stats()).toMatchObject({ fromNetwork: 2 * CHUNK, fromCache: CHUNK - 200 });
    const tail = new Uint8Array(3);
    await src.readInto(SIZE - 3, tail);
    expect(remote.reads.at(-1), 'the short last chunk').toEqual([10 * CHUNK, 3]);
    await src.close();
  });

  it('fetches a missing chunk once when concurrent reads want it', async () => {
    const remote = new CountingRemote(SIZE, { seed: 5, beforeRead: () => sleep(20) });
    const src = await open(remote, `rt-${store}-${n++}`);
    const reads = [
      [0, SIZE],
      [100, 3 * CHUNK],
      [2 * CHUNK + 1, 10],
      [0, SIZE],
    ].map(async ([offset, length]) => {
      const t = new Uint8Array(length);
      await src.readInto(offset, t);
      return firstPatternMismatch(t, offset, 5);
    });
    expect(await Promise.all(reads)).toEqual([-1, -1, -1, -1]);
    expect(remote.offsets()).toEqual(Array.from({ length: 11 }, (_, i) => i * CHUNK));
    expect(remote.bytes).toBe(SIZE);
    await src.close();
  });

  it('downloads a chunk once when two download calls and a read want it at the same time', async () => {
    const remote = new CountingRemote(SIZE, { seed: 7, beforeRead: () => sleep(20) });
    const src = await open(remote, `rt-${store}-${n++}`);
    const buffer = () => new Uint8Array(CHUNK);
    const target = new Uint8Array(10);
    const [a, b] = await Promise.all([src.download(2, buffer), src.download(2, buffer), src.readInto(2 * CHUNK + 5, target)]);
    expect([a, b].sort(), 'one call fetched it, the other waited').toEqual([false, true]);
    expect(firstPatternMismatch(target, 2 * CHUNK + 5, 7)).toBe(-1);
    expect(remote.reads).toEqual([[2 * CHUNK, CHUNK]]);
    expect(await src.download(2, buffer), 'cached: nothing to fetch').toBe(false);
    expect(remote.bytes).toBe(CHUNK);
    await src.close();
  });

  it('answers a reopened entry from the cache: zero network bytes', async () => {
    const key = `rt-${store}-${n++}`;
    const first = await open(new CountingRemote(SIZE, { seed: 6, etag: '"e6"' }), key);
    expect(await readAllMismatch(first, 6)).toBe(-1);
    await first.close();
    const remote = new CountingRemote(SIZE, { seed: 6, etag: '"e6"' });
    const again = await open(remote, key);
    expect(again.stats()).toMatchObject({ cachedBytes: SIZE, chunksCached: 11, fromNetwork: 0 });
    expect(await readAllMismatch(again, 6)).toBe(-1);
    expect(remote.bytes).toBe(0);
    expect(again.stats()).toMatchObject({ fromNetwork: 0, fromCache: SIZE });
    await again.close();
  });

  it('reports progress: network and cache bytes and the cached total', async () => {
    const events: CachedProgress[] = [];
    const src = await open(new CountingRemote(SIZE, { seed: 7 }), `rt-${store}-${n++}`, { onProgress: (e) => events.push(e) });
    await src.readInto(0, new Uint8Array(2 * CHUNK));
    await src.readInto(0, new Uint8Array(3 * CHUNK));
    expect(events.at(-1)).toEqual({ fromNetwork: 3 * CHUNK, fromCache: 2 * CHUNK, cachedBytes: 3 * CHUNK, totalBytes: SIZE, chunksCached: 3, chunksTotal: 11 });
    for (let i = 1; i < events.length; i++) expect(events[i].cachedBytes).toBeGreaterThanOrEqual(events[i - 1].cachedBytes);
    await src.close();
  });

  it('rejects a read past the end with SOURCE_EOF; a second open waits for the writer of an incomplete entry, then CACHE_IN_USE', async () => {
    const key = `rt-${store}-${n++}`;
    const src = await open(new CountingRemote(SIZE), key);
    await expect(src.readInto(SIZE - 1, new Uint8Array(2))).rejects.toMatchObject({ code: 'SOURCE_EOF' });
    await expect(open(new CountingRemote(SIZE), key, { waitForWriterMs: 50 })).rejects.toMatchObject({
      code: 'CACHE_IN_USE',
      message: expect.stringContaining(key),
    });
    await src.close();
    await expect(src.readInto(0, new Uint8Array(1))).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
    await (await open(new CountingRemote(SIZE), key)).close();
  });
});
