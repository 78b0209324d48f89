/**
 * The runtime inside its dedicated worker: one Wasm core whose arena is the
 * tab's budget, a bounded ModelCache of loaded models (each a LayerPager over
 * that arena), and the on-device cache. The page talks to it through comlink
 * (client.ts); it also runs as is in Node (cache 'none'), for tests and tools.
 *
 * Models are keyed by (input, cache store, policy): loading the same model
 * again while it is cached reuses it. Every `load` returns its own handle id,
 * a lease on the cached model; `unload` ends the lease, and the cache evicts
 * unleased models when a new one needs the room (their arena blocks are freed).
 */
import { checkLoadOptions, checkRuntimeOptions } from './check-options.ts';
import { createCore, type Core } from '../core/core.ts';
import type { CoreBuild } from '../core/core-build.ts';
import { loadedCoreBuild, setCoreLocation } from '../core/wasm.ts';
import { GgufPagerError } from '../errors.ts';
import { parseGguf } from '../gguf/parse.ts';
import type { GgufModel } from '../gguf/types.ts';
import { defaultPolicy, pinnedSet } from '../pager/policy.ts';
import { checkNotOpenElsewhere, clearCached, deleteCached, estimate, listCached, persist } from '../sources/cache/storage.ts';
import { downloadIntoCache, type DownloadTick } from './download.ts';
import { etagDigest, parseIntegrity, type ExpectedDigest } from '../sources/cache/integrity.ts';
import { LoadedModel } from './loaded-model.ts';
import { ModelCache, type ModelLease } from './model-cache.ts';
import { isLocalInput, openSources, type WorkerModelInput } from './open-sources.ts';
import { isFileHandle } from '../sources/storage-env.ts';
import { SourcePool } from './source-pool.ts';
import { ProgressMeter } from './progress.ts';
import type {
  CachedEntry,
  ChatMessage,
  GenerateRequest,
  LoadOptions,
  LoadProgress,
  ModelInfo,
  ModelStats,
  Piece,
  PagingDryRunOptions,
  PagingDryRunSample,
  RuntimeOptions,
  RuntimeStats,
  WarmupResult,
  WireGenerateOptions,
  WireGenerateResult,
} from './protocol.ts';
import { ModelWarmup, type WarmupResult as WarmupRun } from './warmup.ts';
import { verifyCached, type VerifyResult } from './cache-verify.ts';
import { CachedSource } from '../sources/cache/cached.ts';
import type { PagerSource } from '../sources/source.ts';
import { checkFitsDry } from './fit-check.ts';
import { settleFailedLoad } from './failed-load.ts';

export type WorkerLoadOptions = Omit<LoadOptions, 'onProgress' | 'signal'>;

/** True when the model's bytes are on the device by the time it pages: a downloaded cache entry or an OPFS file handle. */
function readsFromDevice(input: WorkerModelInput, store: string, opts: WorkerLoadOptions): boolean {
  return isFileHandle(input) || (store !== 'none' && opts.download !== false);
}

/** The digest the `integrity` option names; INVALID_ARGUMENT where it cannot be checked. */
function integrityOption(input: WorkerModelInput, store: string, opts: WorkerLoadOptions): ExpectedDigest | undefined {
  if (opts.integrity === undefined) return undefined;
  const what = typeof input === 'string' ? input : Array.isArray(input) ? input[0] : input instanceof Blob ? 'blob' : `opfs-file:${input.name}`;
  if (store === 'none' || opts.download === false || typeof input !== 'string') {
    throw new GgufPagerError(
      'INVALID_ARGUMENT',
      `${what}: integrity is checked while a URL is downloaded into the cache (not with cache 'none', download false, a list, a Blob or a file handle)`,
      { url: what },
    );
  }
  return parseIntegrity(opts.integrity, input);
}

const DEFAULT_MAX_MODELS = 2;
const DEFAULT_KV_PAGE_ELEMS = 4096;
/** KV pages take this share of the budget unless `kvBytes` says otherwise, at most DEFAULT_KV_MAX_BYTES. */
export const DEFAULT_KV_SHARE = 1 / 8;
const DEFAULT_KV_MAX_BYTES = 256 * 2 ** 20;
/** Pieces are sent to the page at most this often (ms) while a generation runs: no round trip per token. */
const PIECE_FLUSH_MS = 16;

