/**
 * The block-major forward pass on the pager: for each batch of tokens (default
 * 32), embed them, then for each block acquire its tensors as a group
 * (`acquireLayer`), run the architecture's block on the leased bytes in place,
 * release; the pager's prefetch loads the next blocks meanwhile. A prompt of N
 * tokens so reads each weight ⌈N/32⌉ times. Logits are computed only for the
 * rows asked for (the last prompt position, then each new token).
 */
import type { Core } from '../core/core.ts';
import { GgufPagerError } from '../errors.ts';
import type { GgufModel, TensorInfo } from '../gguf/types.ts';
import type { LayerPager } from '../pager/layer-pager.ts';
import type { PagerSource } from '../sources/source.ts';
import { architectureOf, type Architecture } from './architecture.ts';
import { Embeddings } from './embeddings.ts';
import { readHParams, tensorOf, type HParams } from './hparams.ts';
import { computeOf } from './kernel-api.ts';
import { KvCache } from './kv-cache.ts';
import { layerWindows } from './arch/types.ts';
import { Scratch, ScratchLayout } from './scratch.ts';
import { BlockWeights, GlobalWeights, Steps, weightOf, type Buffer } from './steps.ts';
import { checkTensors } from './tensor-check.ts';
import { headChunkBytes, headStreams, StreamedHead } from './output-head.ts';

export const DEFAULT_BATCH_SIZE = 32;
/** Tokens an encoder packs into one batch at most, unless an input is longer (then that input's length). */
export const ENCODER_PACK = 128;

export interface ForwardOptions {
  /** Tokens per batch through each block (default 32). */
  batchSize?: number;
  /** Tokens the KV cache holds at most (default: trained context, capped by the KV pool). */
  contextLength?: number;
}

/** Logits of one computed position, for checks against other runtimes. */
export type LogitsSink = (position: number, logits: Float32Array) => void;

export class Forward {
  readonly arch: Architecture;
  readonly hp: HParams;
  readonly batchSize: number;
  readonly kv: KvCache;
  readonly embeddings: Embeddings;
  /** The output head read from the source chunk by chunk, when it cannot fit the budget; else undefined (leased). */
  readonly head: StreamedHead | undefined;
  /** An encoder (bert): bidirectional attention within each input, embeddings only (`encode`), no head. */
  readonly encoder: boolean;
  private readonly scratch: Scratch<Buffer>;
  private readonly steps: Steps;
  private readonly tensors: readonly TensorInfo[];
  private readonly infos = new Map<string, TensorInfo>();
  private readonly outputName: string;
  private readonly ropeFactors: string | null;
  private readonly memory: WebAssembly.Memory;
  private disposed = false;

