// Matrix kernels by ggml type: the exports the engine calls (kMatvec, kMatmul,
// kGetRows, kDequant, kRowBytes, kWorkBytes), their argument checks, and the
// dispatch to each type's row decoder and dot product.
//
//  weights W: rows × cols of `type`, row r at w + r·rowBytes (ggml layout)
//  x: batch × cols f32 (row-major)   y: batch × rows f32, y[b·rows + r] = dot(W[r], x[b])
//  work: the quantized activations of the batch, kWorkBytes(type, cols, batch) bytes
//        (act-q8.ts for the legacy quants; none for F32/F16/BF16, which dot f32 directly)
//
//  kMatmul walks W in tiles of rows (≈ TILE_BYTES of weights); each tile is
//  dotted with every vector of the batch while it sits in cache, so each
//  weight byte streams from memory once per batch, not once per vector; for
//  every type but F32 (legacy and K-quants, F16, BF16) each weight block is
//  decoded once per four vectors (vecDot4*, dot4F16, dot4BF16), with results
//  bit-identical to matvec.
//  x, y and work are 16-byte aligned; y must not overlap x or work.

import { OK, E_K_SHAPE, E_K_TYPE } from '../common';
import { checkRange, checkF32, checkDim, MAX_DIM } from './check';
import {
  T_F32, T_F16, T_BF16, T_Q4_0, T_Q4_1, T_Q5_0, T_Q5_1, T_Q8_0, T_Q2_K, T_Q3_K, T_Q4_K, T_Q5_K, T_Q6_K,
  blockSize, blockBytes, isFloat, isLegacyQuant,
} from './types';
import { dequantRowFloat, dotFloat, dotFloatScalar, dot4F16, dot4BF16 } from './float';
import { actBytes, quantizeAct } from './act-q8';
import { q8kBytes, quantizeRowQ8K } from './q8_k';
import { dequantRowQ2K, vecDotQ2K, vecDot4Q2K, vecDotQ2KScalar } from './q2_k';
import { dequantRowQ3K, vecDotQ3K, vecDot4Q3K, vecDotQ3KScalar } from './q3_k';
import { dequantRowQ4K, vecDotQ4K, vecDot4Q4K, vecDotQ4KScalar } from './q4_k';
import { dequantRowQ5K, vecDotQ5K, vecDot4Q5K, vecDotQ5KScalar } from './q5_k';
import { dequantRowQ6K, vecDotQ6K, vecDot4Q6K, vecDotQ6KScalar } from './q6_k';
import { dequantRowQ4_0, vecDotQ4_0, vecDot4Q4_0, vecDotQ4_0Scalar } from './q4_0';
import { dequantRowQ4_1, vecDotQ4_1, vecDot4Q4_1, vecDotQ4_1Scalar } from './q4_1';
import { dequantRowQ5_0, vecDotQ5_0, vecDot4Q5_0, vecDotQ5_0Scalar } from './q5_0';
import { dequantRowQ5_1, vecDotQ5_1, vecDot4Q5_1, vecDotQ5_1Scalar } from './q5_1';
import { dequantRowQ8_0, vecDotQ8_0, vecDot4Q8_0, vecDotQ8_0Scalar } from './q8_0';

/** Weight bytes per row tile of kMatmul: fits L1/L2 beside one activation row. */
// @ts-ignore: decorator
@inline const TILE_BYTES: i32 = 32 * 1024;

/** 1 when the core has a kernel for `type`. */
export function kSupports(type: i32): i32 {
  if (isFloat(type) || isLegacyQuant(type)) return 1;
  switch (type) {
    case T_Q2_K: case T_Q3_K: case T_Q4_K: case T_Q5_K: case T_Q6_K:
      return 1;
    default: return 0;
  }
}

/** Bytes of one row of `cols` elements of `type`, or a negative status. */
export function kRowBytes(type: i32, cols: i32): i32 {
  const bs = blockSize(type);
  if (bs == 0) return E_K_TYPE;
  const r = checkDim(cols, bs);
  if (r != OK) return r;
  const bytes = <u64>(cols / bs) * <u64>blockBytes(type);
  return bytes > <u64>i32.MAX_VALUE ? E_K_SHAPE : <i32>bytes;
}

