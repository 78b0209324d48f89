import { afterAll, describe, expect, it } from 'vitest';
import { CachedSource } from '../../src/sources/cache/cached.ts';
import { clearCached } from '../../src/sources/cache/storage.ts';
import { CountingRemote, chunkOffsets, readAllMismatch } from './workers/cached-fixtures.ts';

const ns = `test-cached-resume-${Date.now()}`;
const CHUNK = 2048;
const SIZE = 16 * CHUNK + 100;

afterAll(async () => {
  await clearCached({ namespace: ns });
});

describe.each(['idb', 'opfs'] as const)('CachedSource over %s resumes an interrupted load', (store) => {
  it('fetches after an abort only the chunks the first session did not get', async () => {
    const key = `resume-${store}`;
    const stop = new AbortController();
    const first = new CountingRemote(SIZE, { seed: 8, beforeRead: (_o, _l, k) => void (k === 7 && stop.abort()) });
    const a = await CachedSource.open(first, { key, store, chunkSize: CHUNK, namespace: ns, fetchConcurrency: 1 });
    await expect(a.readInto(0, new Uint8Array(SIZE), { signal: stop.signal })).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
    const got = first.offsets();
    expect(got.length, 'chunks fetched before the abort').toBe(6);
    expect(a.stats().cachedBytes).toBe(6 * CHUNK);
    await a.close();

    const second = new CountingRemote(SIZE, { seed: 8 });
    const b = await CachedSource.open(second, { key, store, chunkSize: CHUNK, namespace: ns });
    expect(b.stats().cachedBytes, 'what the reopened entry already holds').toBe(6 * CHUNK);
    expect(await readAllMismatch(b, 8)).toBe(-1);
    const missing = chunkOffsets(SIZE, CHUNK).filter((o) => !got.includes(o));
    expect(second.offsets()).toEqual(missing);
    expect(second.bytes, 'network bytes of the second session').toBe(SIZE - 6 * CHUNK);
    expect(b.stats()).toMatchObject({ fromNetwork: SIZE - 6 * CHUNK, fromCache: 6 * CHUNK, cachedBytes: SIZE });
    await b.close();
  });

  it('keeps a read that another reader aborted: the chunk is fetched for the one still waiting', async () => {
    const key = `resume-shared-${store}`;
    const stop = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const remote = new CountingRemote(SIZE, {
      seed: 9,
      beforeRead: async (_o, _l, k) => {
        if (k === 1) await gate;
      },
    });
    const src = await CachedSource.open(remote, { key, store, chunkSize: CHUNK, namespace: ns });
    const aborted = src.readInto(0, new Uint8Array(10), { signal: stop.signal });
    const waiting = src.readInto(5, new Uint8Array(10));
    stop.abort();
    release();
    await expect(aborted).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
    await expect(waiting).resolves.toBeUndefined();
    expect(remote.offsets()).toEqual([0]);
    await src.close();
  });
});
