// Q4_1: 32 weights in 20 bytes (ggml block_q4_1).
//
//  byte 0      2           4                                  20
//  ┌───────────┬───────────┬──────────────────────────────────┐
//  │ d: f16    │ m: f16    │ qs: 16 bytes, two 4-bit quants    │   qs[j] = q[j] | q[j + 16] << 4
//  └───────────┴───────────┴──────────────────────────────────┘
//  x[j] = d · q[j] + m,   q ∈ [0, 15]
//
// Dot with the 8-bit activation per block: da·d·Σ a[j]·q[j] + m·da·Σ a[j]   (Σ a[j] kept with the activation, act-q8.ts).

import { loadF16, loadScale, hsumF32 } from './float';
import { actD, actS } from './act-q8';
import { pairsU, widen, scaleAdd, lowNibbles, highNibbles } from './idot';
import { QK } from './types';

// @ts-ignore: decorator
@inline const BYTES: usize = 20;

/** n weights (a multiple of 32) at src to f32 at dst, as ggml's dequantize_row_q4_1. */
export function dequantRowQ4_1(src: usize, dst: usize, n: i32): void {
  for (let b = 0; b < n / QK; b++) {
    const blk = src + <usize>b * BYTES;
    const d = loadF16(blk);
    const m = loadF16(blk + 2);
    const out = dst + (<usize>(b * QK) << 2);
    for (let j = 0; j < 16; j++) {
      const v = <i32>load<u8>(blk + 4 + <usize>j);
      store<f32>(out + (<usize>j << 2), d * <f32>(v & 0x0f) + m);
      store<f32>(out + (<usize>(j + 16) << 2), d * <f32>(v >> 4) + m);
    }
  }
}

/**
 * One block of one activation vector (quants at q, its d at dp, its s = f16(d'·Σ a) at sp): the block's f32x4 share of
 * Σ w·x = d·da·Σ a·q + m·s (ggml's q4_1·q8_1 form; the second term a quarter per lane).
 */
// @ts-ignore: decorator
@inline function step(acc: v128, lo: v128, hi: v128, d: f32, m: f32, q: usize, dp: usize, sp: usize): v128 {
  const s = widen(i16x8.add(pairsU(v128.load(q), lo), pairsU(v128.load(q, 16), hi)));
  const da = load<f32>(dp);
  return f32x4.add(scaleAdd(acc, s, d * da), f32x4.splat(m * load<f32>(sp) * 0.25));
}

/** Σ over n weights of w·x, x given as the act-q8.ts activation at a. SIMD. */
export function vecDotQ4_1(n: i32, w: usize, a: usize): f32 {
  let acc = f32x4.splat(0);
  const nb = n / QK;
  let blk = w, q = a, dp = a + <usize>n, sp = dp + (<usize>nb << 3); // sp walks the s array (act-q8.ts)
  for (let b = 0; b < nb; b++, blk += BYTES, q += QK, dp += 4, sp += 4) {
    const v = v128.load(blk, 4);
    const lo = lowNibbles(v), hi = highNibbles(v), d = loadScale(blk), m = loadScale(blk + 2);
    acc = step(acc, lo, hi, d, m, q, dp, sp);
  }
  return hsumF32(acc);
}

/** Four activation vectors (at a, a + stride, ...) against one row, each weight block decoded once: y[k·ys]. */
export function vecDot4Q4_1(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  const nb = n / QK;
  const s2 = stride << 1, s3 = stride * 3;
  let blk = w, q = a, dp = a + <usize>n, sp = dp + (<usize>nb << 3); // sp walks the s array (act-q8.ts)
  for (let b = 0; b < nb; b++, blk += BYTES, q += QK, dp += 4, sp += 4) {
    const v = v128.load(blk, 4);
    const lo = lowNibbles(v), hi = highNibbles(v), d = loadScale(blk), m = loadScale(blk + 2);
    acc0 = step(acc0, lo, hi, d, m, q, dp, sp);
    acc1 = step(acc1, lo, hi, d, m, q + stride, dp + stride, sp + stride);
    acc2 = step(acc2, lo, hi, d, m, q + s2, dp + s2, sp + s2);
    acc3 = step(acc3, lo, hi, d, m, q + s3, dp + s3, sp + s3);
  }
  store<f32>(y, hsumF32(acc0));
  store<f32>(y + ys, hsumF32(acc1));
  store<f32>(y + 2 * ys, hsumF32(acc2));
  store<f32>(y + 3 * ys, hsumF32(acc3));
}

/** The scalar reference of vecDotQ4_1. */
export function vecDotQ4_1Scalar(n: i32, w: usize, a: usize): f32 {
  let sum: f32 = 0;
  for (let b = 0; b < n / QK; b++) {
    const blk = w + <usize>b * BYTES;
    const ab = a + <usize>(b * QK);
    let si = 0;
    for (let j = 0; j < 16; j++) {
      const v = <i32>load<u8>(blk + 4 + <usize>j);
      si += <i32>load<i8>(ab + <usize>j) * (v & 0x0f) + <i32>load<i8>(ab + <usize>(j + 16)) * (v >> 4);
    }
    sum += <f32>si * (loadF16(blk) * actD(a, n, b)) + loadF16(blk + 2) * actS(a, n, b);
  }
  return sum;
}
