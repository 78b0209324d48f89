/**
 * `gguf-pager/worker`: what a custom worker script needs, e.g. one that runs an
 * inference engine over the pager. It extends WorkerRuntime and exposes it:
 *
 *   import { WorkerRuntime, exposeRuntime } from 'gguf-pager/worker';
 *   class EngineRuntime extends WorkerRuntime { … this.pagerOf(handle) … }
 *   exposeRuntime(new EngineRuntime());
 *
 * and the page starts it with `createRuntime({ worker: () => new Worker(new URL('./engine-worker.ts', import.meta.url), { type: 'module' }) })`.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from './runtime/transfer.ts';
import type { WorkerRuntime } from './runtime/worker-runtime.ts';

/**
 * Exposes a runtime to the page with the same comlink copy the page side uses,
 * errors keeping their `code` across the boundary.
 */
export function exposeRuntime(runtime: WorkerRuntime): void {
  installErrorTransfer();
  Comlink.expose(runtime);
}

export { WorkerRuntime } from './runtime/worker-runtime.ts';
export { installErrorTransfer } from './runtime/transfer.ts';
export { LayerPager, type LayerPagerOptions } from './pager/layer-pager.ts';
export type { Lease, LeaseGroup, LayerLease } from './pager/lease.ts';
export type { OffloadPolicy, EvictionKind } from './pager/policy.ts';
export { createCore, type Core, type CoreOptions } from './core/core.ts';
export { relaxedSimdSupported, type CoreBuild, type CoreBuildInfo, type CoreLocation } from './core/core-build.ts';
export { loadedCoreBuild, setCoreLocation } from './core/wasm.ts';
export { GgufPagerError, isGgufPagerError, type ErrorCode } from './errors.ts';
export { parseGguf } from './gguf/parse.ts';
export type { GgufModel, GgufValue, TensorInfo } from './gguf/types.ts';
export type { PagerSource, SourceIdentity } from './sources/source.ts';
export { HttpRangeSource } from './sources/http/source.ts';
export { CachedSource } from './sources/cache/cached.ts';
export { BlobSource } from './sources/blob.ts';
export { MemorySource } from './sources/memory.ts';
