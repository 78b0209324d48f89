// The 8-bit activation the legacy quants are dotted with: ggml's block_q8_0 and
// block_q8_1 as the x86 build of llama.cpp makes them, with the scales kept as
// f32 (holding f16 values) and the quants gathered in front so every 16-byte
// load of them is aligned. One vector of n floats (n a multiple of 32):
//
//  a                                  a + n          a + n + 4·nb    a + n + 8·nb
//  ┌──────────────────────────────────┬──────────────┬──────────────┬──────────────┬─────┐
//  │ qs: i8 × n  (block b = 32 bytes) │ d: f32 × nb  │ sum: i32 × nb│ s: f32 × nb  │ pad │ qs⁺, qs⁻ (below)
//  └──────────────────────────────────┴──────────────┴──────────────┴──────────────┴─────┘
//  per block b of 32 floats x, as ggml's quantize_row_q8_0 / q8_1:
//    d' = max|x| / 127 (f32),  qs[i] = round-half-even(x[i] · (1/d')) ∈ [-127, 127],
//    d  = d' rounded to f16 (what ggml stores and dots with),
//    sum = Σ qs (exact: Q4_0/Q5_0's offset of 8 and the unsigned nibbles),
//    s  = (d' · sum) rounded to f16 (block_q8_1's s: Q4_1/Q5_1's min term, m · s)
//  so x[i] ≈ d·qs[i], with |error| ≤ d'/2 + 127·|d − d'|, |d − d'| ≤ max(2^-11·d', 2^-25).
//
//  then, at actSplit(n) = align16(n + 12·nb): qs⁺ = max(qs, 0) and qs⁻ = max(−qs, 0), n bytes each: the Relaxed
//  SIMD Q8_0 dot's second operands (i7x16: no lane may have its top bit set), so it need not split them per row.
//  actBytes(n) = actSplit(n) + 2·n.

import { QK } from './types';
import { f32ToF16, f16ToF32 } from '../f16';

/** Offset of qs⁺ (then qs⁻, n bytes on) from the activation's start. */
// @ts-ignore: decorator
@inline export function actSplit(n: i32): i32 {
  const nb = n / QK;
  return (n + 12 * nb + 15) & ~15;
}

// @ts-ignore: decorator
@inline export function actBytes(n: i32): i32 {
  return actSplit(n) + 2 * n;
}

// @ts-ignore: decorator
@inline export function actD(a: usize, n: i32, b: i32): f32 {
  return load<f32>(a + <usize>n + (<usize>b << 2));
}

/** Σ qs of block b. */
// @ts-ignore: decorator
@inline export function actSum(a: usize, n: i32, b: i32): i32 {
  return load<i32>(a + <usize>n + (<usize>(n / QK) << 2) + (<usize>b << 2));
}

/** s of block b: (d' · Σ qs) rounded to f16 (block_q8_1's s). */
// @ts-ignore: decorator
@inline export function actS(a: usize, n: i32, b: i32): f32 {
  return load<f32>(a + <usize>n + (<usize>(n / QK) << 3) + (<usize>b << 2));
}

/**
 * Quantizes n floats at x (n a multiple of 32) into the activation at dst: 16 floats a step in SIMD, the same
 * IEEE operations in the same order per element as the scalar formula above (max of |x|, x·(1/d) rounded half to
 * even, clamped to ±127), so the bytes are the scalar ones.
 */
export function quantizeAct(x: usize, dst: usize, n: i32): void {
  const nb = n / QK;
  const dBase = dst + <usize>n;
  const sBase = dBase + (<usize>nb << 2);
  const split = <usize>actSplit(n);
  const zero = i8x16.splat(0);
  const lo = f32x4.splat(-127), hi = f32x4.splat(127);
  for (let b = 0; b < nb; b++) {
    const xb = x + (<usize>(b * QK) << 2);
    let m = f32x4.abs(v128.load(xb));
    for (let i: usize = 16; i < 128; i += 16) m = f32x4.max(m, f32x4.abs(v128.load(xb + i)));
    const amax = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
    const d: f32 = amax / 127;
    const vid = f32x4.splat(d != 0 ? <f32>1 / d : 0);
    const qb = dst + <usize>(b * QK);
    const pb = dst + split + <usize>(b * QK);
    let acc = i32x4.splat(0);
    for (let h: usize = 0; h < 2; h++) {
      const xh = xb + (h << 6);
      // amax·(1/d) can round to 127.00001: clamp, so the quants stay in [-127, 127]
      const q0 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(xh), vid)), lo), hi));
      const q1 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(xh + 16), vid)), lo), hi));
      const q2 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(xh + 32), vid)), lo), hi));
      const q3 = i32x4.trunc_sat_f32x4_s(f32x4.min(f32x4.max(f32x4.nearest(f32x4.mul(v128.load(xh + 48), vid)), lo), hi));
      const q = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3));
      v128.store(qb + (h << 4), q);
      v128.store(pb + (h << 4), i8x16.max_s(q, zero));
      v128.store(pb + <usize>n + (h << 4), i8x16.max_s(i8x16.neg(q), zero));
      acc = i32x4.add(acc, i32x4.add(i32x4.add(q0, q1), i32x4.add(q2, q3)));
    }
    const sum = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
    store<f32>(dBase + (<usize>b << 2), f16ToF32(f32ToF16(d)));
    store<i32>(sBase + (<usize>b << 2), sum);
    store<f32>(sBase + (<usize>nb << 2) + (<usize>b << 2), f16ToF32(f32ToF16(d * <f32>sum)));
  }
}
