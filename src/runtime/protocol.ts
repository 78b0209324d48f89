/**
 * The shapes that cross the worker boundary: options, progress, stats, model
 * info. Types only, no logic (like comlink's protocol.ts).
 */
import type { IntegrityReport } from '../sources/cache/integrity.ts';
import type { ErrorCode } from '../errors.ts';
import type { GgufValue } from '../gguf/types.ts';
import type { PagerStats } from '../pager/events.ts';
import type { OffloadPolicy } from '../pager/policy.ts';
import type { GenerateOptions, GenerateResult } from '../engine/generation.ts';
export type { ChatMessage } from '../text/chat.ts';
export type { GenerateOptions, GenerateResult, Piece, StopReason } from '../engine/generation.ts';

export type CacheStore = 'opfs' | 'idb' | 'none' | 'auto';

export interface RuntimeOptions {
  /** The tab's RAM budget in bytes: the arena's capacity (weights + KV pages). Default: a quarter of navigator.deviceMemory, below 4 GiB. */
  budget?: number;
  /** Bytes of the budget reserved for KV-cache pages (default: an eighth of the budget, at most 256 MiB; 0 = no KV pool, no generation). */
  kvBytes?: number;
  /** Storage type of the KV pages (default f16). */
  kvType?: 'f16' | 'f32';
  /** Elements per KV page (default 4096). */
  kvPageElems?: number;
  /** How many models the runtime keeps loaded at once (default 2). */
  maxModels?: number;
  /** Unload a model not used for this long (default: never). */
  modelTtlMs?: number;
  /**
   * Starts a custom worker script instead of the bundled one (write it as
   * `() => new Worker(new URL('./my-worker.ts', import.meta.url), { type: 'module' })`
   * so that bundlers see it). The script exposes a WorkerRuntime, or a subclass, with comlink.
   */
  worker?: () => Worker;
  /** The stock worker script hosted elsewhere (a module worker; default: `gguf-pager-worker.js` beside the package's code). */
  workerUrl?: string | URL;
  /** The core (`core.wasm`) hosted elsewhere; then only this build loads unless `relaxedWasmUrl` is given too. */
  wasmUrl?: string | URL;
  /** The Relaxed SIMD core (`core.relaxed.wasm`) hosted elsewhere; `null`: always the plain build. */
  relaxedWasmUrl?: string | URL | null;
  /** The shared-memory core (`core.shared.wasm`, for threads) hosted elsewhere; `null`: one thread. Needed beside `wasmUrl` for threads. */
  sharedWasmUrl?: string | URL | null;
  /**
   * Compute threads (default 'auto': one per core, at most 8, where the page is cross-origin
   * isolated; else 1, and `rt.threadsReason` says why). A number asks for that many. See docs/threads.md.
   */
  threads?: number | 'auto';
}

export type LoadPhase = 'header' | 'download' | 'cache-read' | 'ready';

export interface LoadProgress {
  phase: LoadPhase;
  /** Bytes done in this phase. */
  bytesDone: number;
  /** Bytes this phase will take in all (0 if unknown). */
  bytesTotal: number;
  /** Bytes per second over the last second or so. */
  bytesPerSecond: number;
  /** Bytes that came over the network so far, in this load. */
  fromNetwork: number;
  /** Bytes that came from the on-device cache so far, in this load. */
  fromCache: number;
  /** Set while a read of the download is stalled (no byte for the stall timeout), until bytes flow again. */
  stalled?: { url: string; range: string; stalls: number; stallMs: number };
}

export interface LoadOptions {
  /** How weights are kept in RAM. Default: the runtime's budget, embeddings and output head pinned (unless they would take over half of it), one group prefetched. */
  policy?: OffloadPolicy;
  /** Where the bytes are kept on the device. Default 'auto' (OPFS, else IndexedDB). */
  cache?: CacheStore;
  /** With a cache: fetch the whole file into it during load (default true). */
  download?: boolean;
  /**
   * The file's SHA-256, as Subresource Integrity (`sha256-<base64>`) or 64 hex
   * digits: the download is hashed and a mismatch is INTEGRITY_MISMATCH (the
   * entry is deleted). Needs the cache and the download; one file only. A
   * strong ETag of 64 hex digits is checked the same way without this option.
   */
  integrity?: string;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** Tokens of context the model's KV cache holds (default: the trained context, capped by the KV pool). */
  contextLength?: number;
  /** The KV type this model expects; must match the runtime's `kvType` (the pool's pages have one type). */
  kvType?: 'f16' | 'f32';
  /** Prompt tokens run through each block at once (default 32). */
  batchSize?: number;
}

