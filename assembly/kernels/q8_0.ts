// Q8_0: 32 weights in 34 bytes (ggml block_q8_0).
//
//  byte 0      2                                                    34
//  ┌───────────┬────────────────────────────────────────────────────┐
//  │ d: f16    │ qs: 32 × i8                                         │
//  └───────────┴────────────────────────────────────────────────────┘
//  x[j] = qs[j] · d
//
// Dot with the 8-bit activation per block: da·d·Σ a[j]·qs[j] (both signed: idot.ts pairsS).

import { loadF16, hsumF32 } from './float';
import { actD } from './act-q8';
import { pairsS, widen } from './idot';
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

/** Σ over n weights of w·x, x given as the act-q8.ts activation at a. SIMD. */
export function vecDotQ8_0(n: i32, w: usize, a: usize): f32 {
  let acc = f32x4.splat(0);
  for (let b = 0; b < n / QK; b++) {
    const blk = w + <usize>b * BYTES;
    const ab = a + <usize>(b * QK);
    const s = i32x4.add(widen(pairsS(v128.load(blk, 2), v128.load(ab))), widen(pairsS(v128.load(blk, 18), v128.load(ab, 16))));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(loadF16(blk) * actD(a, n, b))));
  }
  return hsumF32(acc);
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
