/**
 * How ops split over the compute pool: a matmul's output rows in chunks of
 * equal row counts (equal bytes of weights: every row of a matrix has the same
 * size), each a multiple of 16 rows so no two threads write one 64-byte line
 * of y; attention in chunks of query heads. About CHUNKS_PER_THREAD chunks per
 * thread, taken by whichever thread is free (pool.ts), so a late thread costs
 * its chunks, not the op. Each chunk is the serial kernel over its range, so
 * every output element has one writer and the same bits at any thread count.
 * Ops too small to pay for a wake-up stay on thread 0.
 */
import type { CoreExports } from '../exports.ts';
import { MAX_CHUNKS, MAX_MATRICES, OP_ATTENTION_EXT_HEADS, OP_GLU, OP_MATMUL_MANY, OP_MATMUL_ROWS, OP_PREPARE_ROWS } from './control.ts';
import type { ComputePool } from './pool.ts';

/** Bytes of weights (or of K and V read) below which an op stays on one thread. */
export const DEFAULT_MIN_SPLIT_BYTES = 64 * 1024;
const ROW_ALIGN = 16;
/** Batch rows from which a matmul's activations are quantized by the threads (a prompt's batch, not a decode step). */
const PREPARE_SPLIT = 4;
/** Chunks per thread an op is cut into: enough that a thread that starts late is made up for by the others. */
export const CHUNKS_PER_THREAD = 4;
/** Bytes of weights one matmul chunk reads at most: about 30 µs of a decode step at the ~8 GB/s one thread streams. */
const MAX_CHUNK_BYTES = 256 * 1024;
/** assembly/kernels/attention.ts MAX_HEADS: query heads the kernel takes in one walk of the pages. */
const ATTENTION_MAX_HEADS = 256;

export class Parallel {
  constructor(
    readonly pool: ComputePool,
    private readonly x: CoreExports,
    readonly minSplitBytes = DEFAULT_MIN_SPLIT_BYTES,
  ) {}

  get threads(): number {
    return this.pool.threads;
  }

  /** The matmul over the threads: its status, or null when it is left to the caller (one thread). */
  matmul(type: number, w: number, rows: number, cols: number, x: number, batch: number, y: number, work: number): number | null {
    const n = this.pool.threads;
    if (n < 2 || rows < 2 * ROW_ALIGN) return null;
    const rb = this.x.kRowBytes(type, cols);
    if (rb < 0 || rows * rb * batch < this.minSplitBytes) return null;
    const r = this.prepare(type, w, rows, cols, x, batch, y, work);
    if (r < 0) return r;
    const ex = this.x;
    return this.pool.run(OP_MATMUL_ROWS, [type, w, rows, cols, x, batch, y, work], -1, 0, rows, rowChunk(rows, n, rb), (lo, hi) =>
      ex.kMatmulRows(type, w, rows, cols, x, batch, y, work, lo, hi),
    );
  }

  /**
   * A matmul's checks and activation quantization (kMatmulPrepare): a batch of PREPARE_SPLIT rows or more, of
   * minSplitBytes of floats or more, is quantized by the threads, rows of the batch apart (each row alone: the bytes kMatmulPrepare writes).
   */
  prepare(type: number, w: number, rows: number, cols: number, x: number, batch: number, y: number, work: number): number {
    const ex = this.x;
    const ab = batch >= PREPARE_SPLIT && batch * cols * 4 >= this.minSplitBytes ? ex.kWorkBytes(type, cols, 1) : 0;
    if (ab <= 0) return ex.kMatmulPrepare(type, w, rows, cols, x, batch, y, work);
    return this.pool.run(OP_PREPARE_ROWS, [type, w, rows, cols, x, y, work, ab], -1, 0, batch, chunkSize(batch, this.pool.threads, 1), (lo, hi) =>
      ex.kMatmulPrepare(type, w, rows, cols, x + lo * cols * 4, hi - lo, y, work + lo * ab),
    );
  }

  /** SwiGLU (kind 0) or GeGLU (kind 1) of n elements over the threads, in ranges of 64: its status, or null when left to the caller. */
  glu(kind: 0 | 1, gate: number, up: number, out: number, n: number): number | null {
    if (this.pool.threads < 2 || n * 12 < this.minSplitBytes) return null;
    const ex = this.x;
    const f = kind === 0 ? ex.kSwiglu : ex.kGeglu;
    return this.pool.run(OP_GLU, [kind, gate, up, out], -1, 0, n, chunkSize(n, this.pool.threads, 64), (lo, hi) =>
      f(gate + lo * 4, up + lo * 4, out + lo * 4, hi - lo),
    );
  }

