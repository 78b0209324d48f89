/**
 * `IdbSource`: a PagerSource over a file stored in IndexedDB as fixed-size
 * chunks (layout in idb-chunks.ts), plus the functions that write and delete
 * such files. The file's metadata lives beside its chunks at `${fileKey}:meta`
 * and is written last, so a half-written file has none and does not open.
 */
import { createStore, delMany, get, set, type UseStore } from 'idb-keyval';
import type { PagerSource, ReadOptions, SourceIdentity } from '../source.ts';
import { GgufPagerError } from '../../errors.ts';
import { checkChunkSize, chunkCount, chunkKey, readChunksInto, writeChunks, type ChunkedFile } from './chunks.ts';
import { checkRead } from '../read-check.ts';
import { isQuotaError, requireIndexedDb, storageError, throwIfAborted } from '../storage-env.ts';
import { quotaFailure } from '../cache/storage-estimate.ts';

/**
 * Default chunk size of IndexedDB files and cache entries: 512 KiB, chosen with
 * bench/sources/idb.bench.ts (256 MiB file, 16 MiB reads into the arena,
 * Chromium 156, disk-backed profile, 2 shared cores, 4 interleaved runs of 5):
 *
 *   chunk      whole-file read MB/s (per run)   64 KiB scattered read, ms each
 *   256 KiB    196  262  180  300               2.0 - 2.4
 *   512 KiB    199  353  400  391               2.4 - 3.1
 *   1 MiB      184  338  350  349               4.6 - 6.6
 *   4 MiB      265  303  407  407               12 - 16
 *   16 MiB     300  344  361  427               38 - 48
 *
 * Whole-file throughput is flat from 512 KiB up (within the machine's noise)
 * and worse below; a small read costs a whole chunk (one get of the chunk's
 * value), so bigger chunks make the many small tensors of a GGUF (norms,
 * biases) slower. 512 KiB is the smallest chunk at full throughput.
 */
export const IDB_DEFAULT_CHUNK_SIZE = 512 << 10;

export interface IdbFileMeta extends SourceIdentity {
  chunkSize: number;
}

export interface IdbOptions {
  /** idb-keyval store; default: database `gguf-pager-files`, object store `files`. */
  store?: UseStore;
}

let defaultStore: UseStore | undefined;

/** The store IdbSource and writeIdbFile use unless given another one. */
export function defaultIdbStore(): UseStore {
  requireIndexedDb('gguf-pager-files');
  defaultStore ??= createStore('gguf-pager-files', 'files');
  return defaultStore;
}

const metaKey = (fileKey: string) => `${fileKey}:meta`;

function checkMeta(value: unknown, fileKey: string): IdbFileMeta {
  const m = value as Partial<IdbFileMeta> | undefined;
  if (m === undefined) throw new GgufPagerError('SOURCE_NOT_FOUND', `idb:${fileKey}: no such file`, { key: fileKey });
  if (typeof m !== 'object' || m === null || !Number.isSafeInteger(m.size) || (m.size as number) < 0 || typeof m.chunkSize !== 'number') {
    throw new GgufPagerError('CACHE_CORRUPT', `idb:${fileKey}: unreadable file metadata`, { key: fileKey });
  }
  checkChunkSize(m.chunkSize, `idb:${fileKey}`);
  return m as IdbFileMeta;
}

export class IdbSource implements PagerSource {
  readonly name: string;

  private constructor(
    private readonly file: ChunkedFile,
    readonly identity: SourceIdentity,
    private readonly store: UseStore,
  ) {
    this.name = file.name;
  }

  /** Opens a file written by writeIdbFile; `SOURCE_NOT_FOUND` when there is none. */
  static async open(fileKey: string, opts: IdbOptions = {}): Promise<IdbSource> {
    const store = opts.store ?? defaultIdbStore();
    let raw: unknown;
    try {
      raw = await get(metaKey(fileKey), store);
    } catch (e) {
      throw storageError(e, `idb:${fileKey}`, { key: fileKey });
    }
    const meta = checkMeta(raw, fileKey);
    const identity: SourceIdentity = { size: meta.size, etag: meta.etag, lastModified: meta.lastModified };
    return new IdbSource({ key: fileKey, name: `idb:${fileKey}`, size: meta.size, chunkSize: meta.chunkSize }, identity, store);
  }

