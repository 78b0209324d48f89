/**
 * ModelWarmup: primes a freshly loaded model so the first real request does not
 * pay for its cold start (the seed's `ModelWarmup` in model_cache.rs).
 *
 * A run, in order:
 * 1. `loadPinned()`: the pinned hot set (embeddings, output head, last blocks).
 * 2. `prefetch(first window)`: the tensors of the first `prefetchNAhead`
 *    groups of the forward-pass schedule.
 * 3. One forward pass: with no engine, `acquireMany` + `release` of every
 *    schedule group in order; with the model's engine, a short generation
 *    from the caller's prompt token ids (ids from the model's tokenizer:
 *    nothing here invents tokens from text), then `engine.reset()`.
 *    Engine errors propagate (the engine is still reset); the caller decides
 *    whether a failed warm-up is fatal.
 *
 * `needsWarmup(target)` answers from the target's state: true until a run has
 * completed on it, and again whenever a pinned tensor or a tensor of the first
 * window is no longer resident (evicted, or the pager was reset).
 */
import { GgufPagerError } from '../errors.ts';
import type { ModelEngine } from '../engine/engine.ts';
import type { GenerateOptions } from '../engine/generation.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { LayerPager } from '../pager/layer-pager.ts';
import { pinnedSet, prefetchAhead, type OffloadPolicy } from '../pager/policy.ts';

/** What warm-up needs of a model's engine. */
export type WarmupEngine = Pick<ModelEngine, 'generate' | 'reset'>;

/** Sampling settings of the warm-up generation (the engine's GenerateOptions without the length and the seed). */
export type WarmupParams = Omit<GenerateOptions, 'maxTokens' | 'seed' | 'signal'>;

/** What warm-up needs from a model's pager; `pagerWarmupTarget` adapts a `LayerPager` to it. */
export interface WarmupTarget {
  /** Makes every pinned tensor resident. */
  loadPinned(): Promise<void>;
  /** Starts loading `ids` ahead of use (may resolve before or after they land). */
  prefetch(ids: string[]): Promise<void> | void;
  /** Tensor ids grouped as a forward pass reads them (one group per block), in order. */
  schedule(): string[][];
  /** Leases every id of `ids` (loading the missing ones); `release` ends the leases. */
  acquireMany(ids: string[]): Promise<{ release(): void }>;
  /** Cumulative: bytes read from the source, and tensor loads (misses). */
  stats(): { bytesLoaded: number; misses: number };
  /** How many schedule groups the pager keeps loading ahead of use. */
  readonly prefetchNAhead: number;
  /** Ids of the pinned hot set. */
  pinnedIds(): string[];
  /** Whether `id`'s bytes are in the arena now. */
  isResident(id: string): boolean;
}

export interface WarmupOptions {
  /** Prompt token ids from the model's tokenizer; required when running through an engine. */
  tokens?: readonly number[];
  /** Tokens to generate through an engine; an integer ≥ 1. Default 1: each token is a full pass over every block. */
  numTokens?: number;
  /** Sampling seed for the engine. Default 0. */
  seed?: number;
  /** Default: greedy (temperature 0). */
  params?: WarmupParams;
  /** Clock in ms for `elapsedMs`; injectable for tests. Default `performance.now`. */
  now?: () => number;
}

export interface WarmupResult {
  elapsedMs: number;
  /** Tensor loads (pager misses) during the run. */
  tensorsLoaded: number;
  /** Bytes read from the source during the run. */
  bytesLoaded: number;
  /** Token ids the engine generated; 0 without an engine. */
  generatedTokens: number;
}

/** Targets on which a run has completed. Weak: a dropped model takes its mark with it. */
const warmed = new WeakSet<WarmupTarget>();

export class ModelWarmup {
  readonly tokens: readonly number[] | undefined;
  readonly numTokens: number;
  readonly seed: number;
  readonly params: WarmupParams | undefined;
  private readonly now: () => number;

  constructor(options: WarmupOptions = {}) {
    this.tokens = options.tokens === undefined ? undefined : [...options.tokens];
    this.numTokens = options.numTokens ?? 1;
    this.seed = options.seed ?? 0;
    this.params = options.params;
    this.now = options.now ?? (() => performance.now());
    if (!Number.isInteger(this.numTokens) || this.numTokens < 1) {
      throw new GgufPagerError('INVALID_ARGUMENT', `ModelWarmup: numTokens must be an integer ≥ 1, got ${this.numTokens}`, { numTokens: this.numTokens });
    }
    if (this.tokens !== undefined) checkTokens(this.tokens);
  }

