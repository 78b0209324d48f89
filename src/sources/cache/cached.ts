/**
 * `CachedSource`: a read-through cache in front of a remote PagerSource.
 *
 *   readInto(offset, target)
 *     chunks present  ──▶ store.read straight into target (OPFS in a worker: no copy)
 *     chunks missing  ──▶ remote.readInto (into target when the chunk lies inside it)
 *                         ──▶ store.writeChunk (write + flush)   durable
 *                         ──▶ mark the chunk's bit               present
 *                         ──▶ record it in the journal           remembered (journal.ts)
 *                         ──▶ save the manifest's JSON, now and then
 *
 * A crash between any two steps costs a re-fetch, never garbage: a bit is set
 * only after its bytes are durable. Missing chunks are fetched once however
 * many reads want them (single-flight per chunk), at most `fetchConcurrency`
 * at a time. The manifest records the remote's identity: a different one at
 * open, or a `SOURCE_CHANGED` from the remote mid-read, invalidates the entry
 * instead of mixing versions. One CachedSource per entry is open at a time in
 * the whole origin (Web Locks, cached-lock.ts): every open CachedSource holds
 * the entry's lock shared, and the one that may write also holds its write
 * lock until the entry is complete and checked. A second tab or worker that
 * opens the entry meanwhile waits for that, then reads the cached bytes
 * (OPFS sync handles opened `readwrite-unsafe`, which several contexts may
 * hold at once: the write lock is what keeps writers to one).
 */
import { GgufPagerError, isGgufPagerError } from '../../errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from '../source.ts';
import type { ChunkSink } from '../http/body.ts';

/** A remote that can stream a range piece by piece (HttpRangeSource). */
interface StreamingSource {
  streamRange(offset: number, length: number, sink: ChunkSink, opts?: ReadOptions): Promise<void>;
}
import { DEFAULT_NAMESPACE, entryId, type CacheStore, type CacheStoreKind } from './store.ts';
import { openOpfsCacheStore, readOpfsManifest } from './store-opfs.ts';
import { openIdbCacheStore, readIdbManifest } from './store-idb.ts';
import { lockName, tryLock, waitLock, writeLockName } from './lock.ts';
import { chunkLength, hasChunk, markChunk, newGen, newManifest, presentChunks, sameIdentity, type CacheManifest } from './manifest.ts';
import { ensureRoom, retryAfterEviction } from './storage.ts';
import { checkReadRange, isQuotaError, hasIndexedDb, hasOpfs, hasSyncAccessHandles, requireIndexedDb, throwIfAborted } from '../storage-env.ts';
import { IDB_DEFAULT_CHUNK_SIZE } from '../idb/source.ts';

/** Default chunk of OPFS entries: the unit of fetch, of durability and of resume. */
export const OPFS_DEFAULT_CHUNK_SIZE = 4 << 20;
export const DEFAULT_FETCH_CONCURRENCY = 4;
export const DEFAULT_WAIT_FOR_WRITER_MS = 30 * 60_000;
/** During a download the manifest is saved at most this often (and when the entry is complete). */
const PERSIST_EVERY_MS = 1000;
/** After a write failed for quota (nothing left to evict), reads pass through to the network this long before storing is tried again. */
const STORE_FULL_RETRY_MS = 30_000;

export interface CachedProgress {
  /** Bytes fetched from the remote by this CachedSource (whole chunks). */
  fromNetwork: number;
  /** Bytes answered from the store by this CachedSource. */
  fromCache: number;
  /** Bytes of the entry durably cached (from any session). */
  cachedBytes: number;
  /** Bytes fetched that could not be stored (storage full): reads of them go to the network again. */
  unstoredBytes?: number;
  totalBytes: number;
  chunksCached: number;
  chunksTotal: number;
}

export interface CachedSourceOptions {
  /** Names the entry; usually the URL. */
  key: string;
  /** `auto` (default): the store already holding `key`; else OPFS in a worker, IndexedDB on the page, OPFS where IndexedDB is missing. */
  store?: CacheStoreKind | 'auto';
  /** For a new entry; an existing entry keeps the chunk size it was made with. */
  chunkSize?: number;
  namespace?: string;
  fetchConcurrency?: number;
  onProgress?: (e: CachedProgress) => void;
  /** Aborts waiting for another tab's download. */
  signal?: AbortSignal;
  /** How long open waits for another tab or worker to finish writing the entry (default 30 min); then CACHE_IN_USE. */
  waitForWriterMs?: number;
  /** Instrumentation: wraps the store (tests inject failures with it). */
  wrapStore?: (store: CacheStore) => CacheStore;
}

