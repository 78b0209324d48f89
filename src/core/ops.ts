/**
 * The non-matmul ops of the Wasm core (assembly/kernels/{norm,rope,elementwise,attention}.ts):
 * RMSNorm, RoPE, softmax, SiLU/SwiGLU, add, mul, scale, bias, and attention of
 * one query over a KV sequence's pages. Pointers are byte offsets into
 * `core.memory` (f32 buffers 4-byte aligned, 16 for speed) inside the budget
 * (arena + KV pages); sizes are element counts. A bad request throws a
 * GgufPagerError naming the op and its shape: KERNEL_SHAPE (a size 0, odd or
 * too large), KERNEL_RANGE (a buffer outside the budget, or overlapping
 * another it must not), KERNEL_ALIGN, KERNEL_TYPE (a RoPE mode other than
 * 0 or 2), KV_BAD_SEQUENCE.
 */
import { GgufPagerError, type ErrorCode } from '../errors.ts';
import type { CoreExports } from './exports.ts';
import { Status } from './status.ts';
import type { Parallel } from './threads/parallel.ts';

/** RoPE pair order: 0 = adjacent pairs (llama), 2 = NeoX halves (qwen2, phi, …), as ggml's rope types. */
export type RopeMode = 0 | 2;

const CODES: Partial<Record<number, ErrorCode>> = {
  [Status.E_K_SHAPE]: 'KERNEL_SHAPE',
  [Status.E_K_RANGE]: 'KERNEL_RANGE',
  [Status.E_K_ALIGN]: 'KERNEL_ALIGN',
  [Status.E_K_TYPE]: 'KERNEL_TYPE',
  [Status.E_KV_BAD_SEQ]: 'KV_BAD_SEQUENCE',
};

const WHY: Partial<Record<ErrorCode, string>> = {
  KERNEL_SHAPE: 'a size is 0, negative, odd where it must be even, or too large',
  KERNEL_RANGE: 'a buffer lies outside the arena and KV pages, or overlaps one it must not',
  KERNEL_ALIGN: 'an f32 buffer is not 4-byte aligned',
  KERNEL_TYPE: 'no kernel for this mode',
  KV_BAD_SEQUENCE: 'the sequence is unknown or freed',
};

export class Ops {
  private readonly ex: CoreExports;
  private readonly par: Parallel | null;

  /** @internal Made by createCore from the core's exports (and its compute pool, which splits attention by heads). */
  constructor(exports: CoreExports, parallel: Parallel | null = null) {
    this.ex = exports;
    this.par = parallel;
  }

  /** y = x / sqrt(mean(x²) + eps) · w for each of `rows` rows of n f32 (w = 0: no weight; y may be x). */
  rmsNorm(x: number, w: number, y: number, n: number, rows: number, eps: number): void {
    check(this.ex.kRmsNorm(ptr(x), ptr(w), ptr(y), int(n), int(rows), eps), 'rmsNorm', () => ({ n, rows, eps }));
  }

  /**
   * RoPE in place on nTok vectors of nHeads × headDim f32, token t at the i32 position posPtr[t];
   * the first nRot dims of each head rotate (mode 0 adjacent pairs, 2 NeoX halves), as
   * ggml_rope_ext with ext_factor 0; factorsPtr: nRot/2 f32 divisors of the angles (llama 3's
   * rope_freqs.weight) or 0. mscale is ggml's attn_factor: the rotated dims' cos and sin are
   * multiplied by it (LongRoPE's attention factor); 1 (the default) leaves them as they are.
   */
  rope(
    x: number,
    nTok: number,
    nHeads: number,
    headDim: number,
    nRot: number,
    posPtr: number,
    freqBase: number,
    freqScale: number,
    mode: RopeMode,
    factorsPtr: number,
    mscale = 1,
  ): void {
    const r = this.ex.kRopeExt(ptr(x), int(nTok), int(nHeads), int(headDim), int(nRot), ptr(posPtr), freqBase, freqScale, int(mode), ptr(factorsPtr), mscale);
    check(r, 'rope', () => ({ nTok, nHeads, headDim, nRot, freqBase, freqScale, mode, mscale }));
  }

  /** Numerically stable softmax of each of `rows` rows of n f32, in place. */
  softmax(x: number, n: number, rows: number): void {
    check(this.ex.kSoftmax(ptr(x), int(n), int(rows)), 'softmax', () => ({ n, rows }));
  }

  /** y = x · sigmoid(x), n f32. */
  silu(x: number, y: number, n: number): void {
    check(this.ex.kSilu(ptr(x), ptr(y), int(n)), 'silu', () => ({ n }));
  }

  /** out = silu(gate) · up, n f32. */
  swiglu(gate: number, up: number, out: number, n: number): void {
    const r = this.par?.glu(0, ptr(gate), ptr(up), ptr(out), int(n)) ?? this.ex.kSwiglu(ptr(gate), ptr(up), ptr(out), int(n));
    check(r, 'swiglu', () => ({ n }));
  }

  /** out = a + b, n f32. */
  add(a: number, b: number, out: number, n: number): void {
    check(this.ex.kAdd(ptr(a), ptr(b), ptr(out), int(n)), 'add', () => ({ n }));
  }

  /** out = a · b element-wise, n f32. */
  mul(a: number, b: number, out: number, n: number): void {
    check(this.ex.kMul(ptr(a), ptr(b), ptr(out), int(n)), 'mul', () => ({ n }));
  }

  /** x *= s, n f32. */
  scale(x: number, s: number, n: number): void {
    check(this.ex.kScale(ptr(x), s, int(n)), 'scale', () => ({ n, s }));
  }

