/**
 * ModelCache: the runtime's bounded cache of loaded models (the seed's
 * `ModelCache` in model_cache.rs, written fresh for one event loop: a Worker
 * or Node). A model is whatever the loader returns (a GGUF index + LayerPager);
 * the cache only needs its size (`sizeOf`) and how to release it (`dispose`,
 * which frees its arena memory and KV pages).
 *
 * Rules, each with a test:
 * - `getOrInsert` is single-flight per key: concurrent callers of one key share
 *   one loader call; a slow loader of one key never delays another key; a
 *   failed load caches nothing and the next call retries. Callers get the
 *   cached model itself, not a copy.
 * - Eviction order is least recently used (longest idle first). After an
 *   insertion the cache evicts until it holds at most `maxModels` entries and,
 *   with `evictOnMemoryPressure`, until `totalMemoryBytes() ≤ memoryBudgetBytes`,
 *   recomputing the total after every eviction (so it evicts only as many as needed).
 * - A model that alone is larger than the budget is refused with
 *   `MODEL_OVER_BUDGET` before anything is evicted; it is disposed, not cached.
 * - `maxModels` must be an integer ≥ 1: 0 is refused at construction with
 *   `INVALID_ARGUMENT` (a cache that keeps nothing cannot share a model).
 * - Leases: `acquire` pins an entry. A leased entry is never evicted by the
 *   limits or by TTL (it is in use, so it is not idle); when only leased
 *   entries are left the cache stays over its limits and enforces them again
 *   at the next release. An explicit `evict(key)` or `clear()` removes a leased
 *   entry from the cache at once but calls `dispose` only when its last lease
 *   is released; until then its bytes still count in `totalMemoryBytes()`.
 *   `getOrInsert` and `get` take no lease: the model they return may be
 *   evicted and disposed at any later eviction.
 * - `dispose` errors are kept, not swallowed: `drain()` (and `clear()`) rethrow them.
 */
import { GgufPagerError } from '../errors.ts';

export interface ModelCacheOptions<M> {
  /** Most models kept at once; an integer ≥ 1. Default 4 (the seed's). */
  maxModels?: number;
  /** An entry idle this long (ms) is stale. 0: every entry is stale at once; Infinity: never. Default one hour. */
  ttlMs?: number;
  /** Whether `memoryBudgetBytes` is enforced. Default true. */
  evictOnMemoryPressure?: boolean;
  /** Ceiling on the summed `sizeOf` of the models held; none when undefined. */
  memoryBudgetBytes?: number;
  /** Monotonic clock in ms; injectable for tests. Default `performance.now`. */
  now?: () => number;
  /** Bytes a loaded model holds (arena tensors + KV pages). */
  sizeOf: (model: M) => number;
  /** Releases a model's memory once it leaves the cache and no lease holds it. */
  dispose?: (model: M, key: string) => void | Promise<void>;
}

/** Loads one model. `signal` aborts when the load is cancelled by `evict(key)` or `clear()`. */
export type ModelLoader<M> = (signal: AbortSignal) => Promise<M>;

/** A pin on a cached model: it is not evicted or disposed until `release()`. */
export interface ModelLease<M> {
  readonly key: string;
  readonly model: M;
  /** Ends the lease; a second call throws `MODEL_BAD_LEASE`. */
  release(): void;
}

export interface ModelCacheStats {
  cachedModels: number;
  /** Lookups served without a loader call (from the cache or a shared in-flight load). */
  totalHits: number;
  /** Loader calls. */
  totalMisses: number;
  /** totalHits / (totalHits + totalMisses); 0 before any lookup. */
  hitRate: number;
  /** Bytes of cached models plus evicted models still held by a lease. */
  totalMemoryBytes: number;
  /** Whole seconds since the oldest cached entry was loaded; null when empty. */
  oldestEntryAgeSecs: number | null;
  /** Cached entries with at least one lease. */
  leasedModels: number;
  /** Evicted entries whose dispose waits for their last lease. */
  retiredModels: number;
}

