// Q5_K: 256 weights in 8 sub-blocks of 32, 5.5 bits a weight (ggml block_q5_K).
//
//  block (176 bytes)
//  0        2          4               16                   48                                  176
//  ┌────────┬──────────┬───────────────┬────────────────────┬───────────────────────────────────┐
//  │ d f16  │ dmin f16 │ scales[12]:   │ qh[32]: bit j of   │ qs[128]: low 4 bits, two a byte:  │
//  │        │          │ 8 × (sc, m),  │ byte l = high bit  │ byte 32g + l, low nibble = weight │
//  │        │          │ 6 bits each,  │ of weight 32j + l  │ 64g + l, high nibble = weight     │
//  │        │          │ as Q4_K       │                    │ 64g + 32 + l                      │
//  └────────┴──────────┴───────────────┴────────────────────┴───────────────────────────────────┘
//  weight i = 64g + 32t + l (g 0..3, t 0..1, l 0..31), sub-block j = 2g + t:
//    q = ((qs[32g + l] >> 4t) & 15) | ((qh[l] >> j) & 1) << 4        (0..31)
//    w = (d · sc_j) · q − (dmin · m_j)          (f32, in this order: ggml's and gguf-py's)
//
//  dot with a Q8_K block (a ≈ d8 · a8):
//    Σ w·a = d8·d · Σ_j sc_j · Σ q·a8  −  d8·dmin · Σ_j m_j · Σ a8   (Σ a8: the activation's 32-sums)

import { QK_K, Q8K_BLOCK, Q8K_BSUMS32, Q8K_QS, loadHalf, hsum, dot16, scaled } from './q8_k';
import { combineMins, scaleMinK4, scalesMinsK4 } from './q4_k';

// @ts-ignore: decorator
@inline const D: usize = 0;
// @ts-ignore: decorator
@inline const DMIN: usize = 2;
// @ts-ignore: decorator
@inline const SCALES: usize = 4;
// @ts-ignore: decorator
@inline const QH: usize = 16;
// @ts-ignore: decorator
@inline const QS: usize = 48;
// @ts-ignore: decorator
@inline export const Q5K_BLOCK: usize = 176;

/** The 5-bit quant of weight 32j + l. */
// @ts-ignore: decorator
@inline function quantQ5K(x: usize, j: usize, l: usize): i32 {
  const low = (<u32>load<u8>(x + QS + ((j >> 1) << 5) + l) >> (<u32>(j & 1) << 2)) & 15;
  const high = (<u32>load<u8>(x + QH + l) >> <u32>j) & 1;
  return <i32>(low | (high << 4));
}

export function dequantRowQ5K(src: usize, dst: usize, n: i32): void {
  const nb = n / QK_K;
  for (let b = 0; b < nb; b++) {
    const x = src + <usize>b * Q5K_BLOCK;
    const y = dst + (<usize>b * QK_K << 2);
    const d = loadHalf(x + D);
    const dmin = loadHalf(x + DMIN);
    for (let j: usize = 0; j < 8; j++) {
      const sm = scaleMinK4(x + SCALES, j);
      const d1 = d * <f32>(sm & 0xff);
      const m1 = dmin * <f32>(sm >> 8);
      const out = y + (j << 7);
      for (let l: usize = 0; l < 32; l++) store<f32>(out + (l << 2), d1 * <f32>quantQ5K(x, j, l) - m1);
    }
  }
}

/** Scalar reference: each weight decoded on its own; the oracle of vecDotQ5K. */
export function vecDotQ5KScalar(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q5K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    let isum = 0, summs = 0;
    for (let j: usize = 0; j < 8; j++) {
      const sm = scaleMinK4(x + SCALES, j);
      let dot = 0, sa = 0;
      for (let l: usize = 0; l < 32; l++) {
        const av = <i32>load<i8>(y + Q8K_QS + (j << 5) + l);
        dot += quantQ5K(x, j, l) * av;
        sa += av;
      }
      isum += <i32>(sm & 0xff) * dot;
      summs += <i32>(sm >> 8) * sa;
    }
    sum += combineMins(x + D, y, isum, summs);
  }
  return sum;
}

/** Bit j of each byte of hm, moved to bit 4. */
// @ts-ignore: decorator
@inline function fifthBit(hm: v128, j: i32): v128 {
  const moved = j <= 4 ? i8x16.shl(hm, <u32>(4 - j)) : i8x16.shr_u(hm, <u32>(j - 4));
  return v128.and(moved, i8x16.splat(16));
}

/**
 * Sub-blocks 2g and 2g+1 (64 weights): each one's Σ q·a8 as i16 lanes
 * (≤ 2·2·31·127 = 15748) times its scale (lanes 2g, 2g+1 of the i16x8 `sc`).
 */
// @ts-ignore: decorator
@inline function group(x: usize, y: usize, g: i32, h0: v128, h1: v128, sc: v128): v128 {
  const m4 = i8x16.splat(15);
  const e = <usize>g << 6;
  const q = x + QS + (<usize>g << 5);
  const v0 = v128.load(q), v1 = v128.load(q, 16);
  const j = g << 1;
  const lo = i16x8.add(dot16(v128.or(v128.and(v0, m4), fifthBit(h0, j)), y, e),
    dot16(v128.or(v128.and(v1, m4), fifthBit(h1, j)), y, e + 16));
  const hi = i16x8.add(dot16(v128.or(i8x16.shr_u(v0, 4), fifthBit(h0, j + 1)), y, e + 32),
    dot16(v128.or(i8x16.shr_u(v1, 4), fifthBit(h1, j + 1)), y, e + 48));
  return i32x4.add(scaled(lo, sc, j), scaled(hi, sc, j + 1));
}

/** Σ w·a over n weights of Q5_K at w and the Q8_K activation at a (v128; see q8_k.ts dot16). */
export function vecDotQ5K(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q5K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    const sm = scalesMinsK4(x + SCALES);
    const sc = i16x8.extend_low_i8x16_u(sm);
    const mins = i16x8.extend_high_i8x16_u(sm);
    const h0 = v128.load(x + QH), h1 = v128.load(x + QH, 16);
    const acc = i32x4.add(i32x4.add(group(x, y, 0, h0, h1, sc), group(x, y, 1, h0, h1, sc)),
      i32x4.add(group(x, y, 2, h0, h1, sc), group(x, y, 3, h0, h1, sc)));
    const summs = hsum(i32x4.dot_i16x8_s(mins, v128.load(y + Q8K_BSUMS32)));
    sum += combineMins(x + D, y, hsum(acc), summs);
  }
  return sum;
}