export class CachedSource implements PagerSource {
  readonly name: string;
  private fromNetwork = 0;
  private fromCache = 0;
  /** Bytes read from the network that could not be stored (the quota was full). */
  private unstored = 0;
  /** Until then (ms since the epoch) missing bytes are read straight from the remote: the store was full. */
  private storeFullUntil = 0;
  private chunksCached: number;
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly slots: Slots;
  private stale: GgufPagerError | undefined;
  private closed = false;
  private invalidation: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private releaseWrite: (() => void) | undefined;
  private lastPersist = 0;
  private readOnly = false;

  private constructor(
    private readonly remote: PagerSource,
    private readonly store: CacheStore,
    private readonly manifest: CacheManifest,
    private readonly unlock: () => void,
    private readonly ns: string,
    private readonly opts: CachedSourceOptions,
  ) {
    this.name = `cached:${remote.name}`;
    this.chunksCached = presentChunks(manifest);
    this.slots = new Slots(Math.max(1, opts.fetchConcurrency ?? DEFAULT_FETCH_CONCURRENCY));
  }

  /**
   * Opens (or creates) the cache entry `opts.key` in front of `remote`, which
   * it takes over (close() closes it). Checks the remote identity against the
   * manifest and makes room for the missing bytes (evicting other models).
   */
  static async open(remote: PagerSource, opts: CachedSourceOptions): Promise<CachedSource> {
    if (typeof opts.key !== 'string' || opts.key.length === 0) {
      throw new GgufPagerError('INVALID_ARGUMENT', `cache key for ${remote.name} must be a non-empty string`);
    }
    const ns = opts.namespace ?? DEFAULT_NAMESPACE;
    const id = await entryId(opts.key);
    const releaseShared = await tryLock(lockName(ns, id), 'shared');
    if (!releaseShared) {
      throw new GgufPagerError('CACHE_IN_USE', `cache of ${opts.key} is being deleted (in this or another tab or worker)`, { key: opts.key });
    }
    let releaseWrite: (() => void) | undefined;
    let store: CacheStore | undefined;
    try {
      releaseWrite = await tryLock(writeLockName(ns, id));
      if (!releaseWrite) {
        // Another tab or worker is downloading this entry: wait until it is done, then read what it wrote.
        const waitMs = opts.waitForWriterMs ?? DEFAULT_WAIT_FOR_WRITER_MS;
        releaseWrite = await waitLock(writeLockName(ns, id), waitMs, opts.signal, opts.key);
        if (!releaseWrite) {
          throw new GgufPagerError('CACHE_IN_USE', `cache of ${opts.key} is being written by another tab or worker, still after ${waitMs} ms`, {
            key: opts.key,
            waitMs,
          });
        }
      }
      const kind = await chooseStore(opts.store ?? 'auto', ns, opts.key, id);
      store = kind === 'opfs' ? await openOpfsCacheStore(ns, opts.key, id) : openIdbCacheStore(ns, opts.key, id);
      if (opts.wrapStore) store = opts.wrapStore(store);
      const manifest = await loadOrStart(store, remote, opts, ns);
      try {
        await ensureRoom(manifest.identity.size - manifest.bytesCached, { namespace: ns, except: opts.key, what: opts.key });
      } catch (e) {
        if (manifest.bytesCached === 0) await store.destroy().catch(() => undefined);
        throw e;
      }
      const src = new CachedSource(remote, store, manifest, releaseShared, ns, opts);
      src.releaseWrite = releaseWrite;
      // A complete entry is only read from now on: let other tabs and workers open it too.
      if (manifest.bytesCached === manifest.identity.size) src.finishWriting();
      return src;
    } catch (e) {
      await store?.close().catch(() => undefined);
      releaseWrite?.();
      releaseShared();
      throw e;
    }
  }

