/**
 * Every option of `createRuntime` and `load` checked as soon as it is known,
 * before any worker, network or storage work: a wrong value is
 * `INVALID_ARGUMENT` naming the option and the value (`ramBytes: -5` is not a
 * "budget of -5 bytes" found after a download, `cache: 's3'` is not accepted
 * silently). Model URLs are checked by `checkModelUrl` (src/sources/http/url.ts).
 */
import { checkPolicy } from '../pager/policy.ts';
import { invalid, int, oneOf, type, urlOption } from '../core/option-check.ts';
import type { LoadOptions, RuntimeOptions } from './protocol.ts';

/** A 32-bit Wasm memory addresses at most this many bytes (the arena's limit, src/core/core.ts). */
const MAX_BYTES = 2 ** 32 - 1;
const CACHES = ['auto', 'opfs', 'idb', 'none'] as const;
const KV_TYPES = ['f16', 'f32'] as const;

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
  if (o.modelTtlMs !== undefined && !(typeof o.modelTtlMs === 'number' && o.modelTtlMs >= 0))
    throw invalid(w, 'modelTtlMs', o.modelTtlMs, 'a number of ms ≥ 0 (or Infinity)');
  type(w, 'worker', o.worker, 'function');
  urlOption(w, 'workerUrl', o.workerUrl);
  urlOption(w, 'wasmUrl', o.wasmUrl);
  urlOption(w, 'relaxedWasmUrl', o.relaxedWasmUrl, true);
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
  if (s !== undefined && (s === null || typeof s !== 'object' || typeof (s as AbortSignal).aborted !== 'boolean'))
    throw invalid(where, 'signal', s, 'an AbortSignal');
}
