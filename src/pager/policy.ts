/**
 * OffloadPolicy: how a model's weights are kept in RAM (the seed's
 * `offload_policy.rs`), and the pinned set it implies for a given GGUF model.
 *
 * - `none`: every tensor stays resident (all are pinned). A model larger than
 *   the budget is then a `PAGER_PINS_OVER_BUDGET` error, not a silent overrun.
 * - `budget`: nothing pinned; tensors page in and out under `ramBytes`.
 * - `pinnedHotSet`: like `budget`, with embeddings, output head and the last N
 *   blocks pinned, and the next `prefetchNAhead` groups loaded in the background.
 *
 * `eviction` picks the victim order: `auto` (default) = furthest next use over
 * the model's known cyclic forward-pass order; `lru` = least recently used.
 */
import type { GgufModel } from '../gguf/types.ts';
import { int, invalid, oneOf, type } from '../core/option-check.ts';

export type EvictionKind = 'auto' | 'lru';

export type OffloadPolicy =
  | { kind: 'none'; eviction?: EvictionKind }
  | { kind: 'budget'; ramBytes: number; eviction?: EvictionKind }
  | {
      kind: 'pinnedHotSet';
      ramBytes: number;
      pinEmbeddings: boolean;
      pinOutputHead: boolean;
      pinLastNLayers: number;
      prefetchNAhead: number;
      eviction?: EvictionKind;
    };

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** A 32-bit Wasm memory addresses at most 4 GiB. */
export const WASM32_MAX_BYTES = 4 * GiB;
/** Left out of the budget for the module's own data, stack and bump heap. */
export const MODULE_HEADROOM_BYTES = 64 * MiB;
/** Used when navigator.deviceMemory is not available (Node, Firefox, Safari). */
export const FALLBACK_DEVICE_MEMORY_GIB = 4;
const WASM_PAGE = 64 * 1024;

/** Pins may take at most this share of the budget in the default policy; the rest is for paging. */
export const DEFAULT_PIN_SHARE = 0.5;

/**
 * The policy of a load that names none: the whole budget, embeddings and
 * output head pinned and `prefetch` groups loaded ahead (default 1); no pins
 * when they would take more than half the budget (a large vocabulary under a
 * small budget).
 *
 * The runtime passes prefetch 0 when the bytes come from the device (a
 * downloaded cache entry, an OPFS file handle): the worker reads them
 * synchronously, so a prefetch overlaps nothing, and the room it takes makes
 * the pager evict what the furthest-next-use order would have kept. Measured
 * (`npm run bench:generate -- --prefetch 0|1`, 50 % budget): 0.56× the bytes
 * per token and 15 % faster decode for a 143 MB Q8_0 model, 0.63× and 14 %
 * for Q4_K_M.
 */
export function defaultPolicy(model: GgufModel, budget: number, prefetch = 1): OffloadPolicy {
  const hot: OffloadPolicy = { kind: 'pinnedHotSet', ramBytes: budget, pinEmbeddings: true, pinOutputHead: true, pinLastNLayers: 0, prefetchNAhead: prefetch };
  const sizes = new Map(model.tensors.map((t) => [t.name, t.size]));
  let pinned = 0;
  for (const name of pinnedSet(model, hot)) pinned += sizes.get(name) ?? 0;
  return pinned <= budget * DEFAULT_PIN_SHARE ? hot : { kind: 'budget', ramBytes: budget };
}

/** The RAM budget the policy sets, or undefined when offloading is off. */
export function ramBudgetBytes(policy: OffloadPolicy): number | undefined {
  return policy.kind === 'none' ? undefined : policy.ramBytes;
}

/** The eviction order the policy asks for (default `auto`). */
export function evictionKind(policy: OffloadPolicy): EvictionKind {
  return policy.eviction ?? 'auto';
}

/** How many groups ahead to prefetch (0 unless `pinnedHotSet`). */
export function prefetchAhead(policy: OffloadPolicy): number {
  return policy.kind === 'pinnedHotSet' ? Math.max(0, Math.floor(policy.prefetchNAhead)) : 0;
}

/**
 * The default budget: a quarter of the device's memory (navigator.deviceMemory
 * in GiB, or `deviceMemoryGiB` when given), clamped below 4 GiB minus headroom
 * for the module, rounded down to whole 64 KiB Wasm pages.
 */
