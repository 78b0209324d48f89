/**
 * One loaded model inside the worker: its GGUF index, its sources and its
 * LayerPager over the shared arena. Builds the info table the page shows,
 * walks the model through the pager for the demo (pagingDryRun, no arithmetic), and adapts the pager to warm-up.
 */
import type { Core } from '../core/core.ts';
import { GgufPagerError, isGgufPagerError } from '../errors.ts';
import { ModelEngine } from '../engine/engine.ts';
import type { GenerateResult, Piece } from '../engine/generation.ts';
import type { GgufModel, GgufValue } from '../gguf/types.ts';
import { LayerPager } from '../pager/layer-pager.ts';
import { blockCount, blockIndexOf, pinnedSet, type OffloadPolicy } from '../pager/policy.ts';
import type { OpenedSources } from './open-sources.ts';
import type { SourceRef } from './source-pool.ts';
import type {
  GenerateRequest,
  GenerationStats,
  ModelInfo,
  ModelStats,
  PagingDryRunOptions,
  PagingDryRunSample,
  TensorRow,
  WireErrorInfo,
  WireGenerateOptions,
  WireGenerateResult,
} from './protocol.ts';
import { pagerWarmupTarget, type WarmupTarget } from './warmup.ts';

/** Metadata arrays longer than this are cut in `info` (a vocabulary is 32 000+ strings). */
export const INFO_ARRAY_ITEMS = 64;

/** What a load asks of the engine. */
export interface EngineLoadOptions {
  contextLength?: number;
  kvType?: 'f16' | 'f32';
  batchSize?: number;
}

const NO_GENERATION: GenerationStats = {
  promptTokens: 0,
  promptTokensProcessed: 0,
  generatedTokens: 0,
  timeToFirstTokenMs: 0,
  promptTokensPerSecond: 0,
  tokensPerSecond: 0,
  bytesLoadedPerToken: 0,
  cachedTokens: 0,
};

export class LoadedModel {
  readonly pager: LayerPager;
  readonly info: ModelInfo;
  readonly opened: OpenedSources;
  /** The generation engine, or why this model cannot generate. */
  private readonly engineOrError: ModelEngine | GgufPagerError;
  private last: GenerationStats = NO_GENERATION;

  constructor(
    readonly id: number,
    readonly model: GgufModel,
    private readonly sources: SourceRef,
    core: Core,
    readonly policy: OffloadPolicy,
    engineOpts: EngineLoadOptions = {},
  ) {
    this.opened = sources.opened;
    this.pager = new LayerPager({ arena: core.arena, sources: this.opened.sources, model, policy });
    // The engine's scratch is reserved now, before the pager fills the arena.
    this.engineOrError = createEngine(core, model, this.pager, this.opened, engineOpts);
    this.info = this.describe();
  }

  /** The engine; throws why this model cannot generate. */
  engine(): ModelEngine {
    if (this.engineOrError instanceof ModelEngine) return this.engineOrError;
    throw this.engineOrError;
  }

  async generate(req: GenerateRequest, opts: WireGenerateOptions, signal: AbortSignal | undefined, onPiece: (p: Piece) => void): Promise<WireGenerateResult> {
    const engine = this.engine();
    const logits: Array<{ position: number; logits: number[] }> = [];
    const o = {
      ...opts,
      signal,
      ...(opts.logits ? { onLogits: (position: number, l: Float32Array) => void logits.push({ position, logits: Array.from(l) }) } : {}),
    };
    const r: GenerateResult =
      req.kind === 'chat'
        ? await engine.chat(req.messages, { ...o, template: req.template, templateVars: req.templateVars }, onPiece)
        : await engine.generate(req.prompt, o, onPiece);
    this.last = {
      promptTokens: r.promptTokens,
      promptTokensProcessed: r.promptTokensProcessed,
      generatedTokens: r.generatedTokens,
      timeToFirstTokenMs: r.timeToFirstTokenMs,
      promptTokensPerSecond: r.promptTokensPerSecond,
      tokensPerSecond: r.tokensPerSecond,
      bytesLoadedPerToken: r.bytesLoadedPerToken,
      cachedTokens: engine.cachedTokens.length,
    };
    return opts.logits ? { ...r, logits } : r;
  }

