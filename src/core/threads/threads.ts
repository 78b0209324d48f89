/**
 * Choosing and starting compute threads for a core (createCore calls these):
 * how many ('auto' or a number), whether this realm can share memory, the
 * shared core itself (its memory sized once by initPages, maximum = initial,
 * so it never grows), and the pool with its control block carved from the
 * arena (a pinned block: counted in the budget like the engine's scratch).
 */
import type { Arena } from '../arena.ts';
import { GgufPagerError } from '../../errors.ts';
import type { CoreExports } from '../exports.ts';
import { compileSharedCore, instantiateSharedCore } from '../wasm.ts';
import { CONTROL_BYTES, MAX_THREADS } from './control.ts';
import { Parallel } from './parallel.ts';
import { ComputePool, type PoolOptions } from './pool.ts';

export interface ThreadOptions extends Omit<PoolOptions, 'threads'> {
  /** Bytes of weights an op reads below which it stays on one thread (default 64 KiB; 0 splits every op). */
  minSplitBytes?: number;
}

export interface Threads {
  /** Threads computing now. */
  readonly count: number;
  /** Why fewer threads compute than were asked for (null when all do). */
  readonly reason: string | null;
  /** @internal The splitter the kernels use (null on one thread). */
  readonly parallel: Parallel | null;
  /** Stops the compute workers (one thread afterwards). */
  close(): void;
}

/** 'auto' uses this many threads at most (see docs/threads.md for the measurement behind it). */
export const AUTO_MAX_THREADS = 8;

/** The threads asked for, and why 'auto' came to 1 where it did. */
export function resolveThreads(threads: number | 'auto' | undefined): { threads: number; reason: string | null } {
  if (threads === undefined) return { threads: 1, reason: null };
  if (threads === 'auto') {
    const cores = hardwareThreads();
    return cores > 1 ? { threads: Math.min(cores, AUTO_MAX_THREADS), reason: null } : { threads: 1, reason: 'this machine reports one core' };
  }
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new GgufPagerError('INVALID_ARGUMENT', `threads must be 'auto' or an integer in 1..${MAX_THREADS}, got ${String(threads)}`, {
      threads: String(threads),
    });
  }
  return { threads, reason: null };
}

/** Logical cores: navigator.hardwareConcurrency, or os.availableParallelism() in Node. */
export function hardwareThreads(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => unknown } };
  const n = g.navigator?.hardwareConcurrency;
  if (typeof n === 'number' && n > 0) return n;
  const os = g.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? 1;
}

/** Null when this realm can make a shared Wasm memory, else why not. */
export function sharedMemoryUnavailable(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (g.crossOriginIsolated === false) return 'the page is not cross-origin isolated (it needs COOP same-origin and COEP require-corp or credentialless)';
  if (typeof g.SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available here';
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return null;
  } catch (e) {
    return `a shared WebAssembly.Memory cannot be made here (${String(e)})`;
  }
}

export interface SharedCore {
  exports: CoreExports;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

/** The shared build instantiated on a memory of exactly the size init needs, or why it cannot be. */
export async function sharedCore(init: readonly number[]): Promise<SharedCore | { reason: string }> {
  const why = sharedMemoryUnavailable();
  if (why !== null) return { reason: why };
  let module: WebAssembly.Module;
  try {
    module = await compileSharedCore();
  } catch (e) {
    return { reason: `the shared-memory core did not load (${(e as Error).message})` };
  }
  const [a, b, c, d, e, f] = init;
  const probe = await instantiateSharedCore(module, new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
  const pages = probe.initPages(a, b, c, d, e, f);
  if (pages < 0) return { exports: probe, module, memory: probe.memory }; // init answers the same status: its error names it
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch (err) {
    return { reason: `a shared memory of ${pages * 65536} bytes could not be reserved (${String(err)})` };
  }
  return { exports: await instantiateSharedCore(module, memory), module, memory };
}

/** One thread, and why (null when one was asked for). */
export function singleThread(reason: string | null): Threads {
  return { count: 1, reason, parallel: null, close: () => {} };
}

/** The pool on an init'ed shared core: the control block comes out of the arena, pinned for the core's life. */
export async function startThreads(arena: Arena, core: SharedCore & { init: readonly number[] }, threads: number, opts: ThreadOptions = {}): Promise<Threads> {
  const h = arena.tryAlloc(CONTROL_BYTES);
  if (h === 0) return singleThread(`the arena has no ${CONTROL_BYTES} bytes for the threads' control block`);
  arena.pin(h);
  const control = arena.ptr(h);
  const pool = await ComputePool.start(
    { module: core.module, memory: core.memory, init: core.init, control },
    { ...opts, threads: Math.min(threads, MAX_THREADS) },
  );
  const parallel = new Parallel(pool, core.exports, opts.minSplitBytes);
  return {
    get count() {
      return pool.threads;
    },
    get reason() {
      return pool.reason;
    },
    parallel,
    close: () => pool.close(),
  };
}
