/**
 * Storage management for the model cache: what is cached, deleting it, the
 * origin's quota, and making room by evicting the least-recently-used OTHER
 * models (by their manifests' last-used time). An entry open in some tab or
 * worker holds its Web Lock (cached-lock.ts) and is never evicted or deleted.
 */
import { GgufPagerError } from '../../errors.ts';
import { DEFAULT_NAMESPACE, entryId, type CacheStoreKind } from './store.ts';
import { listOpfsEntryIds, readOpfsManifest, removeOpfsCacheEntry } from './store-opfs.ts';
import { listIdbManifests, listIdbOrphanIds, readIdbManifest, removeIdbCacheEntry, removeIdbOrphan } from './store-idb.ts';
import { holders, lockName, withLockIfFree } from './lock.ts';
import { hasIndexedDb, hasOpfs, isQuotaError } from '../storage-env.ts';
import { estimate, type StorageNumbers } from './storage-estimate.ts';
import { sameIdentity, type CacheManifest } from './manifest.ts';
import type { SourceIdentity } from '../source.ts';

export { estimate, persist, type StorageNumbers } from './storage-estimate.ts';

export interface CachedEntryInfo {
  /** The cache key (usually the model's URL). */
  key: string;
  /** Size of the remote file. */
  size: number;
  /** Bytes durably cached so far. */
  bytesCached: number;
  /** Milliseconds since the epoch. */
  lastUsed: number;
  store: CacheStoreKind;
  chunkSize: number;
  etag?: string;
  lastModified?: string;
}

export interface NamespaceOptions {
  /** Which cache (OPFS directory / IndexedDB database prefix). Default `gguf-pager-cache`. */
  namespace?: string;
}

/** An entry found on disk; `info` is missing when its manifest is absent or unreadable. */
interface Found {
  store: CacheStoreKind;
  id: string;
  key?: string;
  info?: CachedEntryInfo;
}

export function entryInfo(m: CacheManifest): CachedEntryInfo {
  const info: CachedEntryInfo = { key: m.key, size: m.identity.size, bytesCached: m.bytesCached, lastUsed: m.lastUsed, store: m.store, chunkSize: m.chunkSize };
  if (m.identity.etag !== undefined) info.etag = m.identity.etag;
  if (m.identity.lastModified !== undefined) info.lastModified = m.identity.lastModified;
  return info;
}

async function findOpfs(ns: string): Promise<Found[]> {
  if (!hasOpfs()) return [];
  const out: Found[] = [];
  for (const id of await listOpfsEntryIds(ns)) {
    const m = await readOpfsManifest(ns, id).catch(() => undefined);
    const valid = m !== undefined && (await entryId(m.key)) === id;
    out.push(valid ? { store: 'opfs', id, key: m.key, info: entryInfo(m) } : { store: 'opfs', id });
  }
  return out;
}

async function findIdb(ns: string, orphans = false): Promise<Found[]> {
  if (!hasIndexedDb()) return [];
  const out: Found[] = [];
  for (const { key, manifest } of await listIdbManifests(ns)) {
    out.push({ store: 'idb', id: await entryId(key), key, info: manifest && entryInfo(manifest) });
  }
  if (orphans) {
    for (const id of await listIdbOrphanIds(ns, new Set(out.map((f) => f.id)))) out.push({ store: 'idb', id });
  }
  return out;
}

/** Every entry; with `orphans`, also IndexedDB chunks whose manifest is gone. */
async function findAll(ns: string, orphans = false): Promise<Found[]> {
  return [...(await findOpfs(ns)), ...(await findIdb(ns, orphans))];
}

async function remove(ns: string, f: Found): Promise<boolean> {
  if (f.store === 'opfs') return removeOpfsCacheEntry(ns, f.id);
  return f.key === undefined ? removeIdbOrphan(ns, f.id) : removeIdbCacheEntry(ns, f.key, f.id);
}

/**
 * Whether `key` has a cache entry in `store` ('auto': either) that holds this
 * remote version (same identity): opening it reuses it instead of starting over.
 */
