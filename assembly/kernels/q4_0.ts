// Q4_0: 32 weights in 18 bytes (ggml block_q4_0).
//
//  byte 0      2                                  18
//  ┌───────────┬──────────────────────────────────┐
//  │ d: f16    │ qs: 16 bytes, two 4-bit quants    │   qs[j] = q[j] | q[j + 16] << 4
//  └───────────┴──────────────────────────────────┘
//  x[j] = d · (q[j] − 8),   q ∈ [0, 15]
//
// The dot with an 8-bit activation (act-q8.ts: x'[j] = da·a[j]) per block:
//   da·d·Σ a[j]·(q[j] − 8) = da·d·Σ a[j]·q[j] − 8·d·s      (s = da·Σ a[j])
// so the SIMD form keeps the nibbles unsigned (valid relaxed-dot i7 lanes) and
// subtracts the offset once per row.

import { loadF16, hsumF32 } from './float';
import { actD, actS } from './act-q8';
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

/** Σ over n weights of w·x, x given as the act-q8.ts activation at a. SIMD. */
export function vecDotQ4_0(n: i32, w: usize, a: usize): f32 {
  let acc = f32x4.splat(0);
  let offset: f32 = 0;
  for (let b = 0; b < n / QK; b++) {
    const blk = w + <usize>b * BYTES;
    const d = loadF16(blk);
    const v = v128.load(blk, 2);
    const ab = a + <usize>(b * QK);
    const s = widen(i16x8.add(pairsU(v128.load(ab), lowNibbles(v)), pairsU(v128.load(ab, 16), highNibbles(v))));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(d * actD(a, n, b))));
    offset += d * actS(a, n, b);
  }
  return hsumF32(acc) - 8 * offset;
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
