/**
 * The main-thread side of the runtime: starts the worker, wraps it with comlink
 * and hands out model handles. The main thread never holds weight bytes: only
 * `readTensor` returns a copy, for small tensors and debugging.
 */
import type { VerifyResult } from './cache-verify.ts';
import * as Comlink from 'comlink';
import { GgufPagerError } from '../errors.ts';
import type { CoreBuild } from '../core/core-build.ts';
import { installErrorTransfer } from './transfer.ts';
import { isFileHandle } from '../sources/storage-env.ts';
import { defaultBudgetBytes } from '../pager/policy.ts';
import { checkModelUrl } from '../sources/http/url.ts';
import { checkLoadOptions, checkRuntimeOptions } from './check-options.ts';
import { PendingCalls } from './pending-calls.ts';
import type { WorkerRuntime } from './worker-runtime.ts';
import type {
  CachedEntry,
  GenerateRequest,
  LoadOptions,
  LoadProgress,
  ModelInfo,
  Piece,
  RuntimeOptions,
  RuntimeStats,
  WireGenerateResult,
} from './protocol.ts';
import { PieceStream, type GenerationRun } from './generation-run.ts';
import { withOpenAiApi } from '../api/handle-backend.ts';
import type { GenerateCallOptions, ModelHandle } from './model-handle.ts';

/**
 * What `load` takes: a URL (or the URLs of a split model), a File or Blob, or an OPFS file handle. A model stored in
 * OPFS is best handed over as its `FileSystemFileHandle`: the worker reads it in place through a sync access handle,
 * where a File's stream leaves garbage the size of the bytes paged (docs/memory.md).
 */
export type ModelInput = string | URL | string[] | File | Blob | FileSystemFileHandle;

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
  /** The core build the worker runs: `relaxed` (Relaxed SIMD) or `simd`. */
  readonly coreBuild: CoreBuild;
  /** Threads computing (1 unless the page is cross-origin isolated; see `threads` in the options). */
  readonly threads: number;
  /** Why fewer threads compute than were asked for (e.g. 'the page is not cross-origin isolated …'); null when all do. */
  readonly threadsReason: string | null;
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

/** The `budget` when none is given: pager/policy.ts `defaultBudgetBytes` (a quarter of the device memory, below 4 GiB − 64 MiB). */
export const defaultBudget = defaultBudgetBytes;

function toWorkerInput(input: ModelInput): string | string[] | Blob | FileSystemFileHandle {
  if (input instanceof Blob || isFileHandle(input)) return input;
  if (Array.isArray(input)) return input.map((u) => checkModelUrl(String(u), location.href));
  return checkModelUrl(String(input), location.href);
}

/**
 * The worker: the app's factory, the app's URL, or the stock script beside this
 * module. The `new Worker(new URL('./worker.ts', import.meta.url))` literal is
 * what bundlers follow (the published build names it gguf-pager-worker.js).
 */
function startWorker(opts: RuntimeOptions): Worker {
  if (opts.worker) return opts.worker();
  if (opts.workerUrl !== undefined) return new Worker(opts.workerUrl, { type: 'module', name: 'gguf-pager' });
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'gguf-pager' });
}

/** The worker's start, or WORKER_START when its script fails to load or throws first (instead of waiting forever). */
async function untilStarted<T>(worker: Worker, opts: RuntimeOptions, start: Promise<T>): Promise<T> {
  const script = opts.worker ? "the worker factory's script" : opts.workerUrl !== undefined ? String(opts.workerUrl) : 'gguf-pager-worker.js';
  let onError = (_e: Event) => {};
  const failed = new Promise<never>((_, reject) => {
    onError = (e: Event) => {
      const why = e instanceof ErrorEvent && e.message ? e.message : 'the script failed to load (missing, wrong MIME type, or blocked by CSP worker-src)';
      reject(new GgufPagerError('WORKER_START', `the runtime's worker did not start from ${script}: ${why}`, { script }));
    };
    worker.addEventListener('error', onError);
  });
  try {
    return await Promise.race([start, failed]);
  } catch (e) {
    worker.terminate();
    throw e;
  } finally {
    worker.removeEventListener('error', onError);
  }
}

