import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../src/runtime/transfer.ts';
import { clearCached, listCached } from '../../src/sources/cache/storage.ts';
import { chunkOffsets } from './workers/cached-fixtures.ts';
import type { CachedWorkerApi, SessionArgs } from './workers/cached-worker.ts';

const namespace = `test-cached-worker-${Date.now()}`;
const CHUNK = 64 << 10;
const SIZE = 20 * CHUNK + 1000;
let worker: Worker;
let api: Comlink.Remote<CachedWorkerApi>;

beforeAll(() => {
  installErrorTransfer();
  worker = new Worker(new URL('./workers/cached-worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<CachedWorkerApi>(worker);
});

afterAll(async () => {
  worker.terminate();
  await clearCached({ namespace });
});

const session = (key: string, extra: Partial<SessionArgs> = {}) => api.session({ key, namespace, chunkSize: CHUNK, size: SIZE, seed: 40, ...extra });

describe('CachedSource in a worker (OPFS through sync access handles)', () => {
  it('picks OPFS under auto and reads cached chunks straight into Wasm memory', async () => {
    const first = await session('w-read');
    expect(first).toMatchObject({ store: 'opfs', zeroCopy: true, mismatch: -1, remoteBytes: SIZE, fromNetwork: SIZE, cachedBytes: SIZE, growth: 0 });
    const second = await session('w-read');
    expect(second).toMatchObject({ store: 'opfs', mismatch: -1, remoteBytes: 0, fromNetwork: 0, fromCache: SIZE, growth: 0 });
  });

  it('resumes after an abort, fetching exactly the chunks still missing', async () => {
    const cut = await session('w-resume', { abortAtRead: 9, fetchConcurrency: 1 });
    expect(cut.error).toBe('SOURCE_ABORTED');
    expect(cut.remoteOffsets).toEqual(chunkOffsets(8 * CHUNK, CHUNK));
    const rest = await session('w-resume');
    expect(rest.mismatch).toBe(-1);
    expect(rest.remoteOffsets).toEqual(chunkOffsets(SIZE, CHUNK).slice(8));
    expect(rest.remoteBytes).toBe(SIZE - 8 * CHUNK);
    expect(rest.fromCache).toBe(8 * CHUNK);
  });

  it('does not trust bytes scribbled into the data file where no chunk is marked', async () => {
    await session('w-scribble', { abortAtRead: 3, fetchConcurrency: 1 });
    await api.scribble(namespace, 'w-scribble', 2 * CHUNK, 3 * CHUNK);
    const next = await session('w-scribble');
    expect(next.mismatch).toBe(-1);
    expect(next.remoteOffsets).toEqual(chunkOffsets(SIZE, CHUNK).slice(2));
  });

  it('shows the worker’s entries to the page, and refuses persist() in a worker', async () => {
    await session('w-list');
    const expected = { key: 'w-list', store: 'opfs', size: SIZE, bytesCached: SIZE, chunkSize: CHUNK };
    expect((await listCached({ namespace })).find((e) => e.key === 'w-list')).toMatchObject(expected);
    expect((await api.list(namespace)).find((e) => e.key === 'w-list')).toMatchObject(expected);
    await expect(api.persist()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });
});