export async function hasCachedVersion(key: string, identity: SourceIdentity, store: CacheStoreKind | 'auto', opts: NamespaceOptions = {}): Promise<boolean> {
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  const found: Array<CacheManifest | undefined> = [];
  if (store !== 'idb' && hasOpfs()) found.push(await readOpfsManifest(ns, await entryId(key), key).catch(() => undefined));
  if (store !== 'opfs' && hasIndexedDb()) found.push(await readIdbManifest(ns, key).catch(() => undefined));
  return found.some((m) => m !== undefined && sameIdentity(m.identity, identity));
}

/** The cached models, most recently used first. */
export async function listCached(opts: NamespaceOptions = {}): Promise<CachedEntryInfo[]> {
  const found = await findAll(opts.namespace ?? DEFAULT_NAMESPACE);
  return found.flatMap((f) => (f.info ? [f.info] : [])).sort((a, b) => b.lastUsed - a.lastUsed);
}

/**
 * Deletes the cached copy of `key` from both stores. Resolves to whether there
 * was one; `CACHE_IN_USE` while a CachedSource (any tab or worker) has it open.
 */
export async function deleteCached(key: string, opts: NamespaceOptions = {}): Promise<boolean> {
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  const id = await entryId(key);
  const done = await withLockIfFree(lockName(ns, id), async () => {
    const inOpfs = hasOpfs() ? await removeOpfsCacheEntry(ns, id) : false;
    const inIdb = hasIndexedDb() ? await removeIdbCacheEntry(ns, key, id) : false;
    return inOpfs || inIdb;
  });
  if (!done) throw new GgufPagerError('CACHE_IN_USE', `cannot delete the cache of ${key}: it is open (in this or another tab or worker)`, { key });
  return done.value;
}

/**
 * `CACHE_IN_USE` when the entry of `key` is open by more CachedSources than
 * the `ownOpen` this context has: another tab or worker reads it. Lets a
 * runtime refuse a deletion before it unloads its own models.
 */
export async function checkNotOpenElsewhere(key: string, ownOpen: number, opts: NamespaceOptions = {}): Promise<void> {
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  const n = await holders(lockName(ns, await entryId(key)));
  if (n > ownOpen) throw new GgufPagerError('CACHE_IN_USE', `cannot delete the cache of ${key}: another tab or worker has it open`, { key, holders: n });
}

/**
 * Deletes every cached model that is not open anywhere, including entries
 * whose manifest is missing or unreadable and chunks a cut-short deletion left. Returns the keys (or, for entries
 * without a readable manifest, ids) deleted and those skipped because in use.
 */
export async function clearCached(opts: NamespaceOptions = {}): Promise<{ deleted: string[]; inUse: string[] }> {
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  const deleted: string[] = [];
  const inUse: string[] = [];
  for (const f of await findAll(ns, true)) {
    const done = await withLockIfFree(lockName(ns, f.id), () => remove(ns, f));
    (done ? deleted : inUse).push(f.key ?? f.id);
  }
  return { deleted, inUse };
}

/** Cached models other than `except`, least recently used first (open ones included: locks are checked on eviction). */
async function evictionCandidates(ns: string, except: string | undefined): Promise<Array<Found & { info: CachedEntryInfo }>> {
  return (await findAll(ns))
    .filter((f): f is Found & { info: CachedEntryInfo } => f.info !== undefined && f.key !== except)
    .sort((a, b) => a.info.lastUsed - b.info.lastUsed);
}

/** Evicts the first candidate not open anywhere; undefined when every one is open. */
async function evictFirstFree(ns: string, candidates: Array<Found & { info: CachedEntryInfo }>): Promise<CachedEntryInfo | undefined> {
  while (candidates.length > 0) {
    const f = candidates.shift() as Found & { info: CachedEntryInfo };
    if (await withLockIfFree(lockName(ns, f.id), () => remove(ns, f))) {
      evictions++;
      return f.info;
    }
  }
  return undefined;
}

/**
 * Evicts the least-recently-used cached model other than `except` that is not
 * open anywhere. Returns what it evicted, or undefined when nothing could be.
 */
