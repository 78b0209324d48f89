/**
 * Runs CachedSource sessions inside a dedicated worker, where OPFS entries use
 * sync access handles, for test/browser/cached-worker.test.ts and
 * cached-http.test.ts. Each session opens the entry, reads the whole file into
 * a WebAssembly.Memory view (as the pager's arena reads do), closes, and
 * reports what happened.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../../src/runtime/transfer.ts';
import { CachedSource } from '../../../src/sources/cache/cached.ts';
import { entryId, type CacheStoreKind } from '../../../src/sources/cache/store.ts';
import { HttpRangeSource } from '../../../src/sources/http/source.ts';
import { OpfsWriter } from '../../../src/sources/opfs/writer.ts';
import { listCached, persist, type CachedEntryInfo } from '../../../src/sources/cache/storage.ts';
import type { PagerSource } from '../../../src/sources/source.ts';
import { firstPatternMismatch } from '../../servers/pattern.ts';
import { CountingRemote } from './cached-fixtures.ts';

installErrorTransfer();

const memory = new WebAssembly.Memory({ initial: 64 }); // 4 MiB: the "arena"
const ARENA_OFFSET = 4096 + 7;

export interface SessionArgs {
  key: string;
  namespace: string;
  chunkSize: number;
  store?: CacheStoreKind | 'auto';
  /** A pattern remote of this size and seed (counting) … */
  size?: number;
  seed?: number;
  /** … or an HTTP URL. */
  url?: string;
  /** Abort the read when the remote starts its N-th read (pattern remote only). */
  abortAtRead?: number;
  fetchConcurrency?: number;
}

export interface SessionResult {
  store: CacheStoreKind;
  zeroCopy: boolean;
  size: number;
  etag?: string;
  /** Bytes and chunk offsets the remote served (pattern remote), or the HTTP source's counters. */
  remoteBytes: number;
  remoteOffsets: number[];
  fromNetwork: number;
  fromCache: number;
  cachedBytes: number;
  /** First byte that differs from pattern `seed` (-1: none; undefined for HTTP). */
  mismatch?: number;
  /** Error code of the read, if it failed. */
  error?: string;
  /** Bytes the Wasm memory grew by (it must not). */
  growth: number;
  /** The bytes read (HTTP sessions only, for comparing versions). */
  bytes?: Uint8Array;
}

async function openRemote(a: SessionArgs, stop: AbortController): Promise<{ remote: PagerSource; counting?: CountingRemote }> {
  if (a.url) return { remote: await HttpRangeSource.open(a.url) };
  const counting = new CountingRemote(a.size ?? 0, {
    seed: a.seed,
    etag: `"seed-${a.seed}"`,
    beforeRead: (_o, _l, k) => void (k === a.abortAtRead && stop.abort()),
  });
  return { remote: counting, counting };
}

const api = {
  async session(a: SessionArgs): Promise<SessionResult> {
    const stop = new AbortController();
    const { remote, counting } = await openRemote(a, stop);
    const src = await CachedSource.open(remote, {
      key: a.key,
      store: a.store ?? 'auto',
      chunkSize: a.chunkSize,
      namespace: a.namespace,
      fetchConcurrency: a.fetchConcurrency,
    });
    const before = memory.buffer.byteLength;
    const view = new Uint8Array(memory.buffer, ARENA_OFFSET, src.size);
    let error: string | undefined;
    try {
      await src.readInto(0, view, { signal: stop.signal });
    } catch (e) {
      error = (e as { code?: string }).code ?? String(e);
    }
    const s = src.stats();
    const result: SessionResult = {
      store: src.storeKind,
      zeroCopy: src.zeroCopy,
      size: src.size,
      etag: src.identity.etag,
      remoteBytes: counting ? counting.bytes : (remote as HttpRangeSource).stats.bytesReceived,
      remoteOffsets: counting ? counting.offsets() : [],
      fromNetwork: s.fromNetwork,
      fromCache: s.fromCache,
      cachedBytes: s.cachedBytes,
      error,
      growth: memory.buffer.byteLength - before,
    };
    if (counting && !error) result.mismatch = firstPatternMismatch(view, 0, counting.seed);
    if (a.url && !error) result.bytes = view.slice();
    await src.close();
    return result;
  },

  /** Overwrites bytes of an entry's OPFS data file directly (the entry must be closed). */
  async scribble(namespace: string, key: string, offset: number, length: number): Promise<void> {
    const w = await OpfsWriter.open(`${namespace}/${await entryId(key)}/data`);
    await w.write(offset, new Uint8Array(length).fill(0xa5));
    await w.close();
  },

  list: (namespace: string): Promise<CachedEntryInfo[]> => listCached({ namespace }),

  persist: () => persist(),
};

export type CachedWorkerApi = typeof api;
Comlink.expose(api);
