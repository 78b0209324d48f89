import { afterAll, describe, expect, it } from 'vitest';
import { GgufPagerError } from '../../src/errors.ts';
import { CachedSource } from '../../src/sources/cache/cached.ts';
import { clearCached, listCached } from '../../src/sources/cache/storage.ts';
import { CountingRemote, readAllMismatch, type CountingRemoteOptions } from './workers/cached-fixtures.ts';

const ns = `test-cached-inval-${Date.now()}`;
const CHUNK = 2048;
const SIZE = 6 * CHUNK;

afterAll(async () => {
  await clearCached({ namespace: ns });
});

const JAN1 = 'Mon, 01 Jan 2024 00:00:00 GMT';
type Version = CountingRemoteOptions & { size?: number };
/** [what changes, the version cached first, the version met at the next open] */
const changes: Array<[string, Version, Version]> = [
  ['ETag', { etag: '"v1"', lastModified: JAN1 }, { etag: '"v2"', lastModified: JAN1 }],
  ['Last-Modified', { etag: '"v1"', lastModified: JAN1 }, { etag: '"v1"', lastModified: 'Tue, 02 Jan 2024 00:00:00 GMT' }],
  ['size', { etag: '"v1"', lastModified: JAN1 }, { etag: '"v1"', lastModified: JAN1, size: SIZE + 1 }],
  ['ETag (appearing)', { lastModified: JAN1 }, { etag: '"v1"', lastModified: JAN1 }],
];

describe.each(['idb', 'opfs'] as const)('CachedSource over %s when the remote changes', (store) => {
  it.each(changes)('drops the entry when the %s differs at open, and fetches the new version whole', async (what, v1, v2) => {
    const key = `inval-${store}-${what}`;
    const a = await CachedSource.open(new CountingRemote(SIZE, { ...v1, seed: 20 }), { key, store, chunkSize: CHUNK, namespace: ns });
    expect(await readAllMismatch(a, 20)).toBe(-1);
    await a.close();

    const size = v2.size ?? SIZE;
    const remote = new CountingRemote(size, { ...v2, seed: 21 });
    const b = await CachedSource.open(remote, { key, store, chunkSize: CHUNK, namespace: ns });
    expect(b.stats().cachedBytes, 'nothing of v1 is trusted').toBe(0);
    expect(await readAllMismatch(b, 21), 'no byte of v1 comes back').toBe(-1);
    expect(remote.bytes).toBe(size);
    await b.close();
    const entry = (await listCached({ namespace: ns })).find((e) => e.key === key);
    expect(entry).toMatchObject({ size, bytesCached: size, etag: remote.identity.etag, lastModified: remote.identity.lastModified });
  });

  it('invalidates the entry when the remote reports SOURCE_CHANGED mid-read', async () => {
    const key = `inval-${store}-mid-read`;
    const changed = new GgufPagerError('SOURCE_CHANGED', 'remote ETag changed from "v1" to "v2"');
    const remote = new CountingRemote(SIZE, {
      seed: 22,
      etag: '"v1"',
      beforeRead: (offset) => {
        if (offset === 4 * CHUNK) throw changed;
      },
    });
    const a = await CachedSource.open(remote, { key, store, chunkSize: CHUNK, namespace: ns, fetchConcurrency: 1 });
    await a.readInto(0, new Uint8Array(2 * CHUNK));
    await expect(a.readInto(0, new Uint8Array(SIZE))).rejects.toBe(changed);
    await expect(a.readInto(0, new Uint8Array(1)), 'later reads, even of cached bytes').rejects.toMatchObject({
      code: 'SOURCE_CHANGED',
      message: expect.stringContaining(key),
    });
    expect(
      (await listCached({ namespace: ns })).some((e) => e.key === key),
      'the entry is gone',
    ).toBe(false);
    await a.close();

    const v2 = new CountingRemote(SIZE, { seed: 23, etag: '"v2"' });
    const b = await CachedSource.open(v2, { key, store, chunkSize: CHUNK, namespace: ns });
    expect(await readAllMismatch(b, 23)).toBe(-1);
    expect(v2.bytes).toBe(SIZE);
    await b.close();
  });
});