export interface TensorRow {
  name: string;
  type: string;
  dims: number[];
  offset: number;
  size: number;
  shard: number;
  /** Block index for `blk.N.*` tensors, else -1. */
  block: number;
  pinned: boolean;
}

export interface ModelInfo {
  id: number;
  /** URL, file name or blob label. */
  source: string;
  version: number;
  architecture: string;
  blockCount: number;
  totalBytes: number;
  fileSize: number;
  /** Metadata as [key, value] pairs; large arrays are cut to their first 64 items with `…(+N)` noted in `truncated`. */
  metadata: Array<[string, GgufValue]>;
  truncated: Record<string, number>;
  tensors: TensorRow[];
  pinnedBytes: number;
  budgetBytes: number;
  policy: OffloadPolicy;
  /** True when the engine runs this model (a supported architecture, weight types with kernels, a tokenizer, KV pages). */
  canGenerate: boolean;
  /** Why not, when canGenerate is false. */
  generateError?: WireErrorInfo;
  /** Tokens the model's KV cache holds (0 when it cannot generate). */
  contextLength: number;
  /** The SHA-256 checks that passed for this model's files (from the integrity option or a digest ETag). */
  integrity?: IntegrityReport[];
}

/** The pager's own stats (src/pager/events.ts), as the page sees them. */
export type PagerStatsView = PagerStats;

/** Figures of the model's last generation (zeros before the first): those of its GenerateResult, and the cache. */
export interface GenerationStats
  extends Pick<
    GenerateResult,
    'promptTokens' | 'promptTokensProcessed' | 'generatedTokens' | 'timeToFirstTokenMs' | 'promptTokensPerSecond' | 'tokensPerSecond' | 'bytesLoadedPerToken'
  > {
  /** Tokens whose K/V are cached now. */
  cachedTokens: number;
}

export interface ModelStats extends PagerStatsView, GenerationStats {
  id: number;
  fromNetwork: number;
  fromCache: number;
}

/** Generation options that cross the worker boundary (the signal and callbacks stay on the page). */
export type WireGenerateOptions = Omit<GenerateOptions, 'signal'> & { logits?: boolean };

/** A generate or chat call as the worker receives it. */
export type GenerateRequest =
  | { kind: 'generate'; prompt: string | number[] }
  | { kind: 'chat'; messages: Array<{ role: string; content: string }>; template?: string; templateVars?: Record<string, unknown> };

export type WireGenerateResult = GenerateResult & { logits?: Array<{ position: number; logits: number[] }> };

export interface ArenaStatsView {
  capacity: number;
  used: number;
  free: number;
  largestFree: number;
  liveBlocks: number;
  memoryBytes: number;
}

export interface RuntimeStats {
  budget: number;
  arena: ArenaStatsView;
  kv: { totalPages: number; freePages: number; pageSize: number } | null;
  /** The Wasm memory's byte length: constant after start. */
  memoryBytes: number;
  models: ModelStats[];
  cache: { cachedModels: number; totalHits: number; totalMisses: number; hitRate: number };
}

export interface PagingDryRunOptions {
  /** How many times to walk the whole model through the pager (one walk stands for one token). */
  tokens: number;
  /** Report stats every this many groups (default: every group). */
  sampleEvery?: number;
}

export interface PagingDryRunSample {
  token: number;
  group: number;
  residentBytes: number;
  hits: number;
  misses: number;
  bytesLoaded: number;
}

export interface CachedEntry {
  key: string;
  size: number;
  bytesCached: number;
  lastUsed: number;
  store: 'opfs' | 'idb';
}

export interface WarmupResult {
  elapsedMs: number;
  tensorsLoaded: number;
  bytesLoaded: number;
}

export interface WireErrorInfo {
  code: ErrorCode;
  message: string;
}