/** Bytes of `work` that kMatvec / kMatmul need for `batch` vectors of `cols`, or a negative status. */
export function kWorkBytes(type: i32, cols: i32, batch: i32): i32 {
  const rb = kRowBytes(type, cols);
  if (rb < 0) return rb;
  if (batch <= 0 || batch > MAX_DIM) return E_K_SHAPE;
  if (isFloat(type)) return 0;
  if (kSupports(type) == 0) return E_K_TYPE;
  const bytes = <u64>actBytesFor(type, cols) * <u64>batch;
  return bytes > <u64>i32.MAX_VALUE ? E_K_SHAPE : <i32>bytes;
}

/** Bytes of one quantized activation vector for `type`'s dot (16-byte multiple). */
function actBytesFor(type: i32, cols: i32): i32 {
  if (type >= T_Q2_K && type <= T_Q6_K) return q8kBytes(cols); // a multiple of 16 (832 per 256)
  return actBytes(cols);
}

/** Quantizes cols f32 at x into the activation `type`'s dot reads. */
function quantizeFor(type: i32, x: usize, dst: usize, cols: i32): void {
  if (type >= T_Q2_K && type <= T_Q6_K) { quantizeRowQ8K(x, dst, cols); return; }
  quantizeAct(x, dst, cols);
}

/** y = W·x for one vector: kMatmul with batch 1. */
export function kMatvec(type: i32, w: usize, rows: i32, cols: i32, x: usize, y: usize, work: usize): i32 {
  return kMatmul(type, w, rows, cols, x, 1, y, work);
}

/** y[b] = W·x[b] for b < batch, each weight row read from memory once per batch. */
export function kMatmul(type: i32, w: usize, rows: i32, cols: i32, x: usize, batch: i32, y: usize, work: usize): i32 {
  const r = kMatmulPrepare(type, w, rows, cols, x, batch, y, work);
  if (r != OK) return r;
  matmulRows(type, w, rows, cols, x, batch, y, work, 0, rows);
  return OK;
}

/**
 * The first half of a matmul split over threads: checks the request and
 * quantizes the batch's activations into work. Then each thread runs
 * kMatmulRows over its own rows; every y element is computed as kMatmul computes it.
 */
export function kMatmulPrepare(type: i32, w: usize, rows: i32, cols: i32, x: usize, batch: i32, y: usize, work: usize): i32 {
  const r = checkMatmul(type, w, rows, cols, x, batch, y, work);
  if (r != OK) return r;
  if (!isFloat(type)) {
    const ab = <usize>actBytesFor(type, cols);
    for (let b = 0; b < batch; b++) quantizeFor(type, x + (<usize>b * cols << 2), work + <usize>b * ab, cols);
  }
  return OK;
}

/** Rows [r0, r1) of a matmul whose activations kMatmulPrepare has quantized into work. */
export function kMatmulRows(type: i32, w: usize, rows: i32, cols: i32, x: usize, batch: i32, y: usize, work: usize, r0: i32, r1: i32): i32 {
  const r = checkMatmul(type, w, rows, cols, x, batch, y, work);
  if (r != OK) return r;
  if (r0 < 0 || r1 > rows || r0 > r1) return E_K_SHAPE;
  matmulRows(type, w, rows, cols, x, batch, y, work, r0, r1);
  return OK;
}

function matmulRows(type: i32, w: usize, rows: i32, cols: i32, x: usize, batch: i32, y: usize, work: usize, rowLo: i32, rowHi: i32): void {
  const rb = <usize>kRowBytes(type, cols);
  const ab = <usize>actBytesFor(type, cols);
  const float = isFloat(type);
  const tile = max(1, TILE_BYTES / <i32>rb);
  for (let r0 = rowLo; r0 < rowHi; r0 += tile) {
    const r1 = min(rowHi, r0 + tile);
    let b = 0;
    // four vectors at a time, so each weight block (or f16/bf16 group) is decoded once per four tokens
    if (type != T_F32) {
      const a0 = float ? x : work, stride = float ? <usize>cols << 2 : ab;
      for (; b + 4 <= batch; b += 4) {
        for (let row = r0; row < r1; row++) {
          dot4Row(type, cols, w + <usize>row * rb, a0 + <usize>b * stride, stride, y + ((<usize>b * rows + row) << 2), <usize>rows << 2);
        }
      }
    }
    for (; b < batch; b++) {
      const act = float ? x + (<usize>b * cols << 2) : work + <usize>b * ab;
      const yb = y + (<usize>b * rows << 2);
      for (let row = r0; row < r1; row++) {
        store<f32>(yb + (<usize>row << 2), dotRow(type, cols, w + <usize>row * rb, act));
      }
    }
  }
}