  private describe(): ModelInfo {
    const { model, policy } = this;
    const pins = pinnedSet(model, policy);
    const metadata: Array<[string, GgufValue]> = [];
    const truncated: Record<string, number> = {};
    for (const [k, v] of model.metadata) {
      if (Array.isArray(v) && v.length > INFO_ARRAY_ITEMS) {
        metadata.push([k, v.slice(0, INFO_ARRAY_ITEMS)]);
        truncated[k] = v.length - INFO_ARRAY_ITEMS;
      } else metadata.push([k, v]);
    }
    const tensors: TensorRow[] = model.tensors.map((t) => ({
      name: t.name,
      type: t.typeName,
      dims: t.dims,
      offset: t.offset,
      size: t.size,
      shard: t.shard,
      block: blockIndexOf(t.name),
      pinned: pins.has(t.name),
    }));
    const arch = model.metadata.get('general.architecture');
    return {
      id: this.id,
      source: this.opened.label,
      version: model.version,
      architecture: typeof arch === 'string' ? arch : 'unknown',
      blockCount: blockCount(model),
      totalBytes: model.totalTensorBytes,
      fileSize: model.shards.reduce((a, s) => a + s.fileSize, 0),
      metadata,
      truncated,
      tensors,
      pinnedBytes: this.pager.pinnedBytes,
      budgetBytes: this.pager.budgetBytes,
      policy,
      canGenerate: this.engineOrError instanceof ModelEngine && this.engineOrError.canGenerate,
      contextLength: this.engineOrError instanceof ModelEngine ? this.engineOrError.contextLength : 0,
      ...(this.engineOrError instanceof ModelEngine
        ? this.engineOrError.forward.generateError
          ? { generateError: wire(this.engineOrError.forward.generateError) }
          : {}
        : { generateError: wire(this.engineOrError) }),
    };
  }

  stats(): ModelStats {
    const cachedTokens = this.engineOrError instanceof ModelEngine ? this.engineOrError.cachedTokens.length : 0;
    return { ...this.pager.stats(), ...this.opened.traffic(), ...this.last, cachedTokens, id: this.id };
  }

  /** Tensor names of each forward-pass group, in order. */
  groups(): string[][] {
    return this.pager.schedule.groups.map((g) => Array.from(g, (t) => this.model.tensors[t].name));
  }

  /** Loads tensors by name, or whole blocks by index, ahead of use. */
  async prefetch(what: Array<string | number>, signal?: AbortSignal): Promise<void> {
    const ids: string[] = [];
    for (const w of what) {
      if (typeof w === 'string') ids.push(w);
      else {
        const g = this.pager.schedule.groupOfBlock(w);
        if (g < 0) throw new GgufPagerError('INVALID_ARGUMENT', `${this.opened.label}: no block ${w}`, { block: w });
        for (const t of this.pager.schedule.groups[g]) ids.push(this.model.tensors[t].name);
      }
    }
    await this.pager.prefetch(ids, { signal });
  }

  /** A copy of one tensor's bytes (the lease ends before this returns). */
  async readTensor(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    const lease = await this.pager.acquire(name, { signal });
    try {
      return lease.bytes().slice();
    } finally {
      this.pager.release(lease);
    }
  }

  /**
   * Acquires and releases every group in forward order, `tokens` times, sampling
   * stats as it goes. Samples are sent without waiting (across the worker they
   * travel on a channel of their own); the run ends after all were delivered.
   */
  async pagingDryRun(opts: PagingDryRunOptions, onSample?: (s: PagingDryRunSample) => void | Promise<void>, signal?: AbortSignal): Promise<ModelStats> {
    const groups = this.groups();
    const every = Math.max(1, opts.sampleEvery ?? 1);
    const delivered: Array<void | Promise<void>> = [];
    for (let token = 0; token < opts.tokens; token++) {
      for (let g = 0; g < groups.length; g++) {
        const lease = await this.pager.acquireMany(groups[g], { signal });
        this.pager.release(lease);
        if (onSample && (g % every === 0 || g === groups.length - 1)) {
          const s = this.pager.stats();
          delivered.push(
            onSample({ token, group: g, residentBytes: s.residentBytes + s.loadingBytes, hits: s.hits, misses: s.misses, bytesLoaded: s.bytesLoaded }),
          );
        }
      }
    }
    await Promise.all(delivered);
    return this.stats();
  }

  /** The pager as warm-up sees it. */
  warmupTarget(): WarmupTarget {
    return pagerWarmupTarget(this.pager, this.model, this.policy);
  }

  async dispose(): Promise<void> {
    if (this.engineOrError instanceof ModelEngine) this.engineOrError.dispose();
    this.pager.dispose();
    await this.sources.release();
  }
}

function createEngine(core: Core, model: GgufModel, pager: LayerPager, opened: OpenedSources, o: EngineLoadOptions): ModelEngine | GgufPagerError {
  try {
    if (o.kvType !== undefined && core.kv && core.kv.dtype !== o.kvType) {
      throw new GgufPagerError(
        'INVALID_ARGUMENT',
        `${opened.label}: kvType ${o.kvType} asked, but the runtime's KV pages are ${core.kv.dtype} (set kvType in createRuntime)`,
        { kvType: o.kvType },
      );
    }
    return new ModelEngine(core, model, pager, opened.sources, opened.label, { contextLength: o.contextLength, batchSize: o.batchSize });
  } catch (e) {
    if (isGgufPagerError(e)) return e;
    return new GgufPagerError('INVALID_ARGUMENT', `${opened.label}: ${(e as Error).message}`, {});
  }
}

function wire(e: GgufPagerError): WireErrorInfo {
  return { code: e.code, message: e.message };
}