  /** Warms `target` up; through `engine` when one is given (needs `tokens`). */
  async run(target: WarmupTarget, engine?: WarmupEngine): Promise<WarmupResult> {
    const tokens = engine === undefined ? undefined : this.requireTokens();
    const start = this.now();
    const before = target.stats();
    await target.loadPinned();
    const window = firstWindow(target);
    if (window.length > 0) await target.prefetch(window);
    let generatedTokens = 0;
    if (engine !== undefined && tokens !== undefined) {
      generatedTokens = await this.generate(engine, tokens);
    } else {
      await forwardPass(target);
    }
    warmed.add(target);
    const after = target.stats();
    return {
      elapsedMs: this.now() - start,
      tensorsLoaded: after.misses - before.misses,
      bytesLoaded: after.bytesLoaded - before.bytesLoaded,
      generatedTokens,
    };
  }

  /** Same as the free function `needsWarmup`. */
  static needsWarmup(target: WarmupTarget): boolean {
    return needsWarmup(target);
  }

  private requireTokens(): readonly number[] {
    if (this.tokens === undefined || this.tokens.length === 0) {
      throw new GgufPagerError(
        'INVALID_ARGUMENT',
        "ModelWarmup: a warm-up through an engine needs prompt token ids from the model's tokenizer (options.tokens)",
        {},
      );
    }
    return this.tokens;
  }

  private async generate(engine: WarmupEngine, tokens: readonly number[]): Promise<number> {
    try {
      const out = await engine.generate([...tokens], { temperature: 0, ...this.params, maxTokens: this.numTokens, seed: this.seed });
      return out.tokens.length;
    } finally {
      engine.reset();
    }
  }
}

/** `pager` as warm-up sees it: its schedule's groups, the pins `policy` implies for `model`. */
export function pagerWarmupTarget(pager: LayerPager, model: GgufModel, policy: OffloadPolicy): WarmupTarget {
  const pins = [...pinnedSet(model, policy)];
  return {
    loadPinned: () => pager.loadPinned(),
    prefetch: (ids) => pager.prefetch(ids),
    schedule: () => pager.schedule.groups.map((g) => Array.from(g, (t) => model.tensors[t].name)),
    acquireMany: async (ids) => {
      const group = await pager.acquireMany(ids);
      return { release: () => pager.release(group) };
    },
    // Warm-up counts loads: misses, and the loads prefetch started ahead of use.
    stats: () => {
      const s = pager.stats();
      return { bytesLoaded: s.bytesLoaded, misses: s.misses + s.prefetches };
    },
    prefetchNAhead: prefetchAhead(policy),
    pinnedIds: () => pins,
    isResident: (id) => pager.isResident(id),
  };
}

/** True until a warm-up has run on `target`, or when its pinned set or first window is not all resident. */
export function needsWarmup(target: WarmupTarget): boolean {
  if (!warmed.has(target)) return true;
  const resident = (id: string): boolean => target.isResident(id);
  return !target.pinnedIds().every(resident) || !firstWindow(target).every(resident);
}

/** Distinct ids of the first `prefetchNAhead` schedule groups, in schedule order. */
function firstWindow(target: WarmupTarget): string[] {
  const n = target.prefetchNAhead;
  if (!Number.isInteger(n) || n < 0) {
    throw new GgufPagerError('INVALID_ARGUMENT', `warm-up: prefetchNAhead must be an integer ≥ 0, got ${n}`, { prefetchNAhead: n });
  }
  return [...new Set(target.schedule().slice(0, n).flat())];
}

async function forwardPass(target: WarmupTarget): Promise<void> {
  for (const group of target.schedule()) {
    if (group.length === 0) continue;
    const lease = await target.acquireMany(group);
    lease.release();
  }
}

function checkTokens(tokens: readonly number[]): void {
  const bad = tokens.findIndex((t) => !Number.isSafeInteger(t) || t < 0);
  if (bad >= 0) {
    throw new GgufPagerError('INVALID_ARGUMENT', `ModelWarmup: token ${bad} is ${tokens[bad]}, not a token id (an integer ≥ 0)`, {
      index: bad,
      token: tokens[bad],
    });
  }
}