interface Entry<M> {
  readonly key: string;
  readonly model: M;
  readonly bytes: number;
  readonly loadedAt: number;
  lastUsed: number;
  leases: number;
}

interface Flight<M> {
  readonly controller: AbortController;
  /** Leases to take on the entry the moment it is inserted (acquirers waiting on this load). */
  pendingLeases: number;
  cancelled: boolean;
  readonly promise: Promise<Entry<M>>;
}

const DEFAULT_MAX_MODELS = 4;
const DEFAULT_TTL_MS = 3_600_000;

export class ModelCache<M> {
  readonly maxModels: number;
  readonly ttlMs: number;
  readonly evictOnMemoryPressure: boolean;
  readonly memoryBudgetBytes: number | undefined;
  private readonly now: () => number;
  private readonly sizeOf: (model: M) => number;
  private readonly disposeFn: ((model: M, key: string) => void | Promise<void>) | undefined;
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry<M>>();
  private readonly flights = new Map<string, Flight<M>>();
  private readonly retired = new Set<Entry<M>>();
  private readonly pendingDisposals = new Set<Promise<void>>();
  private disposeErrors: unknown[] = [];
  private cachedBytes = 0;
  private retiredBytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(options: ModelCacheOptions<M>) {
    this.maxModels = options.maxModels ?? DEFAULT_MAX_MODELS;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.evictOnMemoryPressure = options.evictOnMemoryPressure ?? true;
    this.memoryBudgetBytes = options.memoryBudgetBytes;
    this.now = options.now ?? (() => performance.now());
    this.sizeOf = options.sizeOf;
    this.disposeFn = options.dispose;
    validateOptions(this);
  }

  /** The cached model for `key`, or the loader's result, shared by concurrent callers. No lease. */
  async getOrInsert(key: string, loader: ModelLoader<M>): Promise<M> {
    return (await this.lookup(key, loader, false)).model;
  }

  /** Like `getOrInsert`, and pins the entry until the lease is released. */
  async acquire(key: string, loader: ModelLoader<M>): Promise<ModelLease<M>> {
    const entry = await this.lookup(key, loader, true);
    return this.makeLease(entry);
  }