export async function evictLeastRecentlyUsed(opts: NamespaceOptions & { except?: string }): Promise<CachedEntryInfo | undefined> {
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  return evictFirstFree(ns, await evictionCandidates(ns, opts.except));
}

/**
 * Makes `needed` bytes available (per `navigator.storage.estimate()`) by
 * evicting least-recently-used other models. The estimate over-reports
 * (10.7 GB under a 100 MB quota override was seen), so it decides only what
 * is certain: `STORAGE_QUOTA` when `needed` exceeds the whole quota it
 * reports. Otherwise the writes decide (retryAfterEviction). Resolves to the
 * final numbers, or undefined where the browser offers no estimate.
 */
export async function ensureRoom(needed: number, opts: NamespaceOptions & { except?: string; what?: string }): Promise<StorageNumbers | undefined> {
  const est = await estimate().catch((e: unknown) => {
    if ((e as GgufPagerError).code === 'STORAGE_UNAVAILABLE') return undefined;
    throw e;
  });
  if (!est || est.available >= needed) return est;
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  const candidates = await evictionCandidates(ns, opts.except);
  const evictable = candidates.reduce((n, f) => n + f.info.bytesCached, 0);
  let available = est.available;
  const evicted: string[] = [];
  // Evict nothing when even all of it would not be enough.
  while (available < needed && available + evictable >= needed) {
    const victim = await evictFirstFree(ns, candidates);
    if (!victim) break;
    evicted.push(victim.key);
    available += victim.bytesCached;
  }
  if (available >= needed || needed <= est.quota) return { ...est, available };
  throw new GgufPagerError(
    'STORAGE_QUOTA',
    `${opts.what ?? 'cache'}: needs ${needed} bytes of storage, ${available} available (usage ${est.usage} of quota ${est.quota}, ${evictable} more held by other cached models${evicted.length ? `; evicted ${evicted.join(', ')}` : ''})`,
    { needed, available, usage: est.usage, quota: est.quota, evictable, evicted },
  );
}

/** Evictions made by this context so far: a write that failed before the latest one may succeed now. */
let evictions = 0;
/** Eviction steps run one at a time in this context (concurrent chunk writes fail together). */
let evicting: Promise<unknown> = Promise.resolve();

/**
 * One eviction for a write that failed when `seen` evictions had been made:
 * 'retry' when another write's eviction freed room meanwhile, else the victim
 * (undefined: nothing can be evicted).
 */
function evictionStep(seen: number, opts: NamespaceOptions & { except: string }): Promise<CachedEntryInfo | undefined | 'retry'> {
  const step = evicting.then(async () => {
    if (evictions !== seen) return 'retry' as const;
    return evictLeastRecentlyUsed(opts);
  });
  evicting = step.catch(() => undefined);
  return step;
}

/**
 * Runs a store write; on a quota failure (the real `QuotaExceededError`)
 * evicts the least-recently-used other model and tries again, until the write
 * succeeds or nothing is left to evict: then `STORAGE_QUOTA` with the numbers.
 */
export async function retryAfterEviction<T>(op: () => Promise<T>, opts: NamespaceOptions & { except: string; needed: number }): Promise<T> {
  const evicted: string[] = [];
  for (;;) {
    const seen = evictions;
    try {
      return await op();
    } catch (e) {
      if (!isQuotaError(e)) throw e;
      const victim = await evictionStep(seen, opts);
      if (victim === 'retry') continue;
      if (victim) {
        evicted.push(victim.key);
        continue;
      }
      const est = await estimate().catch(() => undefined);
      throw new GgufPagerError(
        'STORAGE_QUOTA',
        `${opts.except}: storage quota exceeded writing ${opts.needed} bytes, and no other cached model can be evicted${evicted.length ? ` (evicted ${evicted.join(', ')})` : ''}${est ? ` (the browser's estimate, which can over-report: ${est.available} of ${est.quota} bytes available)` : ''}`,
        { needed: opts.needed, available: est?.available, usage: est?.usage, quota: est?.quota, evicted },
        { cause: e },
      );
    }
  }
}
