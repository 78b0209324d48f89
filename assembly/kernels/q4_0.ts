// Q4_0: 32 weights in 18 bytes (ggml block_q4_0).
//
//  byte 0      2                                  18
//  ┌───────────┬──────────────────────────────────┐
//  │ d: f16    │ qs: 16 bytes, two 4-bit quants    │   qs[j] = q[j] | q[j + 16] << 4
//  └───────────┴──────────────────────────────────┘
//  x[j] = d · (q[j] − 8),   q ∈ [0, 15]
//
// The dot with an 8-bit activation (act-q8.ts: x'[j] = da·a[j]) per block:
//   da·d·Σ a[j]·(q[j] − 8) = da·d·(Σ a[j]·q[j] − 8·Σ a[j])
// so the SIMD form keeps the nibbles unsigned (valid relaxed-dot i7 lanes) and
// subtracts 8·Σ a (kept with the activation) from the block's integer sum.

import { loadF16, loadScale, hsumF32 } from './float';
import { actD, actSum } from './act-q8';
import { pairsU, widen, lowNibbles, highNibbles } from './idot';
import { QK } from './types';

// @ts-ignore: decorator
@inline const BYTES: usize = 18;

/** n weights (a multiple of 32) at src to f32 at dst, as ggml's dequantize_row_q4_0. */
export function dequantRowQ4_0(src: usize, dst: usize, n: i32): void {
  for (let b = 0; b < n / QK; b++) {
    const blk = src + <usize>b * BYTES;
    const d = loadF16(blk);
    const out = dst + (<usize>(b * QK) << 2);
    for (let j = 0; j < 16; j++) {
      const v = <i32>load<u8>(blk + 2 + <usize>j);
      store<f32>(out + (<usize>j << 2), d * <f32>((v & 0x0f) - 8));
      store<f32>(out + (<usize>(j + 16) << 2), d * <f32>((v >> 4) - 8));
    }
  }
}

/**
 * One block of one activation vector (quants at q, its d at dp, its Σ a at sp): the block's f32x4 share of Σ w·x.
 * Σ a·(q − 8) = Σ a·q − 8·Σ a, the 8·Σ a spread over the 4 lanes.
 */
// @ts-ignore: decorator
@inline function term(lo: v128, hi: v128, d: f32, q: usize, dp: usize, sp: usize): v128 {
  const s = widen(i16x8.add(pairsU(v128.load(q), lo), pairsU(v128.load(q, 16), hi)));
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(s, i32x4.splat(load<i32>(sp) << 1))), f32x4.splat(d * load<f32>(dp)));
}

// Blocks go in pairs: acc += (term(b) + term(b + 1)), so the accumulator's add chain advances once per two
// blocks (the two terms are independent); an odd last block adds alone. vecDot and vecDot4 take the same steps.

/** Σ over n weights of w·x, x given as the act-q8.ts activation at a. SIMD. */
export function vecDotQ4_0(n: i32, w: usize, a: usize): f32 {
  let acc = f32x4.splat(0);
  const nb = n / QK;
  let blk = w, q = a, dp = a + <usize>n, sp = dp + (<usize>nb << 2);
  let b = 0;
  for (; b + 2 <= nb; b += 2, blk += 2 * BYTES, q += 2 * QK, dp += 8, sp += 8) {
    const v0 = v128.load(blk, 2), v1 = v128.load(blk, 2 + BYTES);
    const t0 = term(lowNibbles(v0), highNibbles(v0), loadScale(blk), q, dp, sp);
    const t1 = term(lowNibbles(v1), highNibbles(v1), loadScale(blk + BYTES), q + QK, dp + 4, sp + 4);
    acc = f32x4.add(acc, f32x4.add(t0, t1));
  }
  if (b < nb) {
    const v = v128.load(blk, 2);
    acc = f32x4.add(acc, term(lowNibbles(v), highNibbles(v), loadScale(blk), q, dp, sp));
  }
  return hsumF32(acc);
}

/** Four activation vectors (at a, a + stride, ...) against one row, each weight block decoded once: y[k·ys]. */
export function vecDot4Q4_0(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  const nb = n / QK;
  const s2 = stride << 1, s3 = stride * 3;
  let blk = w, q = a, dp = a + <usize>n, sp = dp + (<usize>nb << 2);
  let b = 0;
  for (; b + 2 <= nb; b += 2, blk += 2 * BYTES, q += 2 * QK, dp += 8, sp += 8) {
    const v0 = v128.load(blk, 2), v1 = v128.load(blk, 2 + BYTES);
    const lo0 = lowNibbles(v0), hi0 = highNibbles(v0), d0 = loadScale(blk);
    const lo1 = lowNibbles(v1), hi1 = highNibbles(v1), d1 = loadScale(blk + BYTES);
    acc0 = f32x4.add(acc0, f32x4.add(term(lo0, hi0, d0, q, dp, sp), term(lo1, hi1, d1, q + QK, dp + 4, sp + 4)));
    acc1 = f32x4.add(acc1, f32x4.add(term(lo0, hi0, d0, q + stride, dp + stride, sp + stride), term(lo1, hi1, d1, q + QK + stride, dp + 4 + stride, sp + 4 + stride)));
    acc2 = f32x4.add(acc2, f32x4.add(term(lo0, hi0, d0, q + s2, dp + s2, sp + s2), term(lo1, hi1, d1, q + QK + s2, dp + 4 + s2, sp + 4 + s2)));
    acc3 = f32x4.add(acc3, f32x4.add(term(lo0, hi0, d0, q + s3, dp + s3, sp + s3), term(lo1, hi1, d1, q + QK + s3, dp + 4 + s3, sp + 4 + s3)));
  }
  if (b < nb) {
    const v = v128.load(blk, 2);
    const lo = lowNibbles(v), hi = highNibbles(v), d = loadScale(blk);
    acc0 = f32x4.add(acc0, term(lo, hi, d, q, dp, sp));
    acc1 = f32x4.add(acc1, term(lo, hi, d, q + stride, dp + stride, sp + stride));
    acc2 = f32x4.add(acc2, term(lo, hi, d, q + s2, dp + s2, sp + s2));
    acc3 = f32x4.add(acc3, term(lo, hi, d, q + s3, dp + s3, sp + s3));
  }
  store<f32>(y, hsumF32(acc0));
  store<f32>(y + ys, hsumF32(acc1));
  store<f32>(y + 2 * ys, hsumF32(acc2));
  store<f32>(y + 3 * ys, hsumF32(acc3));
}

/** The scalar reference of vecDotQ4_0 (its test oracle; the bench's scalar baseline). */
export function vecDotQ4_0Scalar(n: i32, w: usize, a: usize): f32 {
  let sum: f32 = 0;
  for (let b = 0; b < n / QK; b++) {
    const blk = w + <usize>b * BYTES;
    const ab = a + <usize>(b * QK);
    let si = 0;
    for (let j = 0; j < 16; j++) {
      const v = <i32>load<u8>(blk + 2 + <usize>j);
      si += <i32>load<i8>(ab + <usize>j) * ((v & 0x0f) - 8) + <i32>load<i8>(ab + <usize>(j + 16)) * ((v >> 4) - 8);
    }
    sum += <f32>si * (loadF16(blk) * actD(a, n, b));
  }
  return sum;
}