  constructor(
    core: Core,
    readonly model: GgufModel,
    readonly pager: LayerPager,
    sources: readonly PagerSource[],
    readonly label: string,
    opts: ForwardOptions = {},
  ) {
    this.arch = architectureOf(model, label);
    this.memory = core.memory;
    const { kernels, ops } = computeOf(core);
    const hp = (this.hp = readHParams(model, this.arch));
    this.tensors = model.tensors;
    checkTensors(model, this.arch, hp, kernels, label);
    const has = (name: string): boolean => model.tensors.some((t) => t.name === name);
    this.outputName = has('output.weight') ? 'output.weight' : 'token_embd.weight';
    this.encoder = this.arch.features.encoder === true;
    this.batchSize = opts.batchSize ?? defaultBatchSize(this.arch, hp);
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 4096) {
      throw new GgufPagerError('INVALID_ARGUMENT', `${label}: batchSize must be an integer in 1..4096, got ${this.batchSize}`, { batchSize: this.batchSize });
    }
    const pool = core.kv;
    if (!pool) {
      throw new GgufPagerError('KV_EXHAUSTED', `${label}: the runtime has no KV pages (start it with kvBytes > 0) so it cannot generate`, {});
    }
    const perPage = pool.tokensPerPage(hp.kvDim);
    const windows = layerWindows(hp, this.arch);
    const poolTokens = poolContext(windows, hp, perPage, this.batchSize, pool.totalPages);
    const contextLength = opts.contextLength ?? Math.min(hp.trainedContext, poolTokens);
    if (!Number.isInteger(contextLength) || contextLength < 1) {
      throw new GgufPagerError(
        'INVALID_ARGUMENT',
        `${label}: context length ${contextLength} is not a positive integer (the KV pool holds ${poolTokens} tokens of this model)`,
        { contextLength, poolTokens },
      );
    }
    const B = this.batchSize;
    const f = 4;
    // Every matrix (token_embd too: a tied output head is a matvec over it) may be dotted with a batch.
    // A loop, not Math.max(...): a header may list a million tensors (too many arguments for one call).
    let work = 0;
    for (const t of model.tensors) if (t.dims.length >= 2 && t.dims[1] > 1) work = Math.max(work, kernels.workBytes(t.type, t.dims[0], B));
    const embd = tensorOf(model, 'token_embd.weight', hp.arch);
    const layout = new ScratchLayout<Buffer>()
      .add('x', B * hp.nEmbd * f)
      .add('xn', B * hp.nEmbd * f)
      .add('tmp', B * hp.nEmbd * f)
      .add('q', B * hp.nHead * hp.headDim * f)
      .add('att', B * hp.nHead * hp.headDim * f)
      .add('k', B * hp.kvDim * f)
      .add('v', B * hp.kvDim * f)
      .add('gate', B * hp.nFf * f)
      .add('up', B * hp.nFf * f)
      .add('logits', hp.vocab * f)
      .add('pos', B * 4)
      .add('work', work)
      .add('attScratch', ops.attentionScratchBytes?.(contextLength) ?? contextLength * f + 64)
      .add('row', kernels.rowBytes(embd.type, embd.dims[0]));
    const head = this.info(this.outputName);
    const chunk =
      !this.encoder && headStreams(pager, head, tensorOf(model, 'output_norm.weight', hp.arch))
        ? headChunkBytes(kernels.rowBytes(head.type, head.dims[0]), head.size)
        : 0;
    if (chunk > 0) layout.add('head0', chunk).add('head1', chunk);
    this.scratch = new Scratch(core.arena, layout, label);
    try {
      this.kv = new KvCache(pool, core.memory, hp.nLayer, hp.kvDim, contextLength, label, windows);
    } catch (e) {
      this.scratch.free();
      throw e;
    }
    this.ropeFactors = this.arch.features.ropeFactors?.(hp, contextLength, has) ?? null;
    this.embeddings = new Embeddings(embd, pager, sources, kernels, core.memory, this.scratch.ptr('row'));
    this.head = chunk > 0 ? new StreamedHead(head, sources, kernels, core.memory, [this.scratch.ptr('head0'), this.scratch.ptr('head1')], chunk) : undefined;
    this.steps = new Steps(hp, this.arch, kernels, ops, this.scratch, this.kv);
  }

  /**
   * Tensors this forward pass never leases whole, so their size needs no room in the budget: the token
   * embeddings (a lookup reads only its rows, from the source unless they are resident) unless they are
   * the leased output head, and a head streamed from the source in row chunks.
   */
  get unleasedTensors(): ReadonlySet<string> {
    const names = new Set<string>();
    if (this.head) names.add(this.outputName);
    if (this.head || this.outputName !== 'token_embd.weight') names.add('token_embd.weight');
    return names;
  }

  /** Bytes of arena this engine holds for activations and scratch. */
  get scratchBytes(): number {
    return this.scratch.bytes;
  }

  /**
   * Runs `ids` after the cached tokens and appends them to the KV cache.
   * Returns the logits of the last token (a copy); `sink` receives every
   * position's logits when given (then each is computed).
   */
  async run(ids: readonly number[], signal?: AbortSignal, sink?: LogitsSink): Promise<Float32Array> {
    let last: Float32Array = new Float32Array(0);
    await this.eachBatch(ids, signal, async (batch, at) => {
      if (sink || at + batch.length === ids.length) {
        const rows = sink ? batch.map((_, i) => i) : [batch.length - 1];
        last = await this.logits(rows, this.kv.length - batch.length, sink);
      }
    });
    return last;
  }

  /**
   * Runs `ids` after the cached tokens as `run` does, but stops before the
   * output head: `onHidden` gets each batch's hidden states after
   * `output_norm` (rows × nEmbd, a view into the scratch, valid during the
   * call) and the index of its first token. Pooled embeddings read these.
   */
  async hidden(ids: readonly number[], onHidden: (rows: Float32Array, first: number) => void, signal?: AbortSignal): Promise<void> {
    this.checkLive();
    const norm = await this.pager.acquire('output_norm.weight', { signal });
    try {
      await this.eachBatch(ids, signal, (batch, at) => {
        this.steps.outputNormRows(batch.length, weightOf(this.info('output_norm.weight'), norm.ptr));
        onHidden(new Float32Array(this.view(), this.scratch.ptr('xn'), batch.length * this.hp.nEmbd), at);
      });
    } finally {
      this.pager.release(norm);
    }
  }

  /** `ids` through the blocks batch by batch, the RoPE factors leased around it; `after` runs once a batch is in the KV cache. */
  private async eachBatch(
    ids: readonly number[],
    signal: AbortSignal | undefined,
    after: (batch: number[], at: number) => Promise<void> | void,
  ): Promise<void> {
    this.checkLive();
    this.checkDecoder();
    if (ids.length === 0) throw new GgufPagerError('INVALID_ARGUMENT', `${this.label}: no tokens to run`, {});
    this.kv.reserve(ids.length);
    const factors = this.ropeFactors ? await this.pager.acquire(this.ropeFactors, { signal }) : undefined;
    this.steps.ropeFactors = factors ? factors.ptr : 0;
    try {
      for (let at = 0; at < ids.length; at += this.batchSize) {
        const batch = ids.slice(at, at + this.batchSize);
        try {
          await this.batch(batch, signal);
        } catch (e) {
          this.kv.clear(); // the layers may hold different numbers of tokens now
          throw e;
        }
        await after(batch, at);
      }
    } finally {
      if (factors) this.pager.release(factors);
    }
  }

  /**
   * Makes room in a full context as llama.cpp does: keeps the first `keep`
   * tokens, drops half of the rest (the oldest), and re-rotates the K of the
   * tokens that move down. Returns the number of tokens dropped.
   */
  async shiftContext(keep: number): Promise<number> {
    this.checkLive();
    const n = this.kv.length;
    const k0 = Math.max(0, Math.min(keep, n - 1));
    const drop = Math.floor((n - k0) / 2);
    if (drop < 1) return 0;
    const hp = this.hp;
    const s = this.steps;
    const kPtr = this.scratch.ptr('k');
    const factors = this.ropeFactors ? await this.pager.acquire(this.ropeFactors) : undefined;
    s.ropeFactors = factors ? factors.ptr : 0;
    try {
      new Int32Array(this.view(), this.scratch.ptr('pos'), 1)[0] = -drop;
      this.kv.shift(k0, drop, (k, layer) => {
        const swa = s.slides(layer);
        new Float32Array(this.view(), kPtr, hp.kvDim).set(k);
        s.ropeAt(kPtr, 1, hp.nHeadKv, swa ? hp.ropeBaseSwa : hp.ropeBase, swa ? hp.ropeScaleSwa : hp.ropeScale);
        k.set(new Float32Array(this.view(), kPtr, hp.kvDim));
      });
    } finally {
      if (factors) this.pager.release(factors);
    }
    return drop;
  }

  /**
   * An encoder's embeddings: the inputs (each whole, at most `inputLimit` tokens) are packed into
   * batches of up to ENCODER_PACK tokens (or the longest input's), each input attending to its own tokens only, from position 0;
   * `onInput` gets each input's rows after the last block (tokens × nEmbd, a view into the scratch,
   * valid during the call). The KV cache is cleared before each batch and after.
   */
  async encode(inputs: readonly (readonly number[])[], onInput: (index: number, rows: Float32Array) => void, signal?: AbortSignal): Promise<void> {
    this.checkLive();
    const width = this.hp.nEmbd;
    try {
      // batches of ~128 tokens run faster than the whole scratch's (the matmul's activations stay in cache)
      const pack = Math.min(this.batchSize, this.kv.contextLength, Math.max(ENCODER_PACK, ...inputs.map((x) => x.length)));
      for (const group of packInputs(inputs, pack)) {
        const ids = group.flatMap((i) => inputs[i]);
        const spans = new Int32Array(2 * ids.length);
        const positions: number[] = [];
        for (const i of group) {
          const [first, end] = [positions.length, positions.length + inputs[i].length];
          for (let t = first; t < end; t++) spans.set([first, end], 2 * t);
          for (let p = 0; p < inputs[i].length; p++) positions.push(p);
        }
        this.kv.clear();
        this.kv.reserve(ids.length);
        this.steps.spans = spans;
        await this.batch(ids, signal, positions);
        let at = 0;
        for (const i of group) {
          onInput(i, new Float32Array(this.view(), this.scratch.ptr('x') + at * width * 4, inputs[i].length * width));
          at += inputs[i].length;
        }
      }
    } finally {
      this.steps.spans = null;
      this.kv.clear();
    }
  }

  /** The most tokens one input may have: a causal model's context; an encoder's input must also fit one batch and its position table. */
  get inputLimit(): number {
    const n = this.kv.contextLength;
    return this.encoder ? Math.min(n, this.batchSize, this.hp.trainedContext) : n;
  }

  private async batch(ids: number[], signal?: AbortSignal, positions?: readonly number[]): Promise<void> {
    const s = this.steps;
    const view = this.view();
    s.n = ids.length;
    s.start = this.kv.length;
    const pos = new Int32Array(view, this.scratch.ptr('pos'), ids.length);
    for (let i = 0; i < ids.length; i++) pos[i] = positions ? positions[i] : s.start + i;
    s.positions = positions ?? Array.from(pos);
    await this.embeddings.lookup(ids, this.scratch.ptr('x'), signal);
    if (this.arch.features.embedScale) s.scale('x', Math.fround(Math.sqrt(this.hp.nEmbd)), this.hp.nEmbd);
    if (this.arch.embed) await this.embedSteps(this.arch.embed, signal);
    for (let layer = 0; layer < this.hp.nLayer; layer++) {
      const lease = await this.pager.acquireLayer(layer, { signal });
      try {
        this.arch.block(s, layer, new BlockWeights(lease, this.tensors));
      } finally {
        this.pager.release(lease);
      }
    }
    this.kv.commit(ids);
  }

  /** The architecture's steps after the lookup, on its declared global tensors that the model has (leased together). */
  private async embedSteps(embed: NonNullable<Architecture['embed']>, signal?: AbortSignal): Promise<void> {
    const names = (this.arch.globalTensors ?? []).map((d) => d.name).filter((n) => this.tensors.some((t) => t.name === n));
    const group = names.length > 0 ? await this.pager.acquireMany(names, { signal }) : undefined;
    try {
      embed(this.steps, new GlobalWeights(group, this.tensors));
    } finally {
      if (group) this.pager.release(group);
    }
  }

  private async logits(rows: number[], firstPos: number, sink?: LogitsSink): Promise<Float32Array> {
    if (this.head) return this.streamedLogits(this.head, rows, firstPos, sink);
    const group = await this.pager.acquireMany(['output_norm.weight', this.outputName]);
    try {
      const norm = weightOf(this.info('output_norm.weight'), group.get('output_norm.weight').ptr);
      const out = weightOf(this.info(this.outputName), group.get(this.outputName).ptr);
      let logits = new Float32Array(0);
      for (const r of rows) {
        this.steps.logits(r, norm, out);
        logits = new Float32Array(this.view(), this.scratch.ptr('logits'), this.hp.vocab).slice();
        sink?.(firstPos + r, logits);
      }
      return logits;
    } finally {
      this.pager.release(group);
    }
  }

  /** logits through a head streamed from the source (read once per row asked for). */
  private async streamedLogits(head: StreamedHead, rows: number[], firstPos: number, sink?: LogitsSink): Promise<Float32Array> {
    const lease = await this.pager.acquire('output_norm.weight');
    try {
      const norm = weightOf(this.info('output_norm.weight'), lease.ptr);
      let logits = new Float32Array(0);
      for (const r of rows) {
        this.steps.outputNorm(r, norm);
        await head.project(this.scratch.ptr('xn'), this.scratch.ptr('logits'), this.scratch.ptr('work'));
        this.steps.finalCap();
        logits = new Float32Array(this.view(), this.scratch.ptr('logits'), this.hp.vocab).slice();
        sink?.(firstPos + r, logits);
      }
      return logits;
    } finally {
      this.pager.release(lease);
    }
  }

  /** A tensor's info by name, looked up once (the tensor list makes an object per element it walks: this runs per token). */
  private info(name: string): TensorInfo {
    let t = this.infos.get(name);
    if (!t) this.infos.set(name, (t = this.tensors.find((x) => x.name === name)!));
    return t;
  }

  /** The Wasm memory's buffer (it never grows, but a fresh reference costs nothing). */
  private view(): ArrayBuffer {
    return this.memory.buffer as ArrayBuffer;
  }

  /** Frees the KV pages and the scratch block. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.kv.dispose();
    this.scratch.free();
  }

  /** Why this model cannot generate (an encoder has no head and sees the whole input), or undefined. */
  get generateError(): GgufPagerError | undefined {
    if (!this.encoder) return undefined;
    return new GgufPagerError(
      'UNSUPPORTED_ARCHITECTURE',
      `${this.label}: ${this.hp.arch} is an encoder (bidirectional attention, no output head): it computes embeddings but cannot generate`,
      { architecture: this.hp.arch },
    );
  }

  private checkDecoder(): void {
    const e = this.generateError;
    if (e) throw e;
  }

  private checkLive(): void {
    if (this.disposed) throw new GgufPagerError('MODEL_DISPOSED', `${this.label}: the engine was disposed`, {});
  }
}