  /** The fresh cached model for `key` (marking it used), or undefined. Does not count as a hit or miss. */
  get(key: string): M | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || this.isStale(entry)) return undefined;
    this.touch(entry);
    return entry.model;
  }

  /** Keys and models of the cached entries (stale ones included), least recently used first. Does not mark them used. */
  entriesSnapshot(): Array<[string, M]> {
    return [...this.entries].map(([k, e]) => [k, e.model]);
  }

  /** Whether a fresh (not stale) entry is cached for `key`. Does not mark it used. */
  contains(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && !this.isStale(entry);
  }

  /**
   * Removes `key` now (a leased entry is disposed at its last release) and
   * cancels an in-flight load of it. True when there was an entry or a load.
   */
  evict(key: string): boolean {
    const cancelled = this.cancelFlight(key);
    const entry = this.entries.get(key);
    if (entry !== undefined) this.retire(entry);
    return cancelled || entry !== undefined;
  }

  /** Evicts every stale entry; returns how many. Leased entries are never stale. */
  evictStale(): number {
    const stale = [...this.entries.values()].filter((e) => this.isStale(e));
    for (const entry of stale) this.retire(entry);
    return stale.length;
  }

  /** Evicts everything, cancels in-flight loads, and waits for the disposals it could start. */
  clear(): Promise<void> {
    for (const key of [...this.flights.keys()]) this.cancelFlight(key);
    for (const entry of [...this.entries.values()]) this.retire(entry);
    return this.drain();
  }

  /** Waits until every dispose started so far has settled; rethrows their errors (AggregateError if several). */
  async drain(): Promise<void> {
    while (this.pendingDisposals.size > 0) await Promise.all([...this.pendingDisposals]);
    const errors = this.disposeErrors;
    this.disposeErrors = [];
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} model disposals failed`);
  }

  get len(): number {
    return this.entries.size;
  }

  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }

  totalMemoryBytes(): number {
    return this.cachedBytes + this.retiredBytes;
  }

  stats(): ModelCacheStats {
    const t = this.now();
    let oldest: number | null = null;
    let leased = 0;
    for (const e of this.entries.values()) {
      const age = Math.floor(Math.max(0, t - e.loadedAt) / 1000);
      oldest = oldest === null ? age : Math.max(oldest, age);
      if (e.leases > 0) leased++;
    }
    return {
      cachedModels: this.entries.size,
      totalHits: this.hits,
      totalMisses: this.misses,
      hitRate: this.hitRate(),
      totalMemoryBytes: this.totalMemoryBytes(),
      oldestEntryAgeSecs: oldest,
      leasedModels: leased,
      retiredModels: this.retired.size,
    };
  }

  // ── lookup and load ───────────────────────────────────────────────────

  private lookup(key: string, loader: ModelLoader<M>, lease: boolean): Promise<Entry<M>> {
    const entry = this.entries.get(key);
    if (entry !== undefined && !this.isStale(entry)) {
      this.hits++;
      this.touch(entry);
      if (lease) entry.leases++;
      return Promise.resolve(entry);
    }
    if (entry !== undefined) this.retire(entry);
    const joined = this.flights.get(key);
    if (joined !== undefined) {
      this.hits++;
      if (lease) joined.pendingLeases++;
      return joined.promise;
    }
    this.misses++;
    return this.startFlight(key, loader, lease).promise;
  }

  private startFlight(key: string, loader: ModelLoader<M>, lease: boolean): Flight<M> {
    const controller = new AbortController();
    // The loader starts a microtask later, so a loader that re-enters the cache finds this flight
    // registered. The flight ends in the same step that inserts the entry: no gap for a second load.
    const promise = Promise.resolve()
      .then(() => loader(controller.signal))
      .then(
        (model) => this.settle(key, model, flight),
        (error: unknown) => {
          this.endFlight(key, flight);
          throw error;
        },
      );
    const flight: Flight<M> = { controller, pendingLeases: lease ? 1 : 0, cancelled: false, promise };
    this.flights.set(key, flight);
    return flight;
  }

  private endFlight(key: string, flight: Flight<M>): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }

  private settle(key: string, model: M, flight: Flight<M>): Entry<M> {
    this.endFlight(key, flight);
    if (flight.cancelled) {
      this.disposeModel(model, key);
      throw new GgufPagerError('MODEL_DISPOSED', `model "${key}": load cancelled by evict() or clear()`, { key });
    }
    const bytes = this.measure(key, model);
    const t = this.now();
    const entry: Entry<M> = { key, model, bytes, loadedAt: t, lastUsed: t, leases: flight.pendingLeases };
    const previous = this.entries.get(key);
    if (previous !== undefined) this.retire(previous);
    this.entries.set(key, entry);
    this.cachedBytes += bytes;
    this.enforceLimits(entry);
    return entry;
  }

  /** sizeOf(model), checked; a bad size or a model alone over the budget is disposed and refused. */
  private measure(key: string, model: M): number {
    let bytes: number;
    try {
      bytes = this.sizeOf(model);
    } catch (e) {
      this.disposeModel(model, key);
      throw e;
    }
    if (!Number.isFinite(bytes) || bytes < 0) {
      this.disposeModel(model, key);
      throw new GgufPagerError('INVALID_ARGUMENT', `model "${key}": sizeOf returned ${bytes}, not a byte count`, { key, bytes });
    }
    const budget = this.enforcedBudget();
    if (bytes > budget) {
      this.disposeModel(model, key);
      throw new GgufPagerError('MODEL_OVER_BUDGET', `model "${key}": ${bytes} bytes alone exceed the model cache budget of ${budget} bytes`, {
        key,
        bytes,
        budget,
      });
    }
    return bytes;
  }

  // ── eviction ──────────────────────────────────────────────────────────

  /** Evicts least recently used unleased entries (never `keep`) until both limits hold or nothing is evictable. */
  private enforceLimits(keep?: Entry<M>): void {
    while (this.entries.size > this.maxModels) {
      if (!this.evictLru(keep)) break;
    }
    const budget = this.enforcedBudget();
    while (this.totalMemoryBytes() > budget) {
      if (!this.evictLru(keep)) break;
    }
  }

  private evictLru(keep?: Entry<M>): boolean {
    for (const entry of this.entries.values()) {
      if (entry !== keep && entry.leases === 0) {
        this.retire(entry);
        return true;
      }
    }
    return false;
  }

  /** Removes an entry from the cache; disposes it now, or at its last release when leased. */
  private retire(entry: Entry<M>): void {
    this.entries.delete(entry.key);
    this.cachedBytes -= entry.bytes;
    if (entry.leases > 0) {
      this.retired.add(entry);
      this.retiredBytes += entry.bytes;
    } else {
      this.disposeModel(entry.model, entry.key);
    }
  }

  private cancelFlight(key: string): boolean {
    const flight = this.flights.get(key);
    if (flight === undefined) return false;
    this.flights.delete(key);
    flight.cancelled = true;
    flight.controller.abort(new GgufPagerError('MODEL_DISPOSED', `model "${key}": load cancelled`, { key }));
    return true;
  }

  private disposeModel(model: M, key: string): void {
    const dispose = this.disposeFn;
    if (dispose === undefined) return;
    const tracked: Promise<void> = Promise.resolve()
      .then(() => dispose(model, key))
      .then(
        () => undefined,
        (e: unknown) => {
          this.disposeErrors.push(e);
        },
      )
      .finally(() => {
        this.pendingDisposals.delete(tracked);
      });
    this.pendingDisposals.add(tracked);
  }

  // ── leases and recency ────────────────────────────────────────────────

  private makeLease(entry: Entry<M>): ModelLease<M> {
    let released = false;
    return {
      key: entry.key,
      model: entry.model,
      release: () => {
        if (released) {
          throw new GgufPagerError('MODEL_BAD_LEASE', `model "${entry.key}": lease released twice`, { key: entry.key });
        }
        released = true;
        this.release(entry);
      },
    };
  }

  private release(entry: Entry<M>): void {
    entry.leases--;
    if (this.retired.has(entry)) {
      if (entry.leases > 0) return;
      this.retired.delete(entry);
      this.retiredBytes -= entry.bytes;
      this.disposeModel(entry.model, entry.key);
      return;
    }
    this.touch(entry);
    if (entry.leases === 0) this.enforceLimits();
  }

  private touch(entry: Entry<M>): void {
    entry.lastUsed = this.now();
    this.entries.delete(entry.key);
    this.entries.set(entry.key, entry);
  }

  private isStale(entry: Entry<M>): boolean {
    return entry.leases === 0 && this.now() - entry.lastUsed >= this.ttlMs;
  }

  private enforcedBudget(): number {
    return this.evictOnMemoryPressure && this.memoryBudgetBytes !== undefined ? this.memoryBudgetBytes : Infinity;
  }
}

function validateOptions<M>(c: ModelCache<M>): void {
  if (!Number.isInteger(c.maxModels) || c.maxModels < 1) {
    throw new GgufPagerError(
      'INVALID_ARGUMENT',
      `ModelCache: maxModels must be an integer ≥ 1, got ${c.maxModels} (a cache that keeps no model cannot share one; call the loader directly instead)`,
      { maxModels: c.maxModels },
    );
  }
  if (Number.isNaN(c.ttlMs) || c.ttlMs < 0) {
    throw new GgufPagerError('INVALID_ARGUMENT', `ModelCache: ttlMs must be ≥ 0 (or Infinity), got ${c.ttlMs}`, { ttlMs: c.ttlMs });
  }
  const budget = c.memoryBudgetBytes;
  if (budget !== undefined && (Number.isNaN(budget) || budget < 0)) {
    throw new GgufPagerError('INVALID_ARGUMENT', `ModelCache: memoryBudgetBytes must be ≥ 0, got ${budget}`, { memoryBudgetBytes: budget });
  }
}
