/**
 * The main-thread side of the runtime: starts the worker, wraps it with comlink
 * and hands out model handles. The main thread never holds weight bytes: only
 * `readTensor` returns a copy, for small tensors and debugging.
 */
import type { VerifyResult } from './cache-verify.ts';
import * as Comlink from 'comlink';
import { GgufPagerError } from '../core/errors.ts';
import { installErrorTransfer } from './transfer.ts';
import type { WorkerRuntime } from './worker-runtime.ts';
import type {
  CachedEntry, LoadOptions, LoadProgress, ModelInfo, ModelStats, RunOptions, RunSample,
  RuntimeOptions, RuntimeStats, WarmupResult,
} from './protocol.ts';

export type ModelInput = string | URL | string[] | File | Blob;

export interface ModelHandle {
  readonly info: ModelInfo;
  stats(): Promise<ModelStats>;
  /** Load tensors (by name) or whole blocks (by index) ahead of use. */
  prefetch(what: Array<string | number>): Promise<void>;
  warmup(): Promise<WarmupResult>;
  /** A copy of one tensor's bytes (small tensors and debugging only). */
  readTensor(name: string): Promise<Uint8Array>;
  /** Drive forward passes through the pager (no inference: acquire/release in model order). */
  run(opts: RunOptions, onSample?: (s: RunSample) => void): Promise<ModelStats>;
  dispose(): Promise<void>;
}

export interface RuntimeCache {
  list(): Promise<CachedEntry[]>;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
  estimate(): Promise<{ usage: number; quota: number }>;
  persist(): Promise<boolean>;
  /** Re-hashes a cached model and says whether it is intact (against `integrity`, the digest verified at download, or a digest ETag). */
  verify(url: string, integrity?: string): Promise<VerifyResult>;
}

export interface Runtime {
  readonly budget: number;
  load(input: ModelInput, opts?: LoadOptions): Promise<ModelHandle>;
  stats(): Promise<RuntimeStats>;
  readonly cache: RuntimeCache;
  /**
   * The worker's runtime object, typed as your own subclass of WorkerRuntime
   * when `worker` starts a custom worker script (e.g. one that runs an
   * inference engine over `pagerOf(handle)`), so its extra methods can be called.
   */
  extension<T extends WorkerRuntime>(): Comlink.Remote<T>;
  dispose(): Promise<void>;
}

/** A quarter of navigator.deviceMemory (GiB), clamped below the 4 GiB a 32-bit Wasm memory addresses. */
export function defaultBudget(deviceMemoryGiB = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? 4): number {
  const quarter = Math.floor((deviceMemoryGiB * 2 ** 30) / 4);
  return Math.min(quarter, 3 * 2 ** 30);
}

function toWorkerInput(input: ModelInput): string | string[] | Blob {
  if (input instanceof Blob) return input;
  if (Array.isArray(input)) return input.map((u) => new URL(u, location.href).href);
  return new URL(String(input), location.href).href;
}

export async function createRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  installErrorTransfer();
  const budget = opts.budget ?? defaultBudget();
  const worker = opts.worker ? opts.worker() : new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'gguf-pager' });
  const remote = Comlink.wrap<WorkerRuntime>(worker);
  let disposed = false;
  const live = () => {
    if (disposed) throw new GgufPagerError('RUNTIME_DISPOSED', 'the runtime was disposed');
  };
  const { worker: _factory, ...startOpts } = opts;
  const started = await remote.start({ ...startOpts, budget });

  const handle = (info: ModelInfo): ModelHandle => {
    const id = info.id;
    return {
      info,
      stats: () => (live(), remote.modelStats(id)),
      prefetch: (what) => (live(), remote.prefetch(id, what)),
      warmup: () => (live(), remote.warmup(id)),
      readTensor: (name) => (live(), remote.readTensor(id, name)),
      run: (o, onSample) => (live(), remote.run(id, o, onSample ? Comlink.proxy(onSample) : undefined)),
      dispose: () => (live(), remote.unload(id)),
    };
  };

  return {
    budget: started.budget,
    async load(input, o = {}) {
      live();
      const { onProgress, signal, ...rest } = o;
      const abortId = signal ? await remote.newAbortId() : 0;
      const onAbort = () => void remote.abort(abortId);
      if (signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', 'load aborted before it started');
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const progress = onProgress ? Comlink.proxy((p: LoadProgress) => onProgress(p)) : undefined;
        return handle(await remote.load(toWorkerInput(input), rest, progress, abortId));
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    stats: () => (live(), remote.stats()),
    extension: <T extends WorkerRuntime>() => (live(), remote as unknown as Comlink.Remote<T>),
    cache: {
      list: () => remote.cacheList(),
      delete: (key) => remote.cacheDelete(new URL(key, location.href).href),
      clear: () => remote.cacheClear(),
      estimate: () => remote.cacheEstimate(),
      persist: () => remote.cachePersist(),
      verify: (url, integrity) => remote.cacheVerify(new URL(url, location.href).href, integrity),
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await remote.dispose();
      } finally {
        remote[Comlink.releaseProxy]();
        worker.terminate();
      }
    },
  };
}