export class WorkerRuntime {
  private core: Core | null = null;
  private budget = 0;
  private cache: ModelCache<LoadedModel> | null = null;
  private readonly handles = new Map<number, ModelLease<LoadedModel>>();
  private readonly aborts = new Map<number, AbortController>();
  /** Per handle: the pending readTensor/pagingDryRun/prefetch/generate calls, aborted when it is unloaded. */
  private readonly calls = new Map<number, Set<AbortController>>();
  private readonly sourcePool = new SourcePool();
  private nextHandle = 1;
  private nextModel = 1;
  private nextAbort = 1;
  private blobs = 0;

  /** Reserves the arena (the whole budget, once) and the KV pages. */
  async start(
    opts: Omit<RuntimeOptions, 'worker' | 'workerUrl'> & { budget: number },
  ): Promise<{ budget: number; memoryBytes: number; coreBuild: CoreBuild; threads: number; threadsReason: string | null }> {
    if (this.core) throw new GgufPagerError('INVALID_ARGUMENT', 'the runtime is already started');
    checkRuntimeOptions(opts);
    if (opts.wasmUrl !== undefined || opts.relaxedWasmUrl !== undefined || opts.sharedWasmUrl !== undefined) {
      setCoreLocation({
        ...(opts.wasmUrl !== undefined ? { wasmUrl: opts.wasmUrl } : {}),
        ...(opts.relaxedWasmUrl !== undefined ? { relaxedWasmUrl: opts.relaxedWasmUrl } : {}),
        ...(opts.sharedWasmUrl !== undefined ? { sharedWasmUrl: opts.sharedWasmUrl } : {}),
      });
    }
    const kvBytes = opts.kvBytes ?? Math.min(Math.floor(opts.budget * DEFAULT_KV_SHARE), DEFAULT_KV_MAX_BYTES);
    const pageElems = opts.kvPageElems ?? DEFAULT_KV_PAGE_ELEMS;
    const dtype = opts.kvType ?? 'f16';
    const pages = kvBytes > 0 ? Math.floor(kvBytes / (pageElems * (dtype === 'f16' ? 2 : 4))) : 0;
    this.core = await createCore({ arenaBytes: opts.budget, ...(pages > 0 ? { kv: { pages, pageElems, dtype } } : {}), threads: opts.threads ?? 'auto' });
    this.budget = opts.budget;
    const arenaCapacity = this.core.arena.capacity;
    this.cache = new ModelCache<LoadedModel>({
      maxModels: opts.maxModels ?? DEFAULT_MAX_MODELS,
      ...(opts.modelTtlMs !== undefined ? { ttlMs: opts.modelTtlMs } : { ttlMs: Number.POSITIVE_INFINITY }),
      memoryBudgetBytes: arenaCapacity,
      sizeOf: (m) => m.pager.budgetBytes,
      dispose: (m) => m.dispose(),
    });
    const threads = this.core.threads;
    const build = threads.count > 1 || threads.parallel ? loadedCoreBuild(true) : loadedCoreBuild();
    return {
      budget: this.budget,
      memoryBytes: this.core.memoryBytes(),
      coreBuild: build?.build ?? 'simd',
      threads: threads.count,
      threadsReason: threads.reason,
    };
  }

  newAbortId(): number {
    const id = this.nextAbort++;
    this.aborts.set(id, new AbortController());
    return id;
  }

  abort(id: number): void {
    this.aborts.get(id)?.abort();
  }