  /**
   * Several matmuls of one type and width over the same x (q, k, v), its activations quantized once, as one op
   * whose rows are the matrices' rows one after another: its status, or null when left to the caller.
   */
  matmulMany(type: number, cols: number, x: number, batch: number, work: number, mats: readonly MatmulPart[]): number | null {
    const n = this.pool.threads;
    if (n < 2 || mats.length > MAX_MATRICES) return null;
    let rows = 0;
    for (const m of mats) rows += m.rows;
    const rb = this.x.kRowBytes(type, cols);
    if (rows < 2 * ROW_ALIGN || rb < 0 || rows * rb * batch < this.minSplitBytes) return null;
    const r = this.prepare(type, mats[0].w, mats[0].rows, cols, x, batch, mats[0].y, work);
    if (r < 0) return r;
    const args = [type, cols, x, batch, work, mats.length];
    for (const m of mats) args.push(m.w, m.rows, m.y);
    const ex = this.x;
    return this.pool.run(OP_MATMUL_MANY, args, -1, 0, rows, rowChunk(rows, n, rb), (lo, hi) => {
      let status = 0;
      for (let i = 0, off = 0; i < mats.length && status >= 0; off += mats[i].rows, i++) {
        const a = Math.max(lo - off, 0),
          b = Math.min(hi - off, mats[i].rows);
        if (a < b) status = ex.kMatmulRows(type, mats[i].w, mats[i].rows, cols, x, batch, mats[i].y, work, a, b);
      }
      return status;
    });
  }

  /**
   * Attention (a window from `first`, a score cap; plain attention is first 0, cap 0) by heads over the threads:
   * its status, or null when it is left to the caller. Only where the kernel takes every head in one group
   * (nHead ≤ nPos − first and ≤ MAX_HEADS): head h then owns the h-th slice of the scratch and of the kernel's
   * running-max state, so threads write disjoint bytes. scale and cap travel as their f32 bits.
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
  ): number | null {
    const n = Math.min(this.pool.threads, nHead);
    const span = nPos - first;
    if (n < 2 || nHead > span || nHead > ATTENTION_MAX_HEADS || span * nKvHead * headDim * 2 * this.x.kvElemBytes() < this.minSplitBytes) return null;
    const ex = this.x;
    return this.pool.run(
      OP_ATTENTION_EXT_HEADS,
      [seq, q, out, nHead, nKvHead, headDim, first, nPos, f32Bits(scale), f32Bits(cap), scratch],
      -1,
      0,
      nHead,
      chunkSize(nHead, n, 1),
      (lo, hi) => ex.kAttentionExtHeads(seq, q, out, nHead, nKvHead, headDim, first, nPos, scale, cap, scratch, lo, hi),
    );
  }
}

/** One matrix of a matmulMany: its weights, rows, and where its outputs go. */
export interface MatmulPart {
  w: number;
  rows: number;
  y: number;
}

const F32 = new Float32Array(1);
const F32_BITS = new Int32Array(F32.buffer);

/** The bits of x rounded to f32, as an i32 (how an f32 argument rides in the control block's i32 words). */
function f32Bits(x: number): number {
  F32[0] = x;
  return F32_BITS[0];
}

/**
 * Rows per chunk of a matmul whose weight rows are `rowBytes` each: chunkSize's count, but no chunk over
 * MAX_CHUNK_BYTES of weights, so the last chunk a thread waits for is short (an output head of 90 MB in 8 chunks had
 * thread 0 waiting up to 1.4 ms for the other's last one).
 */
export function rowChunk(rows: number, threads: number, rowBytes: number): number {
  const byBytes = Math.max(ROW_ALIGN, Math.floor(MAX_CHUNK_BYTES / rowBytes / ROW_ALIGN) * ROW_ALIGN);
  return Math.max(Math.min(chunkSize(rows, threads, ROW_ALIGN), byBytes), Math.ceil(rows / MAX_CHUNKS / ROW_ALIGN) * ROW_ALIGN);
}

/** Items per chunk: about CHUNKS_PER_THREAD chunks per thread, a multiple of `align`. */
export function chunkSize(count: number, threads: number, align: number): number {
  return Math.max(align, Math.ceil(count / (threads * CHUNKS_PER_THREAD) / align) * align);
}
