/**
 * The small ops a transformer block is written in: each is
 * one or a few kernel calls over the batch's activations (pinned scratch) and
 * a block's leased weights, used in place. An architecture's block (arch/*.ts)
 * composes them; its declared features choose the variants (window, soft-cap,
 * per-layer RoPE base, where the attention scale goes). Nothing here knows
 * about paging.
 *
 *   x    n × nEmbd   the residual stream            xn   n × nEmbd   normed x
 *   q    n × nHead·headDim                          k, v n × kvDim
 *   att  n × nHead·headDim  attention output        tmp  n × nEmbd   projections
 *   gate, up  n × nFf                               logits  vocab (one position)
 */
import { GgufPagerError } from '../errors.ts';
import type { TensorInfo } from '../gguf/types.ts';
import type { LeaseGroup } from '../pager/lease.ts';
import type { Architecture } from './arch/types.ts';
import type { HParams } from './hparams.ts';
import type { KernelApi, OpsApi } from './kernel-api.ts';
import type { KvCache } from './kv-cache.ts';
import type { Scratch } from './scratch.ts';

export type Buffer = 'x' | 'xn' | 'q' | 'k' | 'v' | 'att' | 'tmp' | 'gate' | 'up' | 'logits' | 'pos' | 'work' | 'attScratch' | 'row' | 'head0' | 'head1';

/** A leased weight: where its bytes are and how to read them. */
export interface Weight {
  name: string;
  ptr: number;
  type: number;
  /** ne0: elements per row. */
  cols: number;
  rows: number;
}

export function weightOf(info: TensorInfo, ptr: number): Weight {
  return { name: info.name, ptr, type: info.type, cols: info.dims[0] ?? 1, rows: info.dims.slice(1).reduce((a, b) => a * b, 1) };
}

/** Shapes of a model's tensors by index, made once (the tensor list makes an object per access: this runs per op). */
const SHAPES = new WeakMap<readonly TensorInfo[], Weight[]>();

/** weightOf(tensors[index], ptr), the shape read once per tensor. */
function leasedWeight(tensors: readonly TensorInfo[], index: number, ptr: number): Weight {
  let shapes = SHAPES.get(tensors);
  if (!shapes) SHAPES.set(tensors, (shapes = []));
  const s = (shapes[index] ??= weightOf(tensors[index], 0));
  return { name: s.name, ptr, type: s.type, cols: s.cols, rows: s.rows };
}

/** The weights of one leased block, by short name (`attn_q.weight`). */
export class BlockWeights {
  constructor(
    private readonly lease: LeaseGroup,
    private readonly tensors: readonly TensorInfo[],
  ) {}

  get(short: string): Weight {
    const l = this.lease.get(short);
    return leasedWeight(this.tensors, l.index, l.ptr);
  }

  has(short: string): boolean {
    return this.lease.leases.some((l) => l.id === `blk.${this.lease.layer}.${short}`);
  }
}

/** The declared global tensors a model has, leased for `Architecture.embed`, by full name. */
export class GlobalWeights {
  constructor(
    private readonly group: LeaseGroup | undefined,
    private readonly tensors: readonly TensorInfo[],
  ) {}

  get(name: string): Weight {
    if (!this.group || !this.has(name)) throw new GgufPagerError('MODEL_INCOMPLETE', `the model has no tensor ${name}`, { tensor: name });
    const l = this.group.get(name);
    return leasedWeight(this.tensors, l.index, l.ptr);
  }

  has(name: string): boolean {
    return this.group?.leases.some((l) => l.id === name) ?? false;
  }
}

export class Steps {
  /** Tokens in the batch now. */
  n = 0;
  /** Position of the batch's first token. */
  start = 0;
  /** The pointer to the rope factors in use (llama 3's rope_freqs, phi3's LongRoPE), or 0. */
  ropeFactors = 0;
  /** An encoder's batch: token b attends to cache positions spans[2b] .. spans[2b+1]-1 (its input's tokens); else null (causal). */
  spans: Int32Array | null = null;
  /** The batch's token positions (what 'pos' holds for RoPE). */
  positions: readonly number[] = [];

  constructor(
    readonly hp: HParams,
    readonly arch: Architecture,
    readonly kernels: KernelApi,
    readonly ops: OpsApi,
    readonly buf: Scratch<Buffer>,
    readonly kv: KvCache,
  ) {}

  /** y = W·x for each of the batch's rows (one pass over W's rows for the whole batch). */
  project(w: Weight, from: Buffer, to: Buffer): void {
    this.matmul(w, this.buf.ptr(from), this.buf.ptr(to), this.n);
  }

