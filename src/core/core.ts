/**
 * createCore: one Wasm instance whose memory is reserved once for a budget,
 * split into the tensor arena and (optionally) KV pages carved from its top:
 * arena.capacity = arenaBytes - kv pages × page bytes. The tables that
 * describe blocks and pages sit beside the budget (memoryBytes() counts them).
 */
import { Arena } from './arena.ts';
import { GgufPagerError } from '../errors.ts';
import type { CoreExports } from './exports.ts';
import { Kernels } from './kernels.ts';
import { KvCachePool, type KvDtype } from './kv-pool.ts';
import { Ops } from './ops.ts';
import { Status } from './status.ts';
import { instantiateCore, type CoreModuleSource } from './wasm.ts';
import { resolveThreads, sharedCore, singleThread, startThreads, type ThreadOptions, type Threads } from './threads/threads.ts';

export interface KvOptions {
  pages: number;
  /** Elements per page. */
  pageElems: number;
  /** Storage type of the pages (default f32). */
  dtype?: KvDtype;
  /** Live sequences at most (default: pages, clamped to 1..4096). */
  maxSequences?: number;
}

export interface CoreOptions {
  /** The budget in bytes: tensor arena plus KV pages. Rounded down to 64. */
  arenaBytes: number;
  kv?: KvOptions;
  /** Live blocks at most (default: arenaBytes / 16 KiB, clamped to 1024..65536). */
  maxBlocks?: number;
  /** A precompiled core module or its bytes (default: build/core.wasm). */
  module?: CoreModuleSource;
  /**
   * Compute threads (default 1): a number, or 'auto' (threads/threads.ts). Above 1, and where
   * SharedArrayBuffer is usable, the core is the shared-memory build and ops split over workers.
   */
  threads?: number | 'auto';
  /** Tuning and test hooks of the compute pool. */
  threadOptions?: ThreadOptions;
}

export interface Core {
  arena: Arena;
  kv: KvCachePool | null;
  /** RMSNorm, RoPE, softmax, SiLU/SwiGLU, add, mul, scale, bias, attention over KV pages. */
  ops: Ops;
  /** The weight kernels (matvec, matmul, get_rows, dequant) over pointers into `memory`. */
  kernels: Kernels;
  memory: WebAssembly.Memory;
  /** Byte length of the Wasm memory; constant after createCore returns. */
  memoryBytes(): number;
  /** @internal The raw exports, for tests and tools. */
  exports: CoreExports;
  /** Threads computing (1 unless asked and possible), why fewer than asked, and the pool. */
  threads: Threads;
}

const MAX_BLOCKS = 65536; // assembly/nodes.ts MAX_BLOCKS
const DEFAULT_BLOCK_BYTES = 16384; // one handle per 16 KiB of budget by default
const MIN_DEFAULT_BLOCKS = 1024;
const MAX_SEQUENCES = 65535; // assembly/kv-seq.ts MAX_SEQS
const DEFAULT_MAX_SEQUENCES = 4096;
const MAX_BUDGET = 2 ** 32 - 1;

export async function createCore(opts: CoreOptions): Promise<Core> {
  const { arenaBytes, kv } = opts;
  if (!Number.isSafeInteger(arenaBytes) || arenaBytes < 64 || arenaBytes > MAX_BUDGET) {
    throw new GgufPagerError('ARENA_INIT', `arena: capacity ${arenaBytes} is not a byte count in 64..${MAX_BUDGET}`, { arenaBytes });
  }
  const maxBlocks = opts.maxBlocks ?? Math.min(MAX_BLOCKS, Math.max(MIN_DEFAULT_BLOCKS, Math.ceil(arenaBytes / DEFAULT_BLOCK_BYTES)));
  checkCount('maxBlocks', maxBlocks, 1, MAX_BLOCKS);
  const pages = kv?.pages ?? 0;
  const pageElems = kv?.pageElems ?? 0;
  const elemBytes = (kv?.dtype ?? 'f32') === 'f16' ? 2 : 4;
  if (kv?.dtype !== undefined && kv.dtype !== 'f32' && kv.dtype !== 'f16') {
    throw new GgufPagerError('ARENA_INIT', `KV pool: dtype ${String(kv.dtype)} is neither f32 nor f16`, { dtype: kv.dtype });
  }
  checkCount('kv.pages', pages, 0, MAX_BUDGET);
  if (kv) checkCount('kv.pageElems', pageElems, 2, MAX_BUDGET);
  const maxSeqs = kv?.maxSequences ?? Math.min(DEFAULT_MAX_SEQUENCES, Math.max(1, pages));
  checkCount('kv.maxSequences', maxSeqs, 1, MAX_SEQUENCES);

  const init = [arenaBytes, maxBlocks, pages, pageElems, elemBytes, maxSeqs] as const;
  const want = resolveThreads(opts.threads);
  const shared = want.threads > 1 ? await sharedCore(init) : null;
  const exports = shared && 'exports' in shared ? shared.exports : await instantiateCore(opts.module);
  const r = exports.init(...init);
  if (r !== Status.OK) throw initError(r, arenaBytes, pages, pageElems, elemBytes);
  const memory = exports.memory;
  const arena = new Arena(exports);
  const threads =
    shared && 'exports' in shared
      ? await startThreads(arena, { ...shared, init }, want.threads, opts.threadOptions)
      : singleThread(want.reason ?? (shared && 'reason' in shared ? shared.reason : null));
  return {
    arena,
    kv: kv ? new KvCachePool(exports) : null,
    ops: new Ops(exports, threads.parallel),
    kernels: new Kernels(exports, threads.parallel),
    memory,
    memoryBytes: () => memory.buffer.byteLength,
    exports,
    threads,
  };
}

function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new GgufPagerError('ARENA_INIT', `core: ${name} = ${value} is not an integer in ${min}..${max}`, { [name]: value });
  }
}

function initError(r: number, arenaBytes: number, pages: number, pageElems: number, elemBytes: number): GgufPagerError {
  const kvBytes = pages * Math.ceil((pageElems * elemBytes) / 64) * 64;
  const details = { arenaBytes, kvBytes, status: r };
  if (r === Status.E_INIT_MEMORY) {
    return new GgufPagerError(
      'ARENA_INIT',
      `arena: the Wasm memory could not grow to hold ${arenaBytes} bytes plus its tables (a 32-bit memory holds 4 GiB)`,
      details,
    );
  }
  if (kvBytes > 0 && kvBytes + 64 > arenaBytes) {
    return new GgufPagerError('ARENA_INIT', `arena: ${pages} KV pages take ${kvBytes} bytes, leaving no room for tensors in ${arenaBytes}`, details);
  }
  return new GgufPagerError('ARENA_INIT', `arena: init(${arenaBytes}) failed with status ${r}`, details);
}