export async function createRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  installErrorTransfer();
  checkRuntimeOptions(opts);
  const budget = opts.budget ?? defaultBudget();
  const worker = startWorker(opts);
  const remote = Comlink.wrap<WorkerRuntime>(worker);
  let disposed = false;
  const live = () => {
    if (disposed) throw new GgufPagerError('RUNTIME_DISPOSED', 'the runtime was disposed');
  };
  const { worker: _factory, workerUrl: _url, wasmUrl, relaxedWasmUrl, sharedWasmUrl, ...startOpts } = opts;
  const abs = (u: string | URL) => new URL(String(u), location.href).href; // the worker resolves nothing against the page
  const started = await untilStarted(
    worker,
    opts,
    remote.start({
      ...startOpts,
      budget,
      ...(wasmUrl !== undefined ? { wasmUrl: abs(wasmUrl) } : {}),
      ...(relaxedWasmUrl !== undefined ? { relaxedWasmUrl: relaxedWasmUrl === null ? null : abs(relaxedWasmUrl) } : {}),
      ...(sharedWasmUrl !== undefined ? { sharedWasmUrl: sharedWasmUrl === null ? null : abs(sharedWasmUrl) } : {}),
    }),
  );

  const startGeneration = (id: number, req: GenerateRequest, o: GenerateCallOptions): GenerationRun =>
    new PieceStream(async (push) => {
      live();
      const { onToken, signal, ...rest } = o;
      const abortId = signal ? await remote.newAbortId() : 0;
      const onAbort = () => void remote.abort(abortId);
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const receive = Comlink.proxy((pieces: Piece[]) => {
          push(pieces);
          if (onToken) for (const p of pieces) onToken(p);
        });
        const r: WireGenerateResult = await remote.generate(id, req, rest, receive, abortId);
        return r;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    });

  const pending = new PendingCalls();
  /** A call on model `id` that an abort of `signal`, or a dispose, settles at once (the worker is told to stop too). */
  const call = async <T>(id: number, what: string, signal: AbortSignal | undefined, f: (abortId: number) => Promise<T>): Promise<T> => {
    live();
    if (signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${what} aborted before it started`, { model: id });
    const abortId = signal ? await remote.newAbortId() : 0;
    const onAbort = () => void remote.abort(abortId);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await pending.track(id, what, f(abortId), signal);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };

  const handle = (info: ModelInfo): ModelHandle => {
    const id = info.id;
    return withOpenAiApi({
      info,
      stats: () => (live(), remote.modelStats(id)),
      prefetch: (what, o) => call(id, 'prefetch', o?.signal, (a) => remote.prefetch(id, what, a)),
      warmup: () => (live(), remote.warmup(id)),
      readTensor: (name, o) => call(id, `readTensor ${name}`, o?.signal, (a) => remote.readTensor(id, name, a)),
      pagingDryRun: (o, onSample) => {
        const { signal, ...rest } = o;
        return call(id, 'pagingDryRun', signal, (a) => remote.pagingDryRun(id, rest, onSample ? Comlink.proxy(onSample) : undefined, a));
      },
      generate: (prompt, o = {}) => startGeneration(id, { kind: 'generate', prompt: typeof prompt === 'string' ? prompt : [...prompt] }, o),
      chat: (messages, o = {}) => {
        const { template, templateVars, ...rest } = o;
        return startGeneration(
          id,
          {
            kind: 'chat',
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            ...(template ? { template } : {}),
            ...(templateVars ? { templateVars } : {}),
          },
          rest,
        );
      },
      embed: async (inputs, o = {}) => {
        live();
        const { signal, ...rest } = o;
        const abortId = signal ? await remote.newAbortId() : 0;
        const onAbort = () => void remote.abort(abortId);
        if (signal?.aborted) onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
          return await remote.embed(id, inputs, rest, abortId);
        } finally {
          signal?.removeEventListener('abort', onAbort);
        }
      },
      tokenize: (text, o) => (live(), remote.tokenize(id, text, o)),
      detokenize: (ids, o) => (live(), remote.detokenize(id, [...ids], o)),
      applyChatTemplate: (messages, o) => (
        live(),
        remote.applyChatTemplate(
          id,
          messages.map((m) => ({ role: m.role, content: m.content })),
          o,
        )
      ),
      reset: () => (live(), remote.reset(id)),
      dispose: () => {
        live();
        pending.settle(id, () => new GgufPagerError('MODEL_DISPOSED', `${info.source}: the model was disposed while a call on it was pending`, { model: id }));
        return remote.unload(id);
      },
    });
  };

  return {
    budget: started.budget,
    coreBuild: started.coreBuild,
    threads: started.threads,
    threadsReason: started.threadsReason,
    async load(input, o = {}) {
      live();
      checkLoadOptions(o);
      const workerInput = toWorkerInput(input);
      const { onProgress, signal, ...rest } = o;
      const abortId = signal ? await remote.newAbortId() : 0;
      const onAbort = () => void remote.abort(abortId);
      if (signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', 'load aborted before it started');
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const progress = onProgress ? Comlink.proxy((p: LoadProgress) => onProgress(p)) : undefined;
        return handle(await remote.load(workerInput, rest, progress, abortId));
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
      pending.settle(undefined, () => new GgufPagerError('RUNTIME_DISPOSED', 'the runtime was disposed while a call on a model was pending'));
      try {
        await remote.dispose();
      } finally {
        remote[Comlink.releaseProxy]();
        worker.terminate();
      }
    },
  };
}
