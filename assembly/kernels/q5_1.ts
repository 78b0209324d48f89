// Q5_1: 32 weights in 24 bytes (ggml block_q5_1).
//
//  byte 0      2           4                     8                                  24
//  ┌───────────┬───────────┬─────────────────────┬──────────────────────────────────┐
//  │ d: f16    │ m: f16    │ qh: u32, bit j = 5th │ qs: 16 bytes, low 4 bits          │   qs[j] = lo[j] | lo[j + 16] << 4
//  └───────────┴───────────┴─────────────────────┴──────────────────────────────────┘
//  q[j] = lo[j] | ((qh >> j) & 1) << 4 ∈ [0, 31],   x[j] = d · q[j] + m
//
// Dot per block: da·d·Σ a[j]·q[j] + m·s   (s = da·Σ a[j], act-q8.ts).

import { loadF16, hsumF32 } from './float';
import { actD, actS } from './act-q8';
import { pairsU, widen, lowNibbles, highNibbles, highBits } from './idot';
import { QK } from './types';

// @ts-ignore: decorator
@inline const BYTES: usize = 24;

/** n weights (a multiple of 32) at src to f32 at dst, as ggml's dequantize_row_q5_1. */
export function dequantRowQ5_1(src: usize, dst: usize, n: i32): void {
  for (let b = 0; b < n / QK; b++) {
    const blk = src + <usize>b * BYTES;
    const d = loadF16(blk);
    const m = loadF16(blk + 2);
    const qh = load<u32>(blk + 4);
    const out = dst + (<usize>(b * QK) << 2);
    for (let j = 0; j < 16; j++) {
      const v = <i32>load<u8>(blk + 8 + <usize>j);
      const q0 = (v & 0x0f) | <i32>(((qh >> <u32>j) & 1) << 4);
      const q1 = (v >> 4) | <i32>(((qh >> <u32>(j + 16)) & 1) << 4);
      store<f32>(out + (<usize>j << 2), d * <f32>q0 + m);
      store<f32>(out + (<usize>(j + 16) << 2), d * <f32>q1 + m);
    }
  }
}

/** Σ over n weights of w·x, x given as the act-q8.ts activation at a. SIMD. */
export function vecDotQ5_1(n: i32, w: usize, a: usize): f32 {
  let acc = f32x4.splat(0);
  let mins: f32 = 0;
  for (let b = 0; b < n / QK; b++) {
    const blk = w + <usize>b * BYTES;
    const qh = load<u32>(blk + 4);
    const v = v128.load(blk, 8);
    const ab = a + <usize>(b * QK);
    const lo = v128.or(lowNibbles(v), highBits(qh, 0));
    const hi = v128.or(highNibbles(v), highBits(qh, 16));
    const s = widen(i16x8.add(pairsU(v128.load(ab), lo), pairsU(v128.load(ab, 16), hi)));
    acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(loadF16(blk) * actD(a, n, b))));
    mins += loadF16(blk + 2) * actS(a, n, b);
  }
  return hsumF32(acc) + mins;
}

/** The scalar reference of vecDotQ5_1. */
export function vecDotQ5_1Scalar(n: i32, w: usize, a: usize): f32 {
  let sum: f32 = 0;
  for (let b = 0; b < n / QK; b++) {
    const blk = w + <usize>b * BYTES;
    const qh = load<u32>(blk + 4);
    const ab = a + <usize>(b * QK);
    let si = 0;
    for (let j = 0; j < 16; j++) {
      const v = <i32>load<u8>(blk + 8 + <usize>j);
      const q0 = (v & 0x0f) | <i32>(((qh >> <u32>j) & 1) << 4);
      const q1 = (v >> 4) | <i32>(((qh >> <u32>(j + 16)) & 1) << 4);
      si += <i32>load<i8>(ab + <usize>j) * q0 + <i32>load<i8>(ab + <usize>(j + 16)) * q1;
    }
    sum += <f32>si * (loadF16(blk) * actD(a, n, b)) + loadF16(blk + 2) * actS(a, n, b);
  }
  return sum;
}
