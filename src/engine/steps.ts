/**
 * The named steps a transformer block is written in (STYLE.md rule 11): each is
 * a few kernel calls over the batch's activations (pinned scratch) and a
 * block's leased weights, used in place. Architectures (llama.ts, qwen2.ts)
 * compose them; nothing here knows about paging.
 *
 *   x    n × nEmbd   the residual stream            xn   n × nEmbd   normed x
 *   q    n × nHead·headDim                          k, v n × kvDim
 *   att  n × nHead·headDim  attention output        tmp  n × nEmbd   projections
 *   gate, up  n × nFf                               logits  vocab (one position)
 */
import type { TensorInfo } from '../gguf/types.ts';
import type { LeaseGroup } from '../pager/lease.ts';
import type { HParams } from './hparams.ts';
import type { KernelApi, OpsApi } from './kernel-api.ts';
import type { KvCache } from './kv-cache.ts';
import type { Scratch } from './scratch.ts';

export type Buffer = 'x' | 'xn' | 'q' | 'k' | 'v' | 'att' | 'tmp' | 'gate' | 'up' | 'logits' | 'pos' | 'work' | 'attScratch' | 'row';

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

/** The weights of one leased block, by short name (`attn_q.weight`). */
export class BlockWeights {
  constructor(private readonly lease: LeaseGroup, private readonly tensors: readonly TensorInfo[]) {}

  get(short: string): Weight {
    const l = this.lease.get(short);
    return weightOf(this.tensors[l.index], l.ptr);
  }

  has(short: string): boolean {
    return this.lease.leases.some((l) => l.id === `blk.${this.lease.layer}.${short}`);
  }
}

export class Steps {
  /** Tokens in the batch now. */
  n = 0;
  /** Position of the batch's first token. */
  start = 0;
  /** The pointer to llama-3's rope_freqs factors, or 0. */
  ropeFactors = 0;

  constructor(
    readonly hp: HParams,
    readonly kernels: KernelApi,
    readonly ops: OpsApi,
    readonly buf: Scratch<Buffer>,
    readonly kv: KvCache,
    readonly ropeMode: number,
  ) {}

  /** y = W·x for each of the batch's rows (one pass over W's rows for the whole batch). */
  project(w: Weight, x: number, y: number, n = this.n): void {
    const work = this.buf.ptr('work');
    if (n === 1) this.kernels.matvec(w.type, w.ptr, w.rows, w.cols, x, y, work);
    else this.kernels.matmul(w.type, w.ptr, w.rows, w.cols, x, n, y, work);
  }

  /** xn = rmsnorm(x) · w. */
  norm(w: Weight): void {
    this.ops.rmsNorm(this.buf.ptr('x'), w.ptr, this.buf.ptr('xn'), this.hp.nEmbd, this.n, this.hp.eps);
  }

  /**
   * x += Wo · attention(rope(Wq·xn + bq), rope(Wk·xn + bk), Wv·xn + bv), causal over the
   * cached tokens and the batch (the batch's K and V are appended first; token b sees positions ≤ start + b).
   */
  selfAttention(layer: number, wq: Weight, wk: Weight, wv: Weight, wo: Weight, bias?: { q: Weight; k: Weight; v: Weight }): void {
    const { hp, buf, ops, n } = this;
    const [xn, q, k, v, att, tmp] = [buf.ptr('xn'), buf.ptr('q'), buf.ptr('k'), buf.ptr('v'), buf.ptr('att'), buf.ptr('tmp')];
    const qDim = hp.nHead * hp.headDim;
    this.project(wq, xn, q);
    this.project(wk, xn, k);
    this.project(wv, xn, v);
    if (bias) {
      ops.addBias(q, bias.q.ptr, qDim, n);
      ops.addBias(k, bias.k.ptr, hp.kvDim, n);
      ops.addBias(v, bias.v.ptr, hp.kvDim, n);
    }
    const pos = buf.ptr('pos');
    ops.rope(q, n, hp.nHead, hp.headDim, hp.nRot, pos, hp.ropeBase, hp.ropeScale, this.ropeMode, this.ropeFactors);
    ops.rope(k, n, hp.nHeadKv, hp.headDim, hp.nRot, pos, hp.ropeBase, hp.ropeScale, this.ropeMode, this.ropeFactors);
    this.kv.append(layer, k, v, n);
    const scale = 1 / Math.sqrt(hp.headDim);
    const seq = this.kv.seq(layer);
    const scratch = buf.ptr('attScratch');
    for (let b = 0; b < n; b++) {
      ops.attention(seq, q + b * qDim * 4, att + b * qDim * 4, hp.nHead, hp.nHeadKv, hp.headDim, this.start + b + 1, scale, scratch);
    }
    this.project(wo, att, tmp);
    ops.add(buf.ptr('x'), tmp, buf.ptr('x'), n * hp.nEmbd);
  }

  /** x += Wdown · (silu(Wgate·xn) ⊙ Wup·xn). */
  swigluFeedForward(gate: Weight, up: Weight, down: Weight): void {
    const { buf, ops, n, hp } = this;
    const [xn, g, u, tmp] = [buf.ptr('xn'), buf.ptr('gate'), buf.ptr('up'), buf.ptr('tmp')];
    this.project(gate, xn, g);
    this.project(up, xn, u);
    ops.swiglu(g, u, g, n * hp.nFf);
    this.project(down, g, tmp);
    ops.add(buf.ptr('x'), tmp, buf.ptr('x'), n * hp.nEmbd);
  }

  /** logits = Wout · rmsnorm(x[row]) · wnorm, for one row of the batch. */
  logits(row: number, outputNorm: Weight, output: Weight): void {
    const { buf, ops, hp } = this;
    const xRow = buf.ptr('x') + row * hp.nEmbd * 4;
    ops.rmsNorm(xRow, outputNorm.ptr, buf.ptr('xn'), hp.nEmbd, 1, hp.eps);
    this.project(output, buf.ptr('xn'), buf.ptr('logits'), 1);
  }
}