  async load(input: WorkerModelInput, opts: WorkerLoadOptions = {}, onProgress?: (p: LoadProgress) => void, abortId = 0): Promise<ModelInfo> {
    const { core, cache } = this.started();
    checkLoadOptions(opts);
    const signal = this.aborts.get(abortId)?.signal;
    try {
      const store = isLocalInput(input) ? 'none' : (opts.cache ?? 'auto');
      const sourceKey = isLocalInput(input) ? `blob#${++this.blobs}` : `${store}|${JSON.stringify(input)}`;
      const meter = new ProgressMeter(onProgress);
      const expected = integrityOption(input, store, opts);
      const engineOpts = { contextLength: opts.contextLength, kvType: opts.kvType, batchSize: opts.batchSize };
      this.dropInvalidated(sourceKey);
      const lease = await cache.acquire(`${sourceKey}|${JSON.stringify(opts.policy ?? 'default')}|${JSON.stringify(engineOpts)}`, async () => {
        meter.phase('header', 0, 0);
        const prefetch = readsFromDevice(input, store, opts) ? 0 : 1;
        const policyOf = (model: GgufModel) => opts.policy ?? defaultPolicy(model, core.arena.capacity, prefetch);
        // Checked on the header alone, before anything is cached or downloaded (open-sources.ts, fit-check.ts).
        const checkHeader = (model: GgufModel, remotes: PagerSource[]) =>
          checkFitsDry(core, this.budget, model, remotes, String(input), policyOf(model), engineOpts);
        const ref = await this.sourcePool.acquire(sourceKey, () => openSources(input, { cache: store, signal, onStall: (st) => meter.stall(st), checkHeader }));
        const opened = ref.opened;
        try {
          if (expected && opened.sources.length > 1)
            throw new GgufPagerError('INVALID_ARGUMENT', `${opened.label}: integrity names one file, but this model has ${opened.sources.length} shards`, {
              url: opened.label,
            });
          const model = opened.header ?? (await parseGguf(opened.sources, { signal }));
          if (!opened.header) await checkFitsDry(core, this.budget, model, opened.sources, opened.label, policyOf(model), engineOpts);
          if (store !== 'none' && opts.download !== false) {
            const tick = (t: DownloadTick) => meter.tick(opened.traffic(), t.bytesDone, t.bytesTotal);
            opened.integrity = await downloadIntoCache(opened.sources, tick, { signal, expected: (src) => expected ?? etagDigest(src.identity) });
          }
          meter.phase('header', 0, 0, opened.traffic());
          return new LoadedModel(this.nextModel++, model, ref, core, policyOf(model), engineOpts);
        } catch (e) {
          const err = await settleFailedLoad(ref, e);
          await ref.release();
          throw err;
        }
      });
      const handle = this.nextHandle++;
      this.handles.set(handle, lease);
      try {
        if (pinnedSet(lease.model.model, lease.model.policy).size > 0) await lease.model.pager.loadPinned();
      } catch (e) {
        await this.unload(handle);
        throw e;
      }
      const reports = (lease.model.opened.integrity ??= []);
      if (expected && !reports.some((r) => r.sha256 === expected.sha256)) {
        // Already loaded (or downloaded without this digest): hash the cached bytes now.
        const url = lease.model.opened.key;
        const r = await this.cacheVerify(url, opts.integrity).catch(async (e: unknown) => {
          await this.unload(handle);
          throw e;
        });
        if (!r.intact) {
          await this.unload(handle);
          throw new GgufPagerError(
            'INTEGRITY_MISMATCH',
            `${url}: the cached bytes hash to SHA-256 ${r.sha256 || '(incomplete entry)'}, but the integrity option says ${expected.sha256}`,
            { url, sha256: r.sha256, expected: expected.sha256, source: 'option' },
          );
        }
        reports.push({ url, ...expected, verified: true });
      }
      meter.ready(lease.model.info.fileSize, lease.model.opened.traffic());
      return { ...lease.model.info, id: handle, integrity: [...reports] };
    } finally {
      this.aborts.delete(abortId);
    }
  }

  /**
   * The pager of a loaded model, for code running in this worker (an inference
   * engine in a custom worker script: `createRuntime({ worker })`). Not for
   * use across comlink: leases are views into this worker's arena.
   */
  pagerOf(handle: number): LoadedModel['pager'] {
    return this.model(handle).pager;
  }

  modelStats(handle: number): ModelStats {
    return { ...this.model(handle).stats(), id: handle };
  }

  prefetch(handle: number, what: Array<string | number>, abortId = 0): Promise<void> {
    return this.tracked(handle, abortId, (m, signal) => m.prefetch(what, signal));
  }

  /** Warms the model up: through the engine (a one-token generation from the tokenizer's BOS) when it can generate. */
  async warmup(handle: number): Promise<WarmupResult> {
    const m = this.model(handle);
    let r: WarmupRun;
    if (m.info.canGenerate) {
      const engine = m.engine();
      const tok = engine.tokenizer;
      const tokens = tok.bos !== null ? [tok.bos] : tok.encode('Hello', { addSpecial: true });
      r = await new ModelWarmup({ tokens, numTokens: 1 }).run(m.warmupTarget(), engine);
    } else {
      r = await new ModelWarmup().run(m.warmupTarget());
    }
    return { elapsedMs: r.elapsedMs, tensorsLoaded: r.tensorsLoaded, bytesLoaded: r.bytesLoaded };
  }

  /**
   * Runs a generation or chat turn, sending pieces to `onPieces` in batches
   * (one message per PIECE_FLUSH_MS at most, never awaited per token).
   * Abort with `abort(abortId)`.
   */
  async generate(
    handle: number,
    req: GenerateRequest,
    opts: WireGenerateOptions = {},
    onPieces?: (pieces: Piece[]) => void | Promise<void>,
    abortId = 0,
  ): Promise<WireGenerateResult> {
    return this.tracked(handle, abortId, (m, signal) => this.generating(m, req, opts, onPieces, signal));
  }