  /** x[r] += b for each of `rows` rows of n f32. */
  addBias(x: number, b: number, n: number, rows: number): void {
    check(this.ex.kAddBias(ptr(x), ptr(b), int(n), int(rows)), 'addBias', () => ({ n, rows }));
  }

  /**
   * Attention of one query (nHead × headDim f32 at q) over the first nPos tokens of KV
   * sequence `seq` (kvDim = nKvHead × headDim; head h reads kv head h / (nHead / nKvHead)),
   * into out (nHead × headDim f32). scratch: attentionScratchBytes(nPos) bytes. Causal
   * masking is the caller's nPos. q, out and scratch must not overlap.
   */
  attention(seq: number, q: number, out: number, nHead: number, nKvHead: number, headDim: number, nPos: number, scale: number, scratch: number): void {
    const p = this.par?.attentionExt(int(seq), ptr(q), ptr(out), int(nHead), int(nKvHead), int(headDim), 0, int(nPos), scale, 0, ptr(scratch)) ?? null;
    const r = p ?? this.ex.kAttention(int(seq), ptr(q), ptr(out), int(nHead), int(nKvHead), int(headDim), int(nPos), scale, ptr(scratch));
    check(r, 'attention', () => attentionShape(this.ex, seq, nHead, nKvHead, headDim, nPos));
  }

  /** Bytes of scratch attention needs for nPos positions. */
  attentionScratchBytes(nPos: number): number {
    const r = this.ex.kAttentionScratchBytes(int(nPos));
    check(r, 'attentionScratchBytes', () => ({ nPos }));
    return r;
  }

  /**
   * attention over tokens first .. nPos-1 of the sequence only (a sliding window masks those before),
   * each score soft-capped (s ← cap·tanh(s/cap)) before the softmax when cap > 0.
   */
  attentionExt(
    seq: number,
    q: number,
    out: number,
    nHead: number,
    nKvHead: number,
    headDim: number,
    first: number,
    nPos: number,
    scale: number,
    cap: number,
    scratch: number,
  ): void {
    const p =
      this.par?.attentionExt(int(seq), ptr(q), ptr(out), int(nHead), int(nKvHead), int(headDim), int(first), int(nPos), scale, cap, ptr(scratch)) ?? null;
    const r = p ?? this.ex.kAttentionExt(int(seq), ptr(q), ptr(out), int(nHead), int(nKvHead), int(headDim), int(first), int(nPos), scale, cap, ptr(scratch));
    check(r, 'attentionExt', () => ({ ...attentionShape(this.ex, seq, nHead, nKvHead, headDim, nPos), first, cap }));
  }

  /** out = gelu(gate) · up, n f32, with GELU as ggml-cpu's f16 table gives it (gemma's FFN). */
  geglu(gate: number, up: number, out: number, n: number): void {
    const r = this.par?.glu(1, ptr(gate), ptr(up), ptr(out), int(n)) ?? this.ex.kGeglu(ptr(gate), ptr(up), ptr(out), int(n));
    check(r, 'geglu', () => ({ n }));
  }

  /** y = gelu(x), n f32, ggml's f16-table GELU (bert's FFN); y may be x. Its oracle: gegluScalar with up = 1. */
  gelu(x: number, y: number, n: number): void {
    check(this.ex.kGelu(ptr(x), ptr(y), int(n)), 'gelu', () => ({ n }));
  }

  /** y = (x − mean) / sqrt(var + eps) · w + b for each of `rows` rows of n f32, as ggml_norm (w, b = 0: none; y may be x). */
  layerNorm(x: number, w: number, b: number, y: number, n: number, rows: number, eps: number): void {
    check(this.ex.kLayerNorm(ptr(x), ptr(w), ptr(b), ptr(y), int(n), int(rows), eps), 'layerNorm', () => ({ n, rows, eps }));
  }

  /** x = cap · tanh(x / cap), n f32 in place (gemma 2's logit soft-caps). */
  softcap(x: number, cap: number, n: number): void {
    check(this.ex.kSoftcap(ptr(x), cap, int(n)), 'softcap', () => ({ n, cap }));
  }
}

/** @internal An attention call's shape for its error, with the sequence's length and kvDim when it exists. */
export function attentionShape(ex: CoreExports, seq: number, nHead: number, nKvHead: number, headDim: number, nPos: number): Record<string, unknown> {
  const length = ex.kvSeqLength(int(seq));
  const kvDim = ex.kvSeqKvDim(int(seq));
  return { seq, nHead, nKvHead, headDim, nPos, ...(length >= 0 ? { seqLength: length, seqKvDim: kvDim } : {}) };
}

/** Throws the typed error of a negative status; `describe` (called only then) gives the op's shape. */
function check(status: number, op: string, describe: () => Record<string, unknown>): void {
  if (status >= 0) return;
  const shape = describe();
  const code = CODES[status];
  const args = Object.entries(shape)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  if (code === undefined) {
    throw new GgufPagerError('WASM_ABORT', `ops.${op}(${args}): unexpected status ${status} from the core`, { op, status, ...shape });
  }
  throw new GgufPagerError(code, `ops.${op}(${args}): ${WHY[code]}`, { op, status, ...shape });
}

/** A size as the i32 the core takes; anything not an int32 becomes -1, which every op rejects. */
const int = (v: number): number => ((v | 0) === v ? v : -1);

/** A byte offset as the core's u32; anything else becomes an aligned address outside every region. */
const ptr = (v: number): number => (Number.isInteger(v) && v >= 0 && v < 2 ** 32 ? v >>> 0 : 0xfffffff0);

/** @internal For the test/bench build's oracle ops (test/cases/testing-core.ts): the same argument and status checks. */
export { check as checkOpStatus, int as opInt, ptr as opPtr };