  /**
   * Lets another tab or worker waiting to open this entry go ahead (it then
   * reads what is cached). Called once the download is complete and checked;
   * close() does it too. Fetching a missing chunk afterwards is refused.
   */
  finishWriting(): void {
    this.releaseWrite?.();
    this.releaseWrite = undefined;
    this.readOnly = true;
  }

  get size(): number {
    return this.manifest.identity.size;
  }

  get identity(): SourceIdentity {
    return this.remote.identity;
  }

  get key(): string {
    return this.manifest.key;
  }

  get storeKind(): CacheStoreKind {
    return this.store.kind;
  }

  get chunkSize(): number {
    return this.manifest.chunkSize;
  }

  /** True when cached bytes reach the target with no intermediate copy. */
  get zeroCopy(): boolean {
    return this.store.zeroCopy;
  }

  /** Whether chunk `i` is durably cached (a download skips it). */
  hasChunk(i: number): boolean {
    return hasChunk(this.manifest, i);
  }

  stats(): CachedProgress {
    return {
      fromNetwork: this.fromNetwork,
      fromCache: this.fromCache,
      cachedBytes: this.manifest.bytesCached,
      ...(this.unstored ? { unstoredBytes: this.unstored } : {}),
      totalBytes: this.size,
      chunksCached: this.chunksCached,
      chunksTotal: this.manifest.chunkCount,
    };
  }

  async readInto(offset: number, target: Uint8Array, opts: ReadOptions = {}): Promise<void> {
    this.checkUsable();
    checkReadRange(this.name, this.size, offset, target.length);
    throwIfAborted(opts.signal, `${this.name} read at ${offset}`);
    if (target.length === 0) return;
    const cs = this.manifest.chunkSize;
    const first = Math.floor(offset / cs);
    const last = Math.floor((offset + target.length - 1) / cs);
    const tasks: Array<Promise<boolean>> = [];
    let run = -1;
    for (let i = first; i <= last + 1; i++) {
      if (i <= last && hasChunk(this.manifest, i)) {
        if (run < 0) run = i;
        continue;
      }
      if (run >= 0) tasks.push(this.readPresent(run, i - 1, offset, target));
      run = -1;
      if (i <= last) tasks.push(this.obtain(i, offset, target, opts.signal));
    }
    const results = await Promise.allSettled(tasks);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (this.stale) {
      await this.invalidate();
      throw failed?.reason ?? this.stale;
    }
    if (results.some((r) => r.status === 'fulfilled' && r.value)) {
      // A manifest that cannot be saved for quota costs a re-fetch later (the journal has the chunks), not this read.
      await this.persist().catch((e: unknown) => {
        if (!isQuotaError(e)) throw e;
      });
    }
    if (failed) throw failed.reason;
  }

  /**
   * The download pipeline's step: caches chunk `i` unless it is present or
   * being fetched (then waits for it). Where the store takes pieces (OPFS in a
   * worker) and the remote streams (HTTP), the network's pieces go straight
   * into the store through one reused bounce buffer; otherwise through
   * `buffer()`, a chunk-sized buffer the caller owns and reuses. Resolves true
   * when this call fetched the chunk.
   */
  async download(i: number, buffer: () => Uint8Array, signal?: AbortSignal): Promise<boolean> {
    this.checkUsable();
    let step: Awaited<ReturnType<CachedSource['singleFlight']>>;
    try {
      step = await this.singleFlight(i, signal, () => this.downloadChunk(i, buffer, signal));
    } catch (e) {
      // Only once the fetch has left `inflight`: invalidate() waits for every fetch in flight, so waiting for it
      // inside the fetch (as the fetch's own catch) would wait for itself.
      if (this.stale) await this.invalidate();
      throw e;
    }
    if (step !== 'fetched') return false;
    // The manifest's JSON is saved at most once a second during a download (each save is a new writable file
    // in OPFS, and their memory waited for the GC: docs/memory.md); each chunk is in the journal already.
    if (Date.now() - this.lastPersist >= PERSIST_EVERY_MS || this.manifest.bytesCached === this.size) await this.persist();
    return true;
  }

