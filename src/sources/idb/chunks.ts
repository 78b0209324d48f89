/**
 * A file in IndexedDB as fixed-size chunks (through idb-keyval and a custom
 * store): chunk `i` of file `fileKey` is the ArrayBuffer at key
 * `${fileKey}:${i}`, holding bytes [i * chunkSize, min(size, (i + 1) * chunkSize)).
 *
 *   file bytes:  |<- chunkSize ->|<- chunkSize ->|<- chunkSize ->|<- tail ->|
 *   keys:          key:0           key:1           key:2           key:3
 *
 * Reads fetch the chunks a range spans with getMany (one transaction per
 * batch of at most READ_BATCH_BYTES) and copy only the overlapping part of each
 * chunk into the target; writes store one standalone ArrayBuffer per chunk
 * (a view into a larger buffer would clone the whole buffer).
 */
import { getMany, setMany, type UseStore } from 'idb-keyval';
import { GgufPagerError } from '../../errors.ts';
import { storageError } from '../storage-env.ts';

/** Bytes one getMany/setMany transaction may carry: bounds the transient JS memory of a read or write. */
export const READ_BATCH_BYTES = 32 << 20;
export const MIN_CHUNK_SIZE = 1 << 10;
export const MAX_CHUNK_SIZE = 256 << 20;

export interface ChunkedFile {
  /** Key prefix of the chunks. */
  key: string;
  /** For error messages: `idb:<key>`. */
  name: string;
  size: number;
  chunkSize: number;
}

export function chunkKey(fileKey: string, index: number): string {
  return `${fileKey}:${index}`;
}

export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

export function checkChunkSize(chunkSize: number, what: string): void {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${what}: chunk size ${chunkSize} is outside [${MIN_CHUNK_SIZE}, ${MAX_CHUNK_SIZE}]`, { chunkSize });
  }
}

/** Consecutive runs [first, last] of chunk indices whose bytes stay under READ_BATCH_BYTES (at least one chunk). */
function batches(first: number, last: number, chunkSize: number): Array<[number, number]> {
  const per = Math.max(1, Math.floor(READ_BATCH_BYTES / chunkSize));
  const out: Array<[number, number]> = [];
  for (let i = first; i <= last; i += per) out.push([i, Math.min(last, i + per - 1)]);
  return out;
}

/** Copies bytes [offset, offset + target.length) of `file` into `target`; every chunk must be stored. */
export async function readChunksInto(store: UseStore, file: ChunkedFile, offset: number, target: Uint8Array): Promise<void> {
  if (target.length === 0) return;
  const end = offset + target.length;
  const first = Math.floor(offset / file.chunkSize);
  const last = Math.floor((end - 1) / file.chunkSize);
  for (const [a, b] of batches(first, last, file.chunkSize)) {
    const keys: string[] = [];
    for (let i = a; i <= b; i++) keys.push(chunkKey(file.key, i));
    let values: unknown[];
    try {
      values = await getMany(keys, store);
    } catch (e) {
      throw storageError(e, `${file.name}: reading chunks ${a}..${b}`, { key: file.key, first: a, last: b });
    }
    for (let i = a; i <= b; i++) {
      const bytes = chunkBytes(values[i - a], file, i);
      const start = i * file.chunkSize;
      const from = Math.max(offset, start);
      const to = Math.min(end, start + bytes.length);
      target.set(bytes.subarray(from - start, to - start), from - offset);
    }
  }
}

/** The stored chunk as bytes, checked against the length its index must have. */
function chunkBytes(value: unknown, file: ChunkedFile, index: number): Uint8Array {
  const want = Math.min(file.chunkSize, file.size - index * file.chunkSize);
  let bytes: Uint8Array | undefined;
  if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (!bytes) {
    throw new GgufPagerError('CACHE_CORRUPT', `${file.name}: chunk ${index} (bytes at ${index * file.chunkSize}) is missing`, {
      key: chunkKey(file.key, index),
      index,
    });
  }
  if (bytes.length !== want) {
    throw new GgufPagerError('CACHE_CORRUPT', `${file.name}: chunk ${index} holds ${bytes.length} bytes, expected ${want}`, {
      key: chunkKey(file.key, index),
      index,
      got: bytes.length,
      expected: want,
    });
  }
  return bytes;
}

/**
 * Stores `bytes` as chunks first, first + 1, …: `bytes` must start on a chunk
 * boundary and hold whole chunks (the file's tail may be short). Each batch is
 * one atomic transaction; resolves once the last one has committed.
 */
export async function writeChunks(store: UseStore, file: ChunkedFile, first: number, bytes: Uint8Array): Promise<void> {
  const count = chunkCount(bytes.length, file.chunkSize);
  for (const [a, b] of batches(first, first + count - 1, file.chunkSize)) {
    const entries: Array<[string, ArrayBuffer]> = [];
    for (let i = a; i <= b; i++) {
      const from = (i - first) * file.chunkSize;
      entries.push([chunkKey(file.key, i), bytes.slice(from, Math.min(bytes.length, from + file.chunkSize)).buffer as ArrayBuffer]);
    }
    try {
      await setMany(entries, store);
    } catch (e) {
      if ((e as { name?: string })?.name === 'QuotaExceededError') throw e;
      throw storageError(e, `${file.name}: writing chunks ${a}..${b}`, { key: file.key, first: a, last: b });
    }
  }
}

/**
 * Deletes every key from `${prefix}:` up to `${prefix}:\uffff` in one transaction.
 * Only for prefixes no other file's key extends (the cache's fixed-length hex ids):
 * the range of `a` also holds `a:b:0`.
 */
export async function deleteKeyRange(store: UseStore, prefix: string): Promise<void> {
  const range = IDBKeyRange.bound(`${prefix}:`, `${prefix}:\uffff`);
  await store('readwrite', (s) => {
    s.delete(range);
    return new Promise<void>((resolve, reject) => {
      s.transaction.oncomplete = () => resolve();
      s.transaction.onabort = s.transaction.onerror = () => reject(s.transaction.error);
    });
  });
}