  private async generating(
    m: LoadedModel,
    req: GenerateRequest,
    opts: WireGenerateOptions,
    onPieces: ((pieces: Piece[]) => void | Promise<void>) | undefined,
    signal: AbortSignal,
  ): Promise<WireGenerateResult> {
    const delivered: Array<void | Promise<void>> = [];
    let buffer: Piece[] = [];
    let last = 0;
    const flush = (): void => {
      if (buffer.length === 0 || !onPieces) return;
      delivered.push(onPieces(buffer));
      buffer = [];
      last = performance.now();
    };
    const r = await m.generate(req, opts, signal, (p) => {
      if (!onPieces) return;
      buffer.push(p);
      if (performance.now() - last >= PIECE_FLUSH_MS) flush();
    });
    flush();
    await Promise.all(delivered);
    return r;
  }

  /** Pooled, L2-normalized embeddings of each input (text or token ids), between generations. Abort with `abort(abortId)`. */
  async embed(
    handle: number,
    inputs: Array<string | number[]>,
    opts: { pooling?: 'mean' | 'cls' | 'last' } = {},
    abortId = 0,
  ): Promise<{ vectors: number[][]; tokens: number }> {
    const signal = this.aborts.get(abortId)?.signal;
    try {
      return await this.model(handle)
        .engine()
        .embed(inputs, { ...opts, signal });
    } finally {
      this.aborts.delete(abortId);
    }
  }

  tokenize(handle: number, text: string, opts?: { addSpecial?: boolean; parseSpecial?: boolean }): number[] {
    return this.model(handle).engine().tokenize(text, opts);
  }

  detokenize(handle: number, ids: number[], opts?: { renderSpecial?: boolean }): string {
    return this.model(handle).engine().detokenize(ids, opts);
  }

  applyChatTemplate(
    handle: number,
    messages: ChatMessage[],
    opts?: { addGenerationPrompt?: boolean; template?: string; templateVars?: Record<string, unknown> },
  ): string {
    return this.model(handle).engine().applyChatTemplate(messages, opts);
  }

  /** Drops the model's cached tokens (its KV pages go back to the pool). */
  reset(handle: number): void {
    this.model(handle).engine().reset();
  }

  async readTensor(handle: number, name: string, abortId = 0): Promise<Uint8Array> {
    return this.tracked(handle, abortId, (m, signal) => m.readTensor(name, signal));
  }

  async pagingDryRun(handle: number, opts: PagingDryRunOptions, onSample?: (s: PagingDryRunSample) => void, abortId = 0): Promise<ModelStats> {
    return { ...(await this.tracked(handle, abortId, (m, signal) => m.pagingDryRun(opts, onSample, signal))), id: handle };
  }

  /**
   * Runs `f` on the handle's model with a signal that aborts on `abort(abortId)`
   * and when the handle is unloaded or the runtime disposed: a dispose settles
   * every pending call, and the loads only it waited for are aborted.
   */
  private async tracked<T>(handle: number, abortId: number, f: (m: LoadedModel, signal: AbortSignal) => Promise<T>): Promise<T> {
    const m = this.model(handle);
    const ctrl = new AbortController();
    const outer = this.aborts.get(abortId)?.signal;
    const signal = outer ? AbortSignal.any([outer, ctrl.signal]) : ctrl.signal;
    let calls = this.calls.get(handle);
    if (!calls) this.calls.set(handle, (calls = new Set()));
    calls.add(ctrl);
    try {
      return await f(m, signal);
    } finally {
      calls.delete(ctrl);
      if (calls.size === 0) this.calls.delete(handle);
      if (abortId) this.aborts.delete(abortId);
    }
  }

  /**
   * Ends a handle's lease, aborting its pending calls; idempotent (a handle unloaded by a cache deletion may be disposed again).
   * A model that reads from an on-device cache entry is disposed with its last handle: its sources
   * close and the entry's lock is released, so another tab may delete it and quota eviction may take it.
   */
  async unload(handle: number): Promise<void> {
    for (const c of this.calls.get(handle) ?? []) c.abort();
    this.calls.delete(handle);
    const lease = this.handles.get(handle);
    if (!lease) return;
    this.handles.delete(handle);
    lease.release();
    const stillUsed = [...this.handles.values()].some((l) => l.model === lease.model);
    if (stillUsed || lease.model.opened.key === '' || !this.cache) return;
    if (this.cache.entriesSnapshot().some(([k, m]) => k === lease.key && m === lease.model)) this.cache.evict(lease.key);
    await this.cache.drain();
  }

