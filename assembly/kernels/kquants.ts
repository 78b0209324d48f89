// The K-quant kernels' checked entry points, for tests and benchmarks: each
// checks its shape (n a positive multiple of 256), its buffers (inside the
// budget: [arena base, end of the KV pages)) and the alignment of its f32 and
// Q8_K buffers (16 bytes), then calls the kernel of the type. Weight rows may
// start anywhere (a K-quant block is 84..210 bytes, not a multiple of 16).
// The engine's matvec (matvec.ts) calls the kernels directly: per type X in Q2K..Q6K,
// dequantRowX (get_rows, dequant), vecDotX (one activation), vecDot4X (four activations,
// K1's vecDot4 signature), vecDotXScalar (the scalar baseline); the activations are
// quantizeRowQ8K(x, work, cols) into q8kBytes(cols) bytes per vector (q8_k.ts).

import { ALIGN_BITS, E_K_ALIGN, E_K_RANGE, E_K_SHAPE, E_K_TYPE, OK } from '../common';
import { arenaBase, capUnits } from '../arena';
import { pageBytes, pageCount } from '../kv';
import { QK_K, q8kBytes, quantizeRowQ8K } from './q8_k';
import { dequantRowQ2K, vecDotQ2K, vecDot4Q2K, vecDotQ2KScalar } from './q2_k';
import { dequantRowQ3K, vecDotQ3K, vecDot4Q3K, vecDotQ3KScalar } from './q3_k';
import { dequantRowQ4K, vecDotQ4K, vecDot4Q4K, vecDotQ4KScalar } from './q4_k';
import { dequantRowQ5K, vecDotQ5K, vecDot4Q5K, vecDotQ5KScalar } from './q5_k';
import { dequantRowQ6K, vecDotQ6K, vecDot4Q6K, vecDotQ6KScalar } from './q6_k';

/** Longest row: 2^24 elements keeps every byte count of a row far below 2^32. */
// @ts-ignore: decorator
@inline const MAX_N: i32 = 1 << 24;

/** Bytes of one K-quant block of 256 weights, by type id (0 for a non-K type). */
export function kqBlockBytes(type: i32): i32 {
  switch (type) {
    case 10: return 84;   // Q2_K
    case 11: return 110;  // Q3_K
    case 12: return 144;  // Q4_K
    case 13: return 176;  // Q5_K
    case 14: return 210;  // Q6_K
    default: return 0;
  }
}

function shapeOk(n: i32): bool {
  return n > 0 && n <= MAX_N && n % QK_K == 0;
}

/** [p, p + bytes) lies inside the budget (arena and KV pages). */
function inRegion(p: usize, bytes: u64): bool {
  const end = <u64>arenaBase + (<u64>capUnits << ALIGN_BITS) + <u64>pageCount * <u64>pageBytes;
  return arenaBase != 0 && <u64>p >= <u64>arenaBase && <u64>p + bytes <= end;
}

/** Bytes of a row of n weights of `type`, or a negative status. */
export function kqRowBytes(type: i32, n: i32): i32 {
  const bb = kqBlockBytes(type);
  if (bb == 0) return E_K_TYPE;
  if (!shapeOk(n)) return E_K_SHAPE;
  return (n / QK_K) * bb;
}

/** Bytes of the Q8_K activation of n elements, or E_K_SHAPE. */
export function kqQ8KBytes(n: i32): i32 {
  return shapeOk(n) ? q8kBytes(n) : E_K_SHAPE;
}

export function kqQuantizeQ8K(x: usize, dst: usize, n: i32): i32 {
  if (!shapeOk(n)) return E_K_SHAPE;
  if (!inRegion(x, <u64>n << 2) || !inRegion(dst, <u64>q8kBytes(n))) return E_K_RANGE;
  if (((x | dst) & 15) != 0) return E_K_ALIGN;
  quantizeRowQ8K(x, dst, n);
  return OK;
}

export function kqDequant(type: i32, src: usize, dst: usize, n: i32): i32 {
  const bytes = kqRowBytes(type, n);
  if (bytes < 0) return bytes;
  if (!inRegion(src, <u64>bytes) || !inRegion(dst, <u64>n << 2)) return E_K_RANGE;
  if ((dst & 15) != 0) return E_K_ALIGN;
  switch (type) {
    case 10: dequantRowQ2K(src, dst, n); break;
    case 11: dequantRowQ3K(src, dst, n); break;
    case 12: dequantRowQ4K(src, dst, n); break;
    case 13: dequantRowQ5K(src, dst, n); break;
    default: dequantRowQ6K(src, dst, n); break;
  }
  return OK;
}

