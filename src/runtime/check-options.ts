/**
 * Every option of `createRuntime` and `load` checked as soon as it is known,
 * before any worker, network or storage work: a wrong value is
 * `INVALID_ARGUMENT` naming the option and the value (`ramBytes: -5` is not a
 * "budget of -5 bytes" found after a download, `cache: 's3'` is not accepted
 * silently). Model URLs are checked by `checkModelUrl` (src/sources/http-url.ts).
 */
import { GgufPagerError } from '../core/errors.ts';
import type { OffloadPolicy } from '../pager/policy.ts';
import type { LoadOptions, RuntimeOptions } from './protocol.ts';

/** A 32-bit Wasm memory addresses at most this many bytes (the arena's limit, src/core/core.ts). */
const MAX_BYTES = 2 ** 32 - 1;
const CACHES = ['auto', 'opfs', 'idb', 'none'] as const;
const KV_TYPES = ['f16', 'f32'] as const;
const POLICY_KINDS = ['none', 'budget', 'pinnedHotSet'] as const;
const EVICTIONS = ['auto', 'lru'] as const;

function invalid(where: string, option: string, value: unknown, want: string): GgufPagerError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value);
  return new GgufPagerError('INVALID_ARGUMENT', `${where}: option ${option} = ${shown} is not ${want}`, { option, value: typeof value === 'number' || typeof value === 'string' ? value : String(value) });
}

/** An integer in [min, max] (or undefined when optional). */
function int(where: string, option: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw invalid(where, option, v, `an integer in ${min}..${max}`);
}

function oneOf(where: string, option: string, v: unknown, allowed: readonly string[]): void {
  if (v !== undefined && !allowed.includes(v as string)) throw invalid(where, option, v, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
}

function type(where: string, option: string, v: unknown, t: 'function' | 'boolean' | 'string'): void {
  if (v !== undefined && typeof v !== t) throw invalid(where, option, v, `a ${t}`);
}

function urlOption(where: string, option: string, v: unknown, nullable = false): void {
  if (v === undefined || (nullable && v === null)) return;
  if (typeof v !== 'string' && !(v instanceof URL)) throw invalid(where, option, v, 'a URL');
}

/** The options of `createRuntime` (budget resolved or not). */
export function checkRuntimeOptions(o: RuntimeOptions): void {
  const w = 'createRuntime';
  if (o === null || typeof o !== 'object') throw invalid(w, 'options', o, 'an object');
  int(w, 'budget', o.budget, 64, MAX_BYTES);
  int(w, 'kvBytes', o.kvBytes, 0, MAX_BYTES);
  if (o.kvBytes !== undefined && o.budget !== undefined && o.kvBytes > o.budget) throw invalid(w, 'kvBytes', o.kvBytes, `at most the budget (${o.budget})`);
  oneOf(w, 'kvType', o.kvType, KV_TYPES);
  int(w, 'kvPageElems', o.kvPageElems, 1, MAX_BYTES);
  int(w, 'maxModels', o.maxModels, 1);
  if (o.modelTtlMs !== undefined && !(typeof o.modelTtlMs === 'number' && o.modelTtlMs >= 0)) throw invalid(w, 'modelTtlMs', o.modelTtlMs, 'a number of ms ≥ 0 (or Infinity)');
  type(w, 'worker', o.worker, 'function');
  urlOption(w, 'workerUrl', o.workerUrl);
  urlOption(w, 'wasmUrl', o.wasmUrl);
  urlOption(w, 'relaxedWasmUrl', o.relaxedWasmUrl, true);
}

/** An offload policy: a known kind with byte counts and counts that make sense. */
export function checkPolicy(where: string, p: OffloadPolicy | undefined): void {
  if (p === undefined) return;
  if (p === null || typeof p !== 'object') throw invalid(where, 'policy', p, 'an object');
  oneOf(where, 'policy.kind', p.kind, POLICY_KINDS);
  oneOf(where, 'policy.eviction', p.eviction, EVICTIONS);
  if (p.kind === 'none') return;
  if (p.ramBytes === undefined) throw invalid(where, 'policy.ramBytes', p.ramBytes, 'a byte count');
  int(where, 'policy.ramBytes', p.ramBytes, 1, MAX_BYTES);
  if (p.kind !== 'pinnedHotSet') return;
  type(where, 'policy.pinEmbeddings', p.pinEmbeddings, 'boolean');
  type(where, 'policy.pinOutputHead', p.pinOutputHead, 'boolean');
  int(where, 'policy.pinLastNLayers', p.pinLastNLayers, 0);
  int(where, 'policy.prefetchNAhead', p.prefetchNAhead, 0);
}

/** The options of `load` that cross to the worker (and the page's own, when given). */
export function checkLoadOptions(o: LoadOptions, where = 'load'): void {
  if (o === null || typeof o !== 'object') throw invalid(where, 'options', o, 'an object');
  checkPolicy(where, o.policy);
  oneOf(where, 'cache', o.cache, CACHES);
  type(where, 'download', o.download, 'boolean');
  type(where, 'integrity', o.integrity, 'string');
  type(where, 'onProgress', o.onProgress, 'function');
  int(where, 'contextLength', o.contextLength, 1);
  oneOf(where, 'kvType', o.kvType, KV_TYPES);
  int(where, 'batchSize', o.batchSize, 1, 4096);
  const s = o.signal as unknown;
  if (s !== undefined && (s === null || typeof s !== 'object' || typeof (s as AbortSignal).aborted !== 'boolean')) throw invalid(where, 'signal', s, 'an AbortSignal');
}
