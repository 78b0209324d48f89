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

import { loadF16, loadScale, loadScales4, hsumF32 } from './float';
import { actD, actSum } from './act-q8';
import { pairsU, widen, scaleAdd, lowNibbles, highNibbles } from './idot';
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
 * Σ a·(q − 8) = Σ a·q − 8·Σ a, the 8·Σ a spread over the 4 lanes. For the blocks past the last group of four.
 */
// @ts-ignore: decorator
@inline function step(acc: v128, lo: v128, hi: v128, d: f32, q: usize, dp: usize, sp: usize): v128 {
  const s = widen(i16x8.add(pairsU(v128.load(q), lo), pairsU(v128.load(q, 16), hi)));
  return scaleAdd(acc, i32x4.sub(s, i32x4.splat(load<i32>(sp) << 1)), d * load<f32>(dp));
}

/** The eight i16 partial sums Σ a·q of one block (quants at q): |lane| ≤ 2·2·127·15 = 7620. */
// @ts-ignore: decorator
@inline function partial(lo: v128, hi: v128, q: usize): v128 {
  return i16x8.add(pairsU(v128.load(q), lo), pairsU(v128.load(q, 16), hi));
}

/**
 * [Σ lanes of p0, of p1, of p2, of p3] as i32x4 from four blocks' i16 partial sums: two transpose-adds in i16
 * (each lane then sums four partials, |·| ≤ 4·7620 = 30480 < 2^15) and one widening add, instead of a widen per
 * block and sum4's three i32 adds.
 */
// @ts-ignore: decorator
@inline function sum4i16(p0: v128, p1: v128, p2: v128, p3: v128): v128 {
  const a = i16x8.add(i32x4.shuffle(p0, p1, 0, 1, 4, 5), i32x4.shuffle(p0, p1, 2, 3, 6, 7));
  const b = i16x8.add(i32x4.shuffle(p2, p3, 0, 1, 4, 5), i32x4.shuffle(p2, p3, 2, 3, 6, 7));
  return widen(i16x8.add(i32x4.shuffle(a, b, 0, 2, 4, 6), i32x4.shuffle(a, b, 1, 3, 5, 7)));
}

/**
 * Four consecutive blocks of one activation vector (quants at q, its d at dp, its Σ a at sp; the weights'
 * nibbles lo0..hi3 and their scales d4 as f32x4): lane k gets block k's da·d·(Σ a·q − 8·Σ a), exact integers
 * converted once. The scales are one load and one multiply for the four, the offsets one load and one shift.
 */
// @ts-ignore: decorator
@inline function quad(acc: v128, d4: v128, lo0: v128, hi0: v128, lo1: v128, hi1: v128, lo2: v128, hi2: v128, lo3: v128, hi3: v128, q: usize, dp: usize, sp: usize): v128 {
  const s = sum4i16(partial(lo0, hi0, q), partial(lo1, hi1, q + QK), partial(lo2, hi2, q + 2 * QK), partial(lo3, hi3, q + 3 * QK));
  const i = i32x4.sub(s, i32x4.shl(v128.load(sp), 3));
  return f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(i), f32x4.mul(d4, v128.load(dp))));
}

// Blocks go four at a time (sum4i16 and quad): the integer dots of four blocks are gathered in one vector, so the
// conversion, the scales (loadScales4) and the offsets cost one vector op per four blocks instead of one each;
// the blocks past the last group of four go through step. vecDot and vecDot4 take the same steps per vector.

/** Σ over n weights of w·x, x given as the act-q8.ts activation at a. SIMD. */
export function vecDotQ4_0(n: i32, w: usize, a: usize): f32 {
  let acc = f32x4.splat(0);
  const nb = n / QK;
  let blk = w, q = a, dp = a + <usize>n, sp = dp + (<usize>nb << 2);
  let b = 0;
  for (; b + 4 <= nb; b += 4, blk += 4 * BYTES, q += 4 * QK, dp += 16, sp += 16) {
    const v0 = v128.load(blk, 2), v1 = v128.load(blk, 2 + BYTES), v2 = v128.load(blk, 2 + 2 * BYTES), v3 = v128.load(blk, 2 + 3 * BYTES);
    acc = quad(acc, loadScales4(blk, BYTES), lowNibbles(v0), highNibbles(v0), lowNibbles(v1), highNibbles(v1),
      lowNibbles(v2), highNibbles(v2), lowNibbles(v3), highNibbles(v3), q, dp, sp);
  }
  for (; b < nb; b++, blk += BYTES, q += QK, dp += 4, sp += 4) {
    const v = v128.load(blk, 2);
    acc = step(acc, lowNibbles(v), highNibbles(v), loadScale(blk), q, dp, sp);
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
  for (; b + 4 <= nb; b += 4, blk += 4 * BYTES, q += 4 * QK, dp += 16, sp += 16) {
    const v0 = v128.load(blk, 2), v1 = v128.load(blk, 2 + BYTES), v2 = v128.load(blk, 2 + 2 * BYTES), v3 = v128.load(blk, 2 + 3 * BYTES);
    const l0 = lowNibbles(v0), h0 = highNibbles(v0), l1 = lowNibbles(v1), h1 = highNibbles(v1);
    const l2 = lowNibbles(v2), h2 = highNibbles(v2), l3 = lowNibbles(v3), h3 = highNibbles(v3);
    const d4 = loadScales4(blk, BYTES);
    acc0 = quad(acc0, d4, l0, h0, l1, h1, l2, h2, l3, h3, q, dp, sp);
    acc1 = quad(acc1, d4, l0, h0, l1, h1, l2, h2, l3, h3, q + stride, dp + stride, sp + stride);
    acc2 = quad(acc2, d4, l0, h0, l1, h1, l2, h2, l3, h3, q + s2, dp + s2, sp + s2);
    acc3 = quad(acc3, d4, l0, h0, l1, h1, l2, h2, l3, h3, q + s3, dp + s3, sp + s3);
  }
  for (; b < nb; b++, blk += BYTES, q += QK, dp += 4, sp += 4) {
    const v = v128.load(blk, 2);
    const lo = lowNibbles(v), hi = highNibbles(v), d = loadScale(blk);
    acc0 = step(acc0, lo, hi, d, q, dp, sp);
    acc1 = step(acc1, lo, hi, d, q + stride, dp + stride, sp + stride);
    acc2 = step(acc2, lo, hi, d, q + s2, dp + s2, sp + s2);
    acc3 = step(acc3, lo, hi, d, q + s3, dp + s3, sp + s3);
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
