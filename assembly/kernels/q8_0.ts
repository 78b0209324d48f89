// Q8_0: 32 weights in 34 bytes (ggml block_q8_0).
//
//  byte 0      2                                                    34
//  ┌───────────┬────────────────────────────────────────────────────┐
//  │ d: f16    │ qs: 32 × i8                                         │
//  └───────────┴────────────────────────────────────────────────────┘
//  x[j] = qs[j] · d
//
// Dot with the 8-bit activation per block: da·d·Σ a[j]·qs[j] (both signed: idot.ts pairsS).

import { loadF16, loadScale, loadScales4, hsumF32 } from './float';
import { actD, actSplit } from './act-q8';
import { pairsSplit, widen, scaleAdd, sum4 } from './idot';
import { QK } from './types';

// @ts-ignore: decorator
@inline const BYTES: usize = 34;

/** n weights (a multiple of 32) at src to f32 at dst, as ggml's dequantize_row_q8_0. */
export function dequantRowQ8_0(src: usize, dst: usize, n: i32): void {
  for (let b = 0; b < n / QK; b++) {
    const blk = src + <usize>b * BYTES;
    const d = loadF16(blk);
    const out = dst + (<usize>(b * QK) << 2);
    for (let j = 0; j < QK; j++) store<f32>(out + (<usize>j << 2), <f32>load<i8>(blk + 2 + <usize>j) * d);
  }
}

/** One block of one activation vector (quants at q, its d at dp): the block's f32x4 share of Σ w·x (blocks past the last four). */
// @ts-ignore: decorator
@inline function step(acc: v128, w0: v128, w1: v128, d: f32, q: usize, dp: usize, split: usize, n: usize): v128 {
  return scaleAdd(acc, partial(w0, w1, q, split, n), d * load<f32>(dp));
}

/** The four i32 partial sums Σ w·a of one block (weights w0, w1; quants at q, their qs⁺ at q + split, qs⁻ n further). */
// @ts-ignore: decorator
@inline function partial(w0: v128, w1: v128, q: usize, split: usize, n: usize): v128 {
  const p = q + split, m = p + n;
  return i32x4.add(widen(pairsSplit(w0, q, p, m)), widen(pairsSplit(w1, q + 16, p + 16, m + 16)));
}

/** Four consecutive blocks of one activation vector: lane k gets block k's da·d·Σ w·a (see q4_0.ts quad). */
// @ts-ignore: decorator
@inline function quad(acc: v128, d4: v128, blk: usize, q: usize, dp: usize, split: usize, n: usize): v128 {
  const s = sum4(partial(v128.load(blk, 2), v128.load(blk, 18), q, split, n),
    partial(v128.load(blk, 2 + BYTES), v128.load(blk, 18 + BYTES), q + QK, split, n),
    partial(v128.load(blk, 2 + 2 * BYTES), v128.load(blk, 18 + 2 * BYTES), q + 2 * QK, split, n),
    partial(v128.load(blk, 2 + 3 * BYTES), v128.load(blk, 18 + 3 * BYTES), q + 3 * QK, split, n));
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.mul(d4, v128.load(dp))));
}

// Blocks go four at a time as in q4_0.ts (one conversion and one scale multiply per four blocks); the blocks
// past the last group of four go through step. vecDot and vecDot4 take the same steps per vector.

/** Σ over n weights of w·x, x given as the act-q8.ts activation at a. SIMD. */
export function vecDotQ8_0(n: i32, w: usize, a: usize): f32 {
  let acc = f32x4.splat(0);
  const nb = n / QK;
  const split = <usize>actSplit(n), un = <usize>n;
  let blk = w, q = a, dp = a + <usize>n;
  let b = 0;
  for (; b + 4 <= nb; b += 4, blk += 4 * BYTES, q += 4 * QK, dp += 16) acc = quad(acc, loadScales4(blk, BYTES), blk, q, dp, split, un);
  for (; b < nb; b++, blk += BYTES, q += QK, dp += 4) {
    acc = step(acc, v128.load(blk, 2), v128.load(blk, 18), loadScale(blk), q, dp, split, un);
  }
  return hsumF32(acc);
}

/**
 * Four activation vectors (at a, a + stride, ...) against one row: y[k·ys]. Each group of four blocks is
 * read once for the four vectors (its loads, the same addresses for each, stay in L1); the scales are decoded once.
 */
export function vecDot4Q8_0(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  const nb = n / QK;
  const s2 = stride << 1, s3 = stride * 3;
  const split = <usize>actSplit(n), un = <usize>n;
  let blk = w, q = a, dp = a + <usize>n;
  let b = 0;
  for (; b + 4 <= nb; b += 4, blk += 4 * BYTES, q += 4 * QK, dp += 16) {
    const d4 = loadScales4(blk, BYTES);
    acc0 = quad(acc0, d4, blk, q, dp, split, un);
    acc1 = quad(acc1, d4, blk, q + stride, dp + stride, split, un);
    acc2 = quad(acc2, d4, blk, q + s2, dp + s2, split, un);
    acc3 = quad(acc3, d4, blk, q + s3, dp + s3, split, un);
  }
  for (; b < nb; b++, blk += BYTES, q += QK, dp += 4) {
    const w0 = v128.load(blk, 2), w1 = v128.load(blk, 18), d = loadScale(blk);
    acc0 = step(acc0, w0, w1, d, q, dp, split, un);
    acc1 = step(acc1, w0, w1, d, q + stride, dp + stride, split, un);
    acc2 = step(acc2, w0, w1, d, q + s2, dp + s2, split, un);
    acc3 = step(acc3, w0, w1, d, q + s3, dp + s3, split, un);
  }
  store<f32>(y, hsumF32(acc0));
  store<f32>(y + ys, hsumF32(acc1));
  store<f32>(y + 2 * ys, hsumF32(acc2));
  store<f32>(y + 3 * ys, hsumF32(acc3));
}

/** The scalar reference of vecDotQ8_0. */
export function vecDotQ8_0Scalar(n: i32, w: usize, a: usize): f32 {
  let sum: f32 = 0;
  for (let b = 0; b < n / QK; b++) {
    const blk = w + <usize>b * BYTES;
    const ab = a + <usize>(b * QK);
    let si = 0;
    for (let j = 0; j < QK; j++) si += <i32>load<i8>(blk + 2 + <usize>j) * <i32>load<i8>(ab + <usize>j);
    sum += <f32>si * (loadF16(blk) * actD(a, n, b));
  }
  return sum;
}
