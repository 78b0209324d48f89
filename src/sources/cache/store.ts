/**
 * Where a cache entry's chunks and manifest live. One interface, two stores:
 * cached-store-opfs.ts (one data file per model, chunk i at i * chunkSize)
 * and cached-store-idb.ts (one IndexedDB value per chunk). CachedSource talks
 * only to this interface; tests wrap it to inject failures.
 */
import type { CacheManifest, CacheStoreKind } from './manifest.ts';

export type { CacheStoreKind };

/** Default name of the cache: the OPFS directory and the IndexedDB database prefix. */
export const DEFAULT_NAMESPACE = 'gguf-pager-cache';

export interface CacheStore {
  readonly kind: CacheStoreKind;
  readonly key: string;
  /** Fixed-length id derived from the key (entry directory / chunk key prefix / lock name). */
  readonly id: string;
  /** True when reads land in the target with no intermediate copy (OPFS in a worker). */
  readonly zeroCopy: boolean;
  /** Copies bytes [offset, offset + target.length), all inside present chunks, into `target`. */
  read(m: CacheManifest, offset: number, target: Uint8Array): Promise<void>;
  /** Stores chunk `index` and resolves only once it is durable (written and flushed / committed). */
  writeChunk(m: CacheManifest, index: number, bytes: Uint8Array): Promise<void>;
  /**
   * Only where a chunk can be stored piece by piece as it arrives (OPFS in a
   * worker): writes `bytes` at file offset `at` synchronously, not yet durable.
   * The download streams network pieces straight through it (no chunk buffer).
   */
  writePiece?(at: number, bytes: Uint8Array): void;
  /** Makes every piece written so far durable. Present with `writePiece`. */
  flushPieces?(): Promise<void>;
  /**
   * Records at once that chunk `index` (already marked in `m`) is durable, in
   * the entry's presence journal (journal.ts). Never rejects: a lost record
   * costs a re-fetch after a crash.
   */
  recordChunk(m: CacheManifest, index: number): Promise<void>;
  /** The stored manifest (with the journal's chunks), undefined when there is none; `CACHE_CORRUPT` when unreadable. */
  loadManifest(): Promise<CacheManifest | undefined>;
  /** Replaces the stored manifest atomically. */
  saveManifest(m: CacheManifest): Promise<void>;
  /** Drops every stored chunk (the manifest is left as it is). */
  clearData(): Promise<void>;
  /** Releases handles. Idempotent. */
  close(): Promise<void>;
  /** Closes and deletes the whole entry: manifest first, then the data. */
  destroy(): Promise<void>;
}

/** 32 hex digits of SHA-256(key): safe as a file name, an IndexedDB key prefix and a lock name. */
export async function entryId(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest).subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