export function defaultBudgetBytes(deviceMemoryGiB?: number): number {
  const nav = (globalThis as { navigator?: { deviceMemory?: unknown } }).navigator;
  const fromNav = typeof nav?.deviceMemory === 'number' ? nav.deviceMemory : undefined;
  const gib = deviceMemoryGiB ?? fromNav ?? FALLBACK_DEVICE_MEMORY_GIB;
  const quarter = ((Number.isFinite(gib) && gib > 0 ? gib : FALLBACK_DEVICE_MEMORY_GIB) * GiB) / 4;
  const clamped = Math.min(quarter, WASM32_MAX_BYTES - MODULE_HEADROOM_BYTES);
  return Math.floor(clamped / WASM_PAGE) * WASM_PAGE;
}

const BLOCK_NAME = /^blk\.(\d+)\./;

/** Block index of a `blk.N.*` tensor name, else -1. */
export function blockIndexOf(name: string): number {
  const m = BLOCK_NAME.exec(name);
  return m ? Number(m[1]) : -1;
}

/**
 * Number of transformer blocks: `<general.architecture>.block_count` when the
 * metadata has it, else one more than the highest `blk.N.` index in the names.
 */
export function blockCount(model: GgufModel): number {
  const arch = model.metadata.get('general.architecture');
  if (typeof arch === 'string') {
    const n = model.metadata.get(`${arch}.block_count`);
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
    if (typeof n === 'bigint' && n >= 0n && n <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(n);
  }
  let max = -1;
  for (const t of model.tensors) max = Math.max(max, blockIndexOf(t.name));
  return max + 1;
}

/**
 * The tensor names a policy pins for this model:
 * - `none`: every tensor;
 * - `pinEmbeddings`: `token_embd.weight`;
 * - `pinOutputHead`: `output.weight` (or `token_embd.weight` when the head is
 *   tied and `output.weight` is absent) and `output_norm.weight`;
 * - `pinLastNLayers = k`: every `blk.{N-k..N-1}.*` tensor.
 * Names the model does not have are left out.
 */
export function pinnedSet(model: GgufModel, policy: OffloadPolicy): Set<string> {
  const names = new Set(model.tensors.map((t) => t.name));
  if (policy.kind === 'none') return names;
  const pins = new Set<string>();
  if (policy.kind === 'budget') return pins;
  const add = (n: string) => {
    if (names.has(n)) pins.add(n);
  };
  if (policy.pinEmbeddings) add('token_embd.weight');
  if (policy.pinOutputHead) {
    add(names.has('output.weight') ? 'output.weight' : 'token_embd.weight');
    add('output_norm.weight');
  }
  const k = Math.max(0, Math.floor(policy.pinLastNLayers));
  if (k > 0) {
    const n = blockCount(model);
    for (const t of model.tensors) {
      const b = blockIndexOf(t.name);
      if (b >= n - k && b < n) pins.add(t.name);
    }
  }
  return pins;
}

const POLICY_KINDS = ['none', 'budget', 'pinnedHotSet'] as const;
const EVICTIONS = ['auto', 'lru'] as const;

/** An offload policy: a known kind with byte counts and counts that make sense. */
export function checkPolicy(where: string, p: OffloadPolicy | undefined): void {
  if (p === undefined) return;
  if (p === null || typeof p !== 'object') throw invalid(where, 'policy', p, 'an object');
  oneOf(where, 'policy.kind', p.kind, POLICY_KINDS);
  oneOf(where, 'policy.eviction', p.eviction, EVICTIONS);
  if (p.kind === 'none') return;
  if (p.ramBytes === undefined) throw invalid(where, 'policy.ramBytes', p.ramBytes, 'a byte count');
  int(where, 'policy.ramBytes', p.ramBytes, 1); // above the arena it is clamped to the arena
  if (p.kind !== 'pinnedHotSet') return;
  type(where, 'policy.pinEmbeddings', p.pinEmbeddings, 'boolean');
  type(where, 'policy.pinOutputHead', p.pinOutputHead, 'boolean');
  int(where, 'policy.pinLastNLayers', p.pinLastNLayers, 0);
  int(where, 'policy.prefetchNAhead', p.prefetchNAhead, 0);
}
