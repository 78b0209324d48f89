import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../src/runtime/transfer.ts';
import { CachedSource } from '../../src/sources/cache/cached.ts';
import { HttpRangeSource } from '../../src/sources/http/source.ts';
import { clearCached, listCached } from '../../src/sources/cache/storage.ts';
import { firstPatternMismatch } from '../servers/pattern.ts';
import { genFile, serverStats, serverUrl } from '../servers/urls.ts';
import type { CachedWorkerApi } from './workers/cached-worker.ts';

const namespace = `test-cached-http-${Date.now()}`;
const CHUNK = 64 << 10;
const SIZE = 12 * CHUNK + 77;
const SEED = 50;
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

describe('CachedSource over HttpRangeSource and the test range server', () => {
  it('on the page (IndexedDB): a second session sends no range request beyond open', async () => {
    const base = inject('rangeBase');
    const url = serverUrl(base, genFile(SIZE, SEED), { tag: `page-${namespace}` });
    const read = async () => {
      const src = await CachedSource.open(await HttpRangeSource.open(url), { key: url, namespace, chunkSize: CHUNK });
      const all = new Uint8Array(SIZE);
      await src.readInto(0, all);
      const stats = src.stats();
      await src.close();
      return { stats, mismatch: firstPatternMismatch(all, 0, SEED), store: src.storeKind };
    };
    const first = await read();
    expect(first).toMatchObject({ store: 'idb', mismatch: -1, stats: { fromNetwork: SIZE, cachedBytes: SIZE } });
    const afterFirst = await serverStats(base, `page-${namespace}`);
    const second = await read();
    expect(second).toMatchObject({ mismatch: -1, stats: { fromNetwork: 0, fromCache: SIZE } });
    const afterSecond = await serverStats(base, `page-${namespace}`);
    expect(afterSecond.requests - afterFirst.requests, 'requests of the second session: open only').toBe(1);
  });

  it('in a worker (OPFS): reads through, then answers from the cache', async () => {
    const base = inject('rangeBase');
    const url = serverUrl(base, genFile(SIZE, SEED + 1), { tag: `worker-${namespace}` });
    const first = await api.session({ key: url, url, namespace, chunkSize: CHUNK });
    expect(first).toMatchObject({ store: 'opfs', zeroCopy: true, fromNetwork: SIZE, cachedBytes: SIZE, growth: 0 });
    expect(firstPatternMismatch(first.bytes as Uint8Array, 0, SEED + 1)).toBe(-1);
    const second = await api.session({ key: url, url, namespace, chunkSize: CHUNK });
    expect(second).toMatchObject({ fromNetwork: 0, fromCache: SIZE });
    expect(firstPatternMismatch(second.bytes as Uint8Array, 0, SEED + 1)).toBe(-1);
  });

  it('invalidates the entry when the file changes on the server mid-load, then caches the new version', async () => {
    const base = inject('rangeBase');
    const url = serverUrl(base, genFile(SIZE, SEED + 2), { faults: ['change-etag-after/4'] });
    const cut = await api.session({ key: url, url, namespace, chunkSize: CHUNK, fetchConcurrency: 1 });
    expect(cut.error).toBe('SOURCE_CHANGED');
    expect(
      (await listCached({ namespace })).some((e) => e.key === url),
      'the mixed entry is gone',
    ).toBe(false);

    const fresh = await api.session({ key: url, url, namespace, chunkSize: CHUNK });
    expect(fresh.error).toBeUndefined();
    expect(fresh.etag).not.toBe(cut.etag);
    expect(fresh.fromNetwork).toBe(SIZE);
    const direct = await HttpRangeSource.open(url);
    const now = new Uint8Array(SIZE);
    await direct.readInto(0, now);
    await direct.close();
    const got = fresh.bytes as Uint8Array;
    expect(got.length).toBe(SIZE);
    expect(
      got.findIndex((b, i) => b !== now[i]),
      'the cache holds exactly the server’s new version',
    ).toBe(-1);
    expect(firstPatternMismatch(now, 0, SEED + 2), 'which is not the old one').not.toBe(-1);
    expect((await listCached({ namespace })).find((e) => e.key === url)).toMatchObject({ bytesCached: SIZE, etag: fresh.etag });
  });
});