  /**
   * Chunk `i`, fetched once whoever asks. Each turn: a cached chunk resolves 'present'; a fetch of it in flight is
   * waited for (another caller's abort is not ours: then look again, and maybe fetch it here); otherwise `start()`
   * begins the fetch, 'fetched' once it is done, or declines (null: 'declined'). The look for a fetch in flight and
   * the registration of a new one run in one synchronous step (no await between them), so two concurrent callers
   * never start two fetches of one chunk.
   */
  private async singleFlight(i: number, signal: AbortSignal | undefined, start: () => Promise<void> | null): Promise<'present' | 'fetched' | 'declined'> {
    for (;;) {
      this.checkStale();
      if (hasChunk(this.manifest, i)) return 'present';
      const pending = this.inflight.get(i);
      if (pending) {
        try {
          await pending;
        } catch (e) {
          if (!isGgufPagerError(e, 'SOURCE_ABORTED') || signal?.aborted) throw e;
        }
        continue;
      }
      const p = start();
      if (p === null) return 'declined';
      this.inflight.set(i, p);
      try {
        await p;
      } finally {
        this.inflight.delete(i);
      }
      return 'fetched';
    }
  }

  /** Bytes [offset, offset + target.length) from the store; every chunk they touch must be present. Not counted in stats. */
  async readCached(offset: number, target: Uint8Array): Promise<void> {
    this.checkUsable();
    checkReadRange(this.name, this.size, offset, target.length);
    const cs = this.manifest.chunkSize;
    for (let i = Math.floor(offset / cs); i * cs < offset + target.length; i++) {
      if (!hasChunk(this.manifest, i)) throw new GgufPagerError('INVALID_ARGUMENT', `${this.name}: chunk ${i} is not cached`, { key: this.key, chunk: i });
    }
    await this.store.read(this.manifest, offset, target);
  }

  /** The SHA-256 (hex) the whole entry was verified against, if it was. */
  get verifiedSha256(): string | undefined {
    return this.manifest.sha256;
  }

  /** Records that the whole entry hashes to `hex` (kept in the manifest). */
  async recordVerified(hex: string): Promise<void> {
    this.manifest.sha256 = hex;
    await this.persist();
  }