/** kMatvec with each type's scalar dot (the oracle): the bench's scalar baseline. */
export function kMatvecScalar(type: i32, w: usize, rows: i32, cols: i32, x: usize, y: usize, work: usize): i32 {
  const r = checkMatmul(type, w, rows, cols, x, 1, y, work);
  if (r != OK) return r;
  const rb = <usize>kRowBytes(type, cols);
  const float = isFloat(type);
  if (!float) quantizeFor(type, x, work, cols);
  for (let row = 0; row < rows; row++) {
    const wr = w + <usize>row * rb;
    const v = float ? dotFloatScalar(type, cols, wr, x) : dotRowScalar(type, cols, wr, work);
    store<f32>(y + (<usize>row << 2), v);
  }
  return OK;
}

/** Row `row` of a rows × cols matrix of `type` at w, decoded to cols f32 at dst (embeddings). */
export function kGetRows(type: i32, w: usize, cols: i32, row: i32, dst: usize): i32 {
  const rb = kRowBytes(type, cols);
  if (rb < 0) return rb;
  if (row < 0) return E_K_SHAPE;
  const src = w + <usize>row * <usize>rb;
  let r = checkRange(src, <u64>rb);
  if (r == OK) r = checkF32(dst, <u64>cols << 2);
  if (r == OK) r = checkRange(w, <u64>row * rb + rb); // w + row·rowBytes must not wrap
  if (r != OK) return r;
  return dequantRow(type, src, dst, cols);
}

/** n elements (a multiple of the block) of `type` at src to f32 at dst. */
export function kDequant(type: i32, src: usize, dst: usize, n: i32): i32 {
  const rb = kRowBytes(type, n);
  if (rb < 0) return rb;
  let r = checkRange(src, <u64>rb);
  if (r == OK) r = checkF32(dst, <u64>n << 2);
  if (r != OK) return r;
  return dequantRow(type, src, dst, n);
}

/**
 * Σ w·x over n elements of one row, for tests: `a` is n f32 for the float types, the act-q8.ts activation for
 * the quants (kQuantizeAct). scalar ≠ 0 runs the scalar reference. Unchecked pointers: a test tool only.
 */
export function kVecDot(type: i32, n: i32, w: usize, a: usize, scalar: i32): f32 {
  if (kRowBytes(type, n) < 0 || kSupports(type) == 0) return NaN;
  if (isFloat(type)) return scalar != 0 ? dotFloatScalar(type, n, w, a) : dotFloat(type, n, w, a);
  return scalar != 0 ? dotRowScalar(type, n, w, a) : dotRow(type, n, w, a);
}

/** Quantizes n f32 at x (n a multiple of 32) to the act-q8.ts activation at dst. */
export function kQuantizeAct(x: usize, dst: usize, n: i32): i32 {
  let r = checkDim(n, 32);
  if (r == OK) r = checkF32(x, <u64>n << 2);
  if (r == OK) r = checkF32(dst, <u64>actBytes(n));
  if (r != OK) return r;
  quantizeAct(x, dst, n);
  return OK;
}

function checkMatmul(type: i32, w: usize, rows: i32, cols: i32, x: usize, batch: i32, y: usize, work: usize): i32 {
  if (kSupports(type) == 0) return E_K_TYPE;
  const rb = kRowBytes(type, cols);
  if (rb < 0) return rb;
  if (rows <= 0 || rows > MAX_DIM || batch <= 0 || batch > MAX_DIM) return E_K_SHAPE;
  const wb = kWorkBytes(type, cols, batch);
  if (wb < 0) return wb;
  let r = checkRange(w, <u64>rows * <u64>rb);
  if (r == OK) r = checkF32(x, (<u64>batch * <u64>cols) << 2);
  if (r == OK) r = checkF32(y, (<u64>batch * <u64>rows) << 2);
  if (r == OK && wb > 0) r = checkF32(work, <u64>wb);
  return r;
}