  get size(): number {
    return this.file.size;
  }

  get chunkSize(): number {
    return this.file.chunkSize;
  }

  async readInto(offset: number, target: Uint8Array, opts: ReadOptions = {}): Promise<void> {
    checkRead(this.name, this.size, offset, target);
    throwIfAborted(opts.signal, `${this.name} read at ${offset}`);
    await readChunksInto(this.store, this.file, offset, target);
  }

  async close(): Promise<void> {}
}

export interface WriteIdbFileOptions extends IdbOptions {
  chunkSize?: number;
  signal?: AbortSignal;
}

/**
 * Stores `data` (bytes, or any PagerSource read chunk by chunk) as the file
 * `fileKey`, replacing an earlier one. Holds at most one batch of chunks in
 * memory at a time. Returns the metadata written.
 * @internal not part of the package's API (tests and bench:sources)
 */
export async function writeIdbFile(fileKey: string, data: Uint8Array | PagerSource, opts: WriteIdbFileOptions = {}): Promise<IdbFileMeta> {
  const store = opts.store ?? defaultIdbStore();
  const chunkSize = opts.chunkSize ?? IDB_DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize, `idb:${fileKey}`);
  await deleteIdbFile(fileKey, { store });
  const size = data instanceof Uint8Array ? data.length : data.size;
  const file: ChunkedFile = { key: fileKey, name: `idb:${fileKey}`, size, chunkSize };
  const step = Math.max(chunkSize, Math.floor((16 << 20) / chunkSize) * chunkSize);
  for (let at = 0; at < size; at += step) {
    throwIfAborted(opts.signal, `idb:${fileKey} write at ${at}`);
    const len = Math.min(step, size - at);
    let bytes: Uint8Array;
    if (data instanceof Uint8Array) bytes = data.subarray(at, at + len);
    else {
      bytes = new Uint8Array(len);
      await data.readInto(at, bytes, { signal: opts.signal });
    }
    try {
      await writeChunks(store, file, at / chunkSize, bytes);
    } catch (e) {
      throw isQuotaError(e) ? await quotaFailure(e, `idb:${fileKey}`, size - at) : e;
    }
  }
  const meta: IdbFileMeta = { size, chunkSize };
  if (!(data instanceof Uint8Array)) {
    if (data.identity.etag !== undefined) meta.etag = data.identity.etag;
    if (data.identity.lastModified !== undefined) meta.lastModified = data.identity.lastModified;
  }
  try {
    await set(metaKey(fileKey), meta, store);
  } catch (e) {
    throw storageError(e, `idb:${fileKey}: writing metadata`, { key: fileKey });
  }
  return meta;
}

/** Deletes the file `fileKey` (metadata first, then its chunks). Returns whether it existed. */
export async function deleteIdbFile(fileKey: string, opts: IdbOptions = {}): Promise<boolean> {
  const store = opts.store ?? defaultIdbStore();
  let meta: IdbFileMeta;
  try {
    meta = checkMeta(await get(metaKey(fileKey), store), fileKey);
  } catch (e) {
    if ((e as GgufPagerError).code === 'SOURCE_NOT_FOUND') return false;
    throw storageError(e, `idb:${fileKey}`, { key: fileKey });
  }
  const keys: string[] = [metaKey(fileKey)];
  for (let i = 0; i < chunkCount(meta.size, meta.chunkSize); i++) keys.push(chunkKey(fileKey, i));
  try {
    await delMany(keys, store);
  } catch (e) {
    throw storageError(e, `idb:${fileKey}: deleting`, { key: fileKey });
  }
  return true;
}