  stats(): RuntimeStats {
    const { core, cache } = this.started();
    const a = core.arena.stats();
    const c = cache.stats();
    return {
      budget: this.budget,
      arena: { capacity: a.capacity, used: a.used, free: a.free, largestFree: a.largestFree, liveBlocks: a.liveBlocks, memoryBytes: a.memoryBytes },
      kv: core.kv ? { totalPages: core.kv.totalPages, freePages: core.kv.freePages, pageSize: core.kv.pageSize } : null,
      memoryBytes: core.memoryBytes(),
      models: [...this.handles].map(([h, l]) => ({ ...l.model.stats(), id: h })),
      cache: { cachedModels: c.cachedModels, totalHits: c.totalHits, totalMisses: c.totalMisses, hitRate: c.hitRate },
    };
  }

  async cacheList(): Promise<CachedEntry[]> {
    return (await listCached()).map((e) => ({ key: e.key, size: e.size, bytesCached: e.bytesCached, lastUsed: e.lastUsed, store: e.store }));
  }

  /** Deletes a cached model's bytes; a loaded model that reads from it is unloaded first. */
  async cacheDelete(key: string): Promise<boolean> {
    // Another tab or worker reading it: refuse before unloading our own models.
    await checkNotOpenElsewhere(key, this.openCachedSources().filter((s) => s.key === key).length);
    await this.unloadUsers((m) => m.opened.key === key);
    return deleteCached(key);
  }

  async cacheClear(): Promise<void> {
    await this.unloadUsers((m) => m.opened.key !== '');
    await clearCached();
  }

  /** Re-hashes a cached entry (cache-verify.ts). */
  cacheVerify(key: string, integrity?: string): Promise<VerifyResult> {
    return verifyCached(key, integrity, this.openCachedSources());
  }

  /** The CachedSources the models of this runtime have open (each once). */
  private openCachedSources(): CachedSource[] {
    const models = [...this.handles.values()]
      .map((l) => l.model)
      .concat(
        this.started()
          .cache.entriesSnapshot()
          .map(([, m]) => m),
      );
    return [...new Set(models.flatMap((m) => m.opened.sources).filter((s): s is CachedSource => s instanceof CachedSource))];
  }

  async cacheEstimate(): Promise<{ usage: number; quota: number }> {
    const e = await estimate();
    return { usage: e.usage, quota: e.quota };
  }

  cachePersist(): Promise<boolean> {
    return persist();
  }

  async dispose(): Promise<void> {
    for (const c of this.aborts.values()) c.abort();
    for (const calls of this.calls.values()) for (const c of calls) c.abort();
    this.calls.clear();
    for (const l of this.handles.values()) l.release();
    this.handles.clear();
    await this.cache?.clear();
    this.cache = null;
    this.core?.threads.close();
    this.core = null;
  }

  /**
   * After SOURCE_CHANGED (or a discarded entry) the models reading `sourceKey` are stale: they leave the
   * model cache (handles still open keep failing) and the next load opens the URL and its entry afresh.
   */
  private dropInvalidated(sourceKey: string): void {
    const cache = this.started().cache;
    for (const [key, m] of cache.entriesSnapshot()) {
      if (key.startsWith(`${sourceKey}|`) && m.opened.sources.some((s) => s instanceof CachedSource && s.invalid)) {
        cache.evict(key);
        this.sourcePool.forget(sourceKey);
      }
    }
  }

  private async unloadUsers(uses: (m: LoadedModel) => boolean): Promise<void> {
    const cache = this.started().cache;
    for (const [h, l] of [...this.handles]) if (uses(l.model)) await this.unload(h);
    for (const [key, m] of cache.entriesSnapshot()) if (uses(m)) cache.evict(key);
    await cache.drain();
  }

  private model(handle: number): LoadedModel {
    const lease = this.handles.get(handle);
    if (!lease) throw new GgufPagerError('MODEL_DISPOSED', `model handle ${handle} was disposed`, { handle });
    return lease.model;
  }

  private started(): { core: Core; cache: ModelCache<LoadedModel> } {
    if (!this.core || !this.cache) throw new GgufPagerError('RUNTIME_DISPOSED', 'the runtime is not started or was disposed');
    return { core: this.core, cache: this.cache };
  }
}