  /** project for several weights over one input: one pass (x quantized once, one parallel op) when they share type and width. */
  projectMany(ws: readonly Weight[], from: Buffer, to: readonly Buffer[]): void {
    if (ws.some((w) => w.type !== ws[0].type || w.cols !== ws[0].cols)) {
      ws.forEach((w, i) => this.project(w, from, to[i]));
      return;
    }
    this.kernels.matmulMany(
      ws[0].type,
      ws[0].cols,
      this.buf.ptr(from),
      this.n,
      this.buf.ptr('work'),
      ws.map((w, i) => ({ w: w.ptr, rows: w.rows, y: this.buf.ptr(to[i]) })),
    );
  }

  matmul(w: Weight, x: number, y: number, n: number): void {
    const work = this.buf.ptr('work');
    if (n === 1) this.kernels.matvec(w.type, w.ptr, w.rows, w.cols, x, y, work);
    else this.kernels.matmul(w.type, w.ptr, w.rows, w.cols, x, n, y, work);
  }

  /** Rows row0 .. row0+rows-1 of a fused weight, in place (its bytes at an offset; nothing is copied). */
  rowsOf(w: Weight, row0: number, rows: number): Weight {
    return { name: `${w.name}[${row0}..${row0 + rows})`, ptr: w.ptr + row0 * this.kernels.rowBytes(w.type, w.cols), type: w.type, cols: w.cols, rows };
  }

  /** to = rmsnorm(from) · w over rows of nEmbd (to may be from). */
  norm(w: Weight, from: Buffer = 'x', to: Buffer = 'xn'): void {
    this.ops.rmsNorm(this.buf.ptr(from), w.ptr, this.buf.ptr(to), this.hp.nEmbd, this.n, this.hp.eps);
  }

  /** to = layernorm(from) · w + b over rows of nEmbd (bert; to may be from). */
  layerNorm(w: Weight, b: Weight, from: Buffer = 'x', to: Buffer = 'x'): void {
    this.ops.layerNorm(this.buf.ptr(from), w.ptr, b.ptr, this.buf.ptr(to), this.hp.nEmbd, this.n, this.hp.eps);
  }

  /** x[t] += row(t) of the table w for each token t: row `row`, or the token's position when row is 'pos'. */
  addRows(w: Weight, row: number | 'pos'): void {
    const { hp, buf, n } = this;
    const tmp = buf.ptr('tmp');
    for (let t = 0; t < n; t++) {
      const r = row === 'pos' ? this.positions[t] : row;
      if (r < 0 || r >= w.rows) throw new GgufPagerError('INVALID_ARGUMENT', `${w.name}: row ${r} is outside its ${w.rows} rows`, { tensor: w.name, row: r });
      this.kernels.getRows(w.type, w.ptr, w.cols, r, tmp + t * hp.nEmbd * 4);
    }
    this.residual('tmp');
  }

  /** b = gelu(b) over `width` per token (ggml's f16-table GELU). */
  gelu(b: Buffer, width: number): void {
    const p = this.buf.ptr(b);
    this.ops.gelu(p, p, this.n * width);
  }

  /** RMSNorm of each head of each token in `b` (heads × headDim per token), in place, by the headDim weight w (q/k norms). */
  headNorm(b: Buffer, w: Weight, heads: number): void {
    const p = this.buf.ptr(b);
    this.ops.rmsNorm(p, w.ptr, p, this.hp.headDim, this.n * heads, this.hp.eps);
  }

  /** b[row] += bias for each token. */
  bias(b: Buffer, w: Weight): void {
    this.ops.addBias(this.buf.ptr(b), w.ptr, w.cols, this.n);
  }

  /** b *= s over `width` per token. */
  scale(b: Buffer, s: number, width: number): void {
    this.ops.scale(this.buf.ptr(b), s, this.n * width);
  }

  /** q, k, v = Wq·xn (+ bq), … : separate weights, or rows of a fused attn_qkv used in place. */
  qkv(w: BlockWeights, from: Buffer = 'xn'): void {
    const { hp } = this;
    const qd = hp.nHead * hp.headDim;
    if (w.has('attn_qkv.weight')) {
      const f = w.get('attn_qkv.weight');
      this.projectMany([this.rowsOf(f, 0, qd), this.rowsOf(f, qd, hp.kvDim), this.rowsOf(f, qd + hp.kvDim, hp.kvDim)], from, ['q', 'k', 'v']);
    } else {
      this.projectMany([w.get('attn_q.weight'), w.get('attn_k.weight'), w.get('attn_v.weight')], from, ['q', 'k', 'v']);
    }
    for (const [b, t] of [
      ['q', 'attn_q.bias'],
      ['k', 'attn_k.bias'],
      ['v', 'attn_v.bias'],
    ] as const)
      if (w.has(t)) this.bias(b, w.get(t));
  }

  /** Whether `layer` attends through a sliding window. */
  slides(layer: number): boolean {
    return this.kv.windows[layer] > 0;
  }