/** The kernel (SIMD, or its scalar reference) of one row; type already checked. */
function dot(type: i32, n: i32, w: usize, a: usize, scalar: bool): f32 {
  if (scalar) {
    switch (type) {
      case 10: return vecDotQ2KScalar(n, w, a);
      case 11: return vecDotQ3KScalar(n, w, a);
      case 12: return vecDotQ4KScalar(n, w, a);
      case 13: return vecDotQ5KScalar(n, w, a);
      default: return vecDotQ6KScalar(n, w, a);
    }
  }
  switch (type) {
    case 10: return vecDotQ2K(n, w, a);
    case 11: return vecDotQ3K(n, w, a);
    case 12: return vecDotQ4K(n, w, a);
    case 13: return vecDotQ5K(n, w, a);
    default: return vecDotQ6K(n, w, a);
  }
}

/**
 * y[r] = dot(W[r, :], a) for `rows` rows of `cols` weights of `type` at w, a the
 * Q8_K activation of cols elements; scalar != 0 runs the scalar reference.
 */
export function kqMatvec(type: i32, w: usize, rows: i32, cols: i32, a: usize, y: usize, scalar: i32): i32 {
  const rowBytes = kqRowBytes(type, cols);
  if (rowBytes < 0) return rowBytes;
  if (rows <= 0) return E_K_SHAPE;
  if (!inRegion(w, <u64>rows * <u64>rowBytes) || !inRegion(a, <u64>q8kBytes(cols)) || !inRegion(y, <u64>rows << 2)) return E_K_RANGE;
  if (((a | y) & 15) != 0) return E_K_ALIGN;
  for (let r = 0; r < rows; r++) {
    store<f32>(y + (<usize>r << 2), dot(type, cols, w + <usize>r * rowBytes, a, scalar != 0));
  }
  return OK;
}

/** Four activations' dots with one row (the vecDot4 kernel of the type); type already checked. */
function dot4(type: i32, n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  switch (type) {
    case 10: vecDot4Q2K(n, w, a, stride, y, ys); return;
    case 11: vecDot4Q3K(n, w, a, stride, y, ys); return;
    case 12: vecDot4Q4K(n, w, a, stride, y, ys); return;
    case 13: vecDot4Q5K(n, w, a, stride, y, ys); return;
    default: vecDot4Q6K(n, w, a, stride, y, ys); return;
  }
}

/**
 * y[b·rows + r] = dot(W[r, :], a_b) for `batch` Q8_K activations of cols elements, consecutive at a
 * (kqQ8KBytes(cols) each); each row is dotted with four activations at a time (vecDot4*).
 */
export function kqMatmul(type: i32, w: usize, rows: i32, cols: i32, a: usize, batch: i32, y: usize): i32 {
  const rowBytes = kqRowBytes(type, cols);
  if (rowBytes < 0) return rowBytes;
  if (rows <= 0 || batch <= 0 || batch > 4096) return E_K_SHAPE;
  const ab = <usize>q8kBytes(cols);
  if (!inRegion(w, <u64>rows * <u64>rowBytes) || !inRegion(a, <u64>batch * <u64>ab) || !inRegion(y, (<u64>rows * <u64>batch) << 2)) return E_K_RANGE;
  if (((a | y) & 15) != 0) return E_K_ALIGN;
  const ys = <usize>rows << 2;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let b = 0;
    for (; b + 4 <= batch; b += 4) dot4(type, cols, wr, a + <usize>b * ab, ab, y + <usize>b * ys + (<usize>r << 2), ys);
    for (; b < batch; b++) store<f32>(y + <usize>b * ys + (<usize>r << 2), dot(type, cols, wr, a + <usize>b * ab, false));
  }
  return OK;
}

/** One row's dot (see kqMatvec); NaN for a request kqMatvec would refuse. */
export function kqVecDot(type: i32, n: i32, w: usize, a: usize, scalar: i32): f32 {
  const rowBytes = kqRowBytes(type, n);
  if (rowBytes < 0 || !inRegion(w, <u64>rowBytes) || !inRegion(a, <u64>q8kBytes(n)) || (a & 15) != 0) return NaN;
  return dot(type, n, w, a, scalar != 0);
}