/** One row's dot product, by type (SIMD). */
// @ts-ignore: decorator
@inline function dotRow(type: i32, n: i32, w: usize, a: usize): f32 {
  switch (type) {
    case T_F32: case T_F16: case T_BF16: return dotFloat(type, n, w, a);
    case T_Q4_0: return vecDotQ4_0(n, w, a);
    case T_Q4_1: return vecDotQ4_1(n, w, a);
    case T_Q5_0: return vecDotQ5_0(n, w, a);
    case T_Q5_1: return vecDotQ5_1(n, w, a);
    case T_Q8_0: return vecDotQ8_0(n, w, a);
    case T_Q2_K: return vecDotQ2K(n, w, a);
    case T_Q3_K: return vecDotQ3K(n, w, a);
    case T_Q4_K: return vecDotQ4K(n, w, a);
    case T_Q5_K: return vecDotQ5K(n, w, a);
    case T_Q6_K: return vecDotQ6K(n, w, a);
    default: return NaN; // unreachable: checkMatmul rejected the type
  }
}

/** Four vectors' dots with one row (quants, F16, BF16): y[k·ys] = dot(W[row], a + k·stride), as four dotRow. */
// @ts-ignore: decorator
@inline function dot4Row(type: i32, n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  switch (type) {
    case T_F16: dot4F16(n, w, a, stride, y, ys); break;
    case T_BF16: dot4BF16(n, w, a, stride, y, ys); break;
    case T_Q4_0: vecDot4Q4_0(n, w, a, stride, y, ys); break;
    case T_Q4_1: vecDot4Q4_1(n, w, a, stride, y, ys); break;
    case T_Q5_0: vecDot4Q5_0(n, w, a, stride, y, ys); break;
    case T_Q5_1: vecDot4Q5_1(n, w, a, stride, y, ys); break;
    case T_Q8_0: vecDot4Q8_0(n, w, a, stride, y, ys); break;
    case T_Q2_K: vecDot4Q2K(n, w, a, stride, y, ys); break;
    case T_Q3_K: vecDot4Q3K(n, w, a, stride, y, ys); break;
    case T_Q4_K: vecDot4Q4K(n, w, a, stride, y, ys); break;
    case T_Q5_K: vecDot4Q5K(n, w, a, stride, y, ys); break;
    case T_Q6_K: vecDot4Q6K(n, w, a, stride, y, ys); break;
    default: unreachable(); // checkMatmul rejected the type
  }
}

function dotRowScalar(type: i32, n: i32, w: usize, a: usize): f32 {
  switch (type) {
    case T_Q4_0: return vecDotQ4_0Scalar(n, w, a);
    case T_Q4_1: return vecDotQ4_1Scalar(n, w, a);
    case T_Q5_0: return vecDotQ5_0Scalar(n, w, a);
    case T_Q5_1: return vecDotQ5_1Scalar(n, w, a);
    case T_Q8_0: return vecDotQ8_0Scalar(n, w, a);
    case T_Q2_K: return vecDotQ2KScalar(n, w, a);
    case T_Q3_K: return vecDotQ3KScalar(n, w, a);
    case T_Q4_K: return vecDotQ4KScalar(n, w, a);
    case T_Q5_K: return vecDotQ5KScalar(n, w, a);
    case T_Q6_K: return vecDotQ6KScalar(n, w, a);
    default: return NaN;
  }
}

function dequantRow(type: i32, src: usize, dst: usize, n: i32): i32 {
  switch (type) {
    case T_F32: case T_F16: case T_BF16: dequantRowFloat(type, src, dst, n); return OK;
    case T_Q4_0: dequantRowQ4_0(src, dst, n); return OK;
    case T_Q4_1: dequantRowQ4_1(src, dst, n); return OK;
    case T_Q5_0: dequantRowQ5_0(src, dst, n); return OK;
    case T_Q5_1: dequantRowQ5_1(src, dst, n); return OK;
    case T_Q8_0: dequantRowQ8_0(src, dst, n); return OK;
    case T_Q2_K: dequantRowQ2K(src, dst, n); return OK;
    case T_Q3_K: dequantRowQ3K(src, dst, n); return OK;
    case T_Q4_K: dequantRowQ4K(src, dst, n); return OK;
    case T_Q5_K: dequantRowQ5K(src, dst, n); return OK;
    case T_Q6_K: dequantRowQ6K(src, dst, n); return OK;
    default: return E_K_TYPE;
  }
}