  /** RoPE in place on `heads` heads per token of b, with the layer's base and scale (sliding layers may have their own). */
  rope(b: Buffer, heads: number, layer: number): void {
    const { hp } = this;
    const swa = this.slides(layer);
    this.ropeAt(this.buf.ptr(b), this.n, heads, swa ? hp.ropeBaseSwa : hp.ropeBase, swa ? hp.ropeScaleSwa : hp.ropeScale);
  }

  ropeAt(p: number, n: number, heads: number, base: number, scale: number): void {
    const { hp } = this;
    const mode = this.arch.features.ropeMode;
    this.ops.rope(p, n, heads, hp.headDim, hp.nRot, this.buf.ptr('pos'), base, scale, mode, this.ropeFactors, hp.ropeAttnFactor);
  }

  /**
   * att = attention(q, K, V): the batch's k and v are appended to the layer's cache first; token b sees
   * positions ≤ start + b, and on a sliding layer only the last `window` of them; scores soft-capped when
   * the model has a cap. With scaleQ the scale is applied to q first (llama.cpp's gemma and phi3 graphs).
   * An encoder's token sees its span instead (all of its input's tokens, before and after it).
   */
  attend(layer: number): void {
    const { hp, buf, ops, n, kv } = this;
    const qd = hp.nHead * hp.headDim;
    const [q, att, scratch] = [buf.ptr('q'), buf.ptr('att'), buf.ptr('attScratch')];
    kv.append(layer, buf.ptr('k'), buf.ptr('v'), n);
    const scaleQ = this.arch.features.scaleQ === true;
    if (scaleQ) ops.scale(q, hp.attnScale, n * qd);
    const scale = scaleQ ? 1 : hp.attnScale;
    const window = kv.windows[layer];
    const dropped = kv.dropped(layer);
    const spans = this.spans;
    for (let b = 0; b < n; b++) {
      const end = spans ? spans[2 * b + 1] : this.start + b + 1;
      // the window's first position; after a context shift the ring may already have freed some of it
      const first = spans ? spans[2 * b] : Math.max(window > 0 ? end - window : 0, dropped);
      const [qb, ob] = [q + b * qd * 4, att + b * qd * 4];
      // plain causal attention is the window from 0 without a cap: the same kernel, the same bits
      ops.attentionExt(kv.seq(layer), qb, ob, hp.nHead, hp.nHeadKv, hp.headDim, first - dropped, end - dropped, scale, hp.attnSoftcap, scratch);
    }
  }

  /** x += b. */
  residual(b: Buffer = 'tmp'): void {
    const x = this.buf.ptr('x');
    this.ops.add(x, this.buf.ptr(b), x, this.n * this.hp.nEmbd);
  }

  /** tmp = Wdown · (act(Wgate·xn) ⊙ Wup·xn): separate gate and up, or the two halves of a fused ffn_up (gate first) in place. */
  ffn(w: BlockWeights): void {
    const { hp, ops, buf, n } = this;
    if (w.has('ffn_gate.weight')) {
      this.projectMany([w.get('ffn_gate.weight'), w.get('ffn_up.weight')], 'xn', ['gate', 'up']);
    } else {
      const f = w.get('ffn_up.weight');
      this.projectMany([this.rowsOf(f, 0, hp.nFf), this.rowsOf(f, hp.nFf, hp.nFf)], 'xn', ['gate', 'up']);
    }
    const [g, u] = [buf.ptr('gate'), buf.ptr('up')];
    if (this.arch.features.activation === 'gelu') ops.geglu(g, u, g, n * hp.nFf);
    else ops.swiglu(g, u, g, n * hp.nFf);
    this.project(w.get('ffn_down.weight'), 'gate', 'tmp');
  }

  /** logits = Wout · rmsnorm(x[row]) · wnorm for one row of the batch, soft-capped when the model has a final cap. */
  logits(row: number, outputNorm: Weight, output: Weight): void {
    this.outputNorm(row, outputNorm);
    this.matmul(output, this.buf.ptr('xn'), this.buf.ptr('logits'), 1);
    this.finalCap();
  }

  /** xn = rmsnorm(x[row]) · wnorm (the head's input). */
  outputNorm(row: number, w: Weight): void {
    const { buf, hp } = this;
    this.ops.rmsNorm(buf.ptr('x') + row * hp.nEmbd * 4, w.ptr, buf.ptr('xn'), hp.nEmbd, 1, hp.eps);
  }

  /** xn[0..n) = rmsnorm(x[0..n)) · wnorm: the hidden states of a whole batch after the output norm (for embeddings). */
  outputNormRows(n: number, w: Weight): void {
    const { buf, hp } = this;
    this.ops.rmsNorm(buf.ptr('x'), w.ptr, buf.ptr('xn'), hp.nEmbd, n, hp.eps);
  }

  /** The final soft-cap of the logits, when the model has one. */
  finalCap(): void {
    if (this.hp.finalSoftcap > 0) this.ops.softcap(this.buf.ptr('logits'), this.hp.finalSoftcap, this.hp.vocab);
  }
}