  /** Deletes the entry at once (bytes that failed a check); reads fail with `reason` from now on. */
  async discard(reason: GgufPagerError): Promise<void> {
    this.stale ??= reason;
    await this.invalidate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await Promise.allSettled([...this.inflight.values()]);
      if (this.stale) await this.invalidate();
      else {
        this.manifest.lastUsed = Date.now();
        await this.persist().catch(() => undefined);
        await this.store.close();
      }
    } finally {
      this.finishWriting();
      this.unlockOnce();
      await this.remote.close?.();
    }
  }

  /** Copies chunks [a, b] ∩ [offset, offset + target.length) from the store. Resolves false (nothing fetched). */
  private async readPresent(a: number, b: number, offset: number, target: Uint8Array): Promise<boolean> {
    const cs = this.manifest.chunkSize;
    const from = Math.max(offset, a * cs);
    const to = Math.min(offset + target.length, (b + 1) * cs);
    await this.store.read(this.manifest, from, target.subarray(from - offset, to - offset));
    this.fromCache += to - from;
    this.emit();
    return false;
  }

  /** Chunk `i`'s part of the target, fetched (once, whoever asks) or read from the store. True when this call fetched it. */
  private async obtain(i: number, offset: number, target: Uint8Array, signal: AbortSignal | undefined): Promise<boolean> {
    // While the store is full, nothing is fetched whole: the read goes through (readThrough).
    const step = await this.singleFlight(i, signal, () => (Date.now() < this.storeFullUntil ? null : this.fetchChunk(i, offset, target, signal)));
    if (step === 'fetched') return true;
    if (step === 'declined') return this.readThrough(i, offset, target, signal);
    return this.readPresent(i, i, offset, target);
  }

  /**
   * While the store is full: only chunk `i`'s part of the target, straight from the remote (no whole chunk
   * is fetched that cannot be kept, so no byte comes twice for one read). Resolves false (nothing stored).
   */
  private async readThrough(i: number, offset: number, target: Uint8Array, signal: AbortSignal | undefined): Promise<boolean> {
    const cs = this.manifest.chunkSize;
    const from = Math.max(offset, i * cs);
    const to = Math.min(offset + target.length, i * cs + chunkLength(this.manifest, i));
    await this.slots.run(() => this.fetchRemote(from, target.subarray(from - offset, to - offset), signal));
    this.fromNetwork += to - from;
    this.unstored += to - from;
    this.emit();
    return false;
  }

  private async fetchChunk(i: number, offset: number, target: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    this.checkWritable(i);
    const m = this.manifest;
    const start = i * m.chunkSize;
    const len = chunkLength(m, i);
    const at = start - offset;
    const inside = at >= 0 && at + len <= target.length;
    let stored = true;
    await this.slots.run(async () => {
      throwIfAborted(signal, `${this.name} chunk ${i} at ${start}`);
      this.checkStale();
      const buf = inside ? target.subarray(at, at + len) : new Uint8Array(len);
      await this.fetchRemote(start, buf, signal);
      this.fromNetwork += len;
      if (!inside) {
        const from = Math.max(offset, start);
        const to = Math.min(offset + target.length, start + len);
        target.set(buf.subarray(from - start, to - start), from - offset);
      }
      this.checkStale();
      try {
        await retryAfterEviction(() => this.store.writeChunk(m, i, buf), { namespace: this.ns, except: this.key, needed: len });
      } catch (e) {
        // The storage is full and nothing else may be evicted: the read is answered from the network all the same.
        if (!isQuotaError(e)) throw e;
        stored = false;
      }
    });
    if (!stored) {
      this.unstored += len;
      this.storeFullUntil = Date.now() + STORE_FULL_RETRY_MS;
    }
    if (this.stale || !stored) return;
    markChunk(m, i);
    this.chunksCached++;
    await this.store.recordChunk(m, i);
    this.emit();
  }

  private async downloadChunk(i: number, buffer: () => Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    this.checkWritable(i);
    const m = this.manifest;
    const start = i * m.chunkSize;
    const len = chunkLength(m, i);
    const { writePiece, flushPieces } = this.store;
    const remote = this.remote as PagerSource & Partial<StreamingSource>;
    const eviction = { namespace: this.ns, except: this.key, needed: len };
    await this.slots.run(async () => {
      throwIfAborted(signal, `${this.name} chunk ${i} at ${start}`);
      this.checkStale();
      if (writePiece && flushPieces && typeof remote.streamRange === 'function') {
        await retryAfterEviction(async () => {
          let failed: unknown;
          const stop = new AbortController();
          const sig = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
          const toStore = (piece: Uint8Array, at: number) => {
            if (failed !== undefined) return;
            try {
              writePiece.call(this.store, at, piece);
            } catch (e) {
              failed = e;
              stop.abort();
            }
          };
          try {
            await remote.streamRange!(start, len, toStore, { signal: sig });
          } catch (e) {
            if (failed !== undefined) throw failed;
            if (isGgufPagerError(e, 'SOURCE_CHANGED')) this.stale ??= e;
            throw e;
          }
          if (failed !== undefined) throw failed;
          this.checkStale();
          await flushPieces.call(this.store);
        }, eviction);
      } else {
        const buf = buffer().subarray(0, len);
        await this.fetchRemote(start, buf, signal);
        this.checkStale();
        await retryAfterEviction(() => this.store.writeChunk(m, i, buf), eviction);
      }
      this.fromNetwork += len;
    });
    if (this.stale) return;
    markChunk(m, i);
    this.chunksCached++;
    await this.store.recordChunk(m, i);
    this.emit();
  }

  private async fetchRemote(start: number, buf: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    try {
      await this.remote.readInto(start, buf, { signal });
    } catch (e) {
      if (isGgufPagerError(e, 'SOURCE_CHANGED')) this.stale ??= e;
      throw e;
    }
  }

  /** Saves the manifest now (after every chunk marked so far). */
  saveManifest(): Promise<void> {
    return this.persist();
  }

  /** Saves the manifest after every mark so far; calls made while a save runs share the next one. */
  private persist(): Promise<void> {
    this.lastPersist = Date.now();
    if (!this.queued) {
      const q = this.saving.then(async () => {
        this.queued = undefined;
        if (this.stale) return;
        await retryAfterEviction(() => this.store.saveManifest(this.manifest), { namespace: this.ns, except: this.key, needed: 0 });
      });
      this.queued = q;
      this.saving = q.catch(() => undefined);
    }
    return this.queued;
  }

  /**
   * Deletes the entry once the reads in flight have settled, then lets go of
   * its locks: this source never touches the entry again, and the next open
   * of the key (in this or another tab) starts it afresh. Idempotent.
   */
  private invalidate(): Promise<void> {
    this.invalidation ??= (async () => {
      try {
        await Promise.allSettled([...this.inflight.values()]);
        await this.saving;
        await this.store.destroy();
      } finally {
        this.finishWriting();
        this.unlockOnce();
      }
    })();
    return this.invalidation;
  }

  /** True once the entry was found stale or discarded: every read fails, and a new load must open the key again. */
  get invalid(): boolean {
    return this.stale !== undefined;
  }

  private unlocked = false;

  private unlockOnce(): void {
    if (this.unlocked) return;
    this.unlocked = true;
    this.unlock();
  }

  /** Reads may start only while open; reads in flight finish even while close() waits for them. */
  private checkUsable(): void {
    if (this.closed) throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: closed`, { key: this.key });
    this.checkStale();
  }

  private checkWritable(i: number): void {
    if (this.readOnly)
      throw new GgufPagerError('CACHE_IN_USE', `${this.name}: chunk ${i} is missing, but this entry was opened for reading only`, { key: this.key, chunk: i });
  }

  private checkStale(): void {
    if (this.stale && this.stale.code !== 'SOURCE_CHANGED') throw this.stale;
    if (this.stale) {
      throw new GgufPagerError(
        'SOURCE_CHANGED',
        `${this.name}: the remote file changed; its cache entry ${this.key} was invalidated (open it again)`,
        { key: this.key },
        { cause: this.stale },
      );
    }
  }

  private emit(): void {
    try {
      this.opts.onProgress?.(this.stats());
    } catch {
      // A throwing progress callback must not break a read.
    }
  }
}

async function chooseStore(pref: CacheStoreKind | 'auto', ns: string, key: string, id: string): Promise<CacheStoreKind> {
  if (pref === 'opfs') {
    if (!hasOpfs()) throw new GgufPagerError('STORAGE_UNAVAILABLE', `cache of ${key}: OPFS is not available here`, { key });
    return 'opfs';
  }
  if (pref === 'idb') {
    requireIndexedDb(`cache of ${key}`);
    return 'idb';
  }
  if (hasOpfs() && (await readOpfsManifest(ns, id, key).catch(() => undefined))) return 'opfs';
  if (hasIndexedDb() && (await readIdbManifest(ns, key).catch(() => undefined))) return 'idb';
  if (hasOpfs() && hasSyncAccessHandles()) return 'opfs';
  if (hasIndexedDb()) return 'idb';
  if (hasOpfs()) return 'opfs';
  throw new GgufPagerError('STORAGE_UNAVAILABLE', `cache of ${key}: neither OPFS nor IndexedDB is available here`, { key });
}

/**
 * The entry's manifest when it describes this remote version; otherwise a new,
 * empty one, saved BEFORE the old data is dropped (a crash in between leaves an
 * empty manifest over stale bytes: nothing is trusted, nothing is mixed).
 */
async function loadOrStart(store: CacheStore, remote: PagerSource, opts: CachedSourceOptions, ns: string): Promise<CacheManifest> {
  let m: CacheManifest | undefined;
  try {
    m = await store.loadManifest();
  } catch (e) {
    if (!isGgufPagerError(e, 'CACHE_CORRUPT')) throw e;
  }
  const save = (x: CacheManifest) => retryAfterEviction(() => store.saveManifest(x), { namespace: ns, except: opts.key, needed: 0 });
  if (m && m.store === store.kind && sameIdentity(m.identity, remote.identity)) {
    m.lastUsed = Date.now();
    m.gen ??= newGen(); // an entry from before journals: its journal starts now
    await save(m);
    return m;
  }
  const chunkSize = opts.chunkSize ?? (store.kind === 'idb' ? IDB_DEFAULT_CHUNK_SIZE : OPFS_DEFAULT_CHUNK_SIZE);
  const fresh = newManifest(opts.key, store.kind, remote.identity, chunkSize);
  await save(fresh);
  await store.clearData();
  return fresh;
}

/** At most `n` tasks at a time, started in arrival order. */
class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly n: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
