/**
 * A cache entry in IndexedDB (idb-keyval custom stores), two databases per
 * namespace because idb-keyval's createStore makes one object store per database:
 *
 *   <namespace>-chunks / chunks          `${id}:${i}` → ArrayBuffer of chunk i
 *                                        `${id}:journal` → presence journal (journal.ts)
 *   <namespace>-manifests / manifests    key → manifest JSON (one put: atomic)
 *
 * Each chunk is its own committed transaction, so a chunk is durable when its
 * `set` resolves (Chromium's default "relaxed" durability: safe against a tab
 * or browser crash, not necessarily against power loss).
 */
import { createStore, del, entries, get, keys, set, type UseStore } from 'idb-keyval';
import type { CacheStore } from './store.ts';
import { decodeManifest, encodeManifest, mergeJournal, type CacheManifest } from './manifest.ts';
import { JournalQueue, decodeJournal, encodeJournal } from './journal.ts';
import { entryId } from './store.ts';
import { deleteKeyRange, readChunksInto, writeChunks } from '../idb/chunks.ts';
import { requireIndexedDb, storageError } from '../storage-env.ts';
import { GgufPagerError } from '../../errors.ts';

interface Stores {
  chunks: UseStore;
  manifests: UseStore;
}

const byNamespace = new Map<string, Stores>();

function stores(ns: string): Stores {
  requireIndexedDb(`cache ${ns}`);
  let s = byNamespace.get(ns);
  if (!s) {
    s = { chunks: createStore(`${ns}-chunks`, 'chunks'), manifests: createStore(`${ns}-manifests`, 'manifests') };
    byNamespace.set(ns, s);
  }
  return s;
}

const journalKey = (id: string) => `${id}:journal`;

/** ORs the entry's journal (chunks recorded durable since the JSON was saved) into `m`. */
async function withJournal(ns: string, m: CacheManifest): Promise<CacheManifest> {
  let raw: unknown;
  try {
    raw = await get(journalKey(await entryId(m.key)), stores(ns).chunks);
  } catch {
    return m; // unreadable: the JSON alone is used
  }
  const j = decodeJournal(raw instanceof ArrayBuffer ? new Uint8Array(raw) : undefined);
  mergeJournal(m, j?.gen, j?.bits);
  return m;
}

export async function readIdbManifest(ns: string, key: string): Promise<CacheManifest | undefined> {
  let raw: unknown;
  try {
    raw = await get(key, stores(ns).manifests);
  } catch (e) {
    throw storageError(e, `idb:${ns}: manifest of ${key}`, { key });
  }
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new GgufPagerError('CACHE_CORRUPT', `cache manifest of ${key}: not a string`, { key });
  return withJournal(ns, decodeManifest(raw, key));
}

/** Every manifest in the namespace, with its key; unreadable ones come back as errors. */
export async function listIdbManifests(ns: string): Promise<Array<{ key: string; manifest?: CacheManifest; error?: unknown }>> {
  let all: Array<[IDBValidKey, unknown]>;
  try {
    all = await entries(stores(ns).manifests);
  } catch (e) {
    throw storageError(e, `idb:${ns}: listing manifests`);
  }
  return Promise.all(
    all.map(async ([k, v]) => {
      const key = String(k);
      try {
        if (typeof v !== 'string') throw new GgufPagerError('CACHE_CORRUPT', `cache manifest of ${key}: not a string`, { key });
        return { key, manifest: await withJournal(ns, decodeManifest(v, key)) };
      } catch (error) {
        return { key, error };
      }
    }),
  );
}

/** Removes the manifest of `key` first, then its chunks (a crash in between leaves only unreferenced chunks). */
export async function removeIdbCacheEntry(ns: string, key: string, id: string): Promise<boolean> {
  const s = stores(ns);
  try {
    const existed = (await get(key, s.manifests)) !== undefined;
    await del(key, s.manifests);
    await deleteKeyRange(s.chunks, id);
    return existed;
  } catch (e) {
    throw storageError(e, `idb:${ns}: deleting ${key}`, { key });
  }
}

/**
 * Ids that own chunks but no manifest: what a deletion cut short between
 * its two steps leaves. `withManifest` holds the ids that have one.
 */
export async function listIdbOrphanIds(ns: string, withManifest: Set<string>): Promise<string[]> {
  let all: IDBValidKey[];
  try {
    all = await keys(stores(ns).chunks);
  } catch (e) {
    throw storageError(e, `idb:${ns}: listing chunks`);
  }
  const ids = new Set<string>();
  for (const k of all) {
    const id = String(k).split(':')[0];
    if (!withManifest.has(id)) ids.add(id);
  }
  return [...ids];
}

/** Deletes the chunks of `id` (an entry without manifest). */
export async function removeIdbOrphan(ns: string, id: string): Promise<boolean> {
  try {
    await deleteKeyRange(stores(ns).chunks, id);
    return true;
  } catch (e) {
    throw storageError(e, `idb:${ns}: deleting chunks of ${id}`, { id });
  }
}

export function openIdbCacheStore(ns: string, key: string, id: string): CacheStore {
  return new IdbCacheStore(ns, key, id, stores(ns));
}

class IdbCacheStore implements CacheStore {
  readonly kind = 'idb' as const;
  readonly zeroCopy = false;
  private readonly journal = new JournalQueue();

  constructor(
    private readonly ns: string,
    readonly key: string,
    readonly id: string,
    private readonly s: Stores,
  ) {}

  read(m: CacheManifest, offset: number, target: Uint8Array): Promise<void> {
    return readChunksInto(this.s.chunks, this.file(m), offset, target);
  }

  writeChunk(m: CacheManifest, index: number, bytes: Uint8Array): Promise<void> {
    return writeChunks(this.s.chunks, this.file(m), index, bytes);
  }

  recordChunk(m: CacheManifest): Promise<void> {
    const gen = m.gen;
    if (!gen) return Promise.resolve();
    // Each write takes the bitmap as it is when it runs: it holds every bit recorded before it.
    return this.journal.run(() => set(journalKey(this.id), encodeJournal(gen, m.present).buffer, this.s.chunks));
  }

  loadManifest(): Promise<CacheManifest | undefined> {
    return readIdbManifest(this.ns, this.key);
  }

  async saveManifest(m: CacheManifest): Promise<void> {
    try {
      await set(this.key, encodeManifest(m), this.s.manifests);
    } catch (e) {
      if ((e as { name?: string })?.name === 'QuotaExceededError') throw e;
      throw storageError(e, `idb:${this.ns}: manifest of ${this.key}`, { key: this.key });
    }
  }

  async clearData(): Promise<void> {
    try {
      await deleteKeyRange(this.s.chunks, this.id);
    } catch (e) {
      throw storageError(e, `idb:${this.ns}: clearing ${this.key}`, { key: this.key });
    }
  }

  async close(): Promise<void> {}

  async destroy(): Promise<void> {
    await removeIdbCacheEntry(this.ns, this.key, this.id);
  }

  private file(m: CacheManifest) {
    return { key: this.id, name: `idb-cache:${this.key}`, size: m.identity.size, chunkSize: m.chunkSize };
  }
}