/** Tokens per batch unless told: 32, but an encoder's trained context (its input runs whole in one batch). */
export function defaultBatchSize(arch: Architecture, hp: HParams): number {
  return arch.features.encoder ? Math.min(hp.trainedContext, 4096) : DEFAULT_BATCH_SIZE;
}

/** Input indices grouped in order into batches of at most `batch` tokens (an input is never split). */
export function packInputs(inputs: readonly (readonly number[])[], batch: number): number[][] {
  const groups: number[][] = [];
  let tokens = batch;
  inputs.forEach((ids, i) => {
    if (tokens + ids.length > batch) {
      groups.push([]);
      tokens = 0;
    }
    groups[groups.length - 1].push(i);
    tokens += ids.length;
  });
  return groups;
}

/**
 * The longest context the pool's pages hold for this model: global layers take ⌈n / perPage⌉ pages each,
 * sliding layers their ring, and one layer's pages stay spare (truncating or shifting rebuilds a layer beside the others).
 */
export function poolContext(windows: readonly number[], hp: HParams, perPage: number, batch: number, totalPages: number): number {
  if (perPage === 0) return 0;
  const fits = (n: number): boolean => {
    const p = KvCache.pagesFor(windows, hp.nLayer, perPage, n, batch);
    return p.total + p.layer <= totalPages;
  };
  let lo = 0;
  let hi = Math.max(1, hp.trainedContext);
  if (fits(hi)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
