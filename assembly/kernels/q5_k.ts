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

import { QK_K, Q8K_BLOCK, Q8K_BSUMS32, Q8K_QS, Q8K_QS16, loadHalf, hsum, dot16, scaled, scaleLane, bitsLeft, bitsRight, acc4Clear, acc4Add, acc4Sum } from './q8_k';
import { combineMins, scaleMinK4, scalesMinsK4, step64 } from './q4_k';

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

/** Σ w·a over n weights of Q5_K at w and the Q8_K activation at a (v128; see q8_k.ts dot16). */
export function vecDotQ5K(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  const m4 = i8x16.splat(15);
  const bit4 = i8x16.splat(16);
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q5K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    const sm = scalesMinsK4(x + SCALES);
    let sc = i16x8.extend_low_i8x16_u(sm);
    const mins = i16x8.extend_high_i8x16_u(sm);
    // qh shifted right by 2g: bits 0 and 1 of each byte are the fifth bits of sub-blocks 2g, 2g+1
    // (16-bit shifts: what crosses between the bytes of a lane lands outside bit 4).
    let h0 = v128.load(x + QH), h1 = v128.load(x + QH, 16);
    // Per step, sub-blocks 2g and 2g+1: Σ q·a8 as i16 lanes (≤ 2·2·31·127 = 15748)
    // times the scales in lanes 0 and 1 of sc, which then moves on by two (see vecDotQ4K).
    let acc = i32x4.splat(0);
    let a8 = y + Q8K_QS, a16 = y + Q8K_QS16;
    for (let q = x + QS, end = x + QS + 128; q < end; q += 32, a8 += 64, a16 += 128) {
      const v0 = v128.load(q), v1 = v128.load(q, 16);
      const lo = i16x8.add(dot16(v128.or(v128.and(v0, m4), bitsLeft(h0, 4, bit4)), a8, a16),
        dot16(v128.or(v128.and(v1, m4), bitsLeft(h1, 4, bit4)), a8 + 16, a16 + 32));
      const hi = i16x8.add(dot16(v128.or(bitsRight(v0, 4, m4), bitsLeft(h0, 3, bit4)), a8 + 32, a16 + 64),
        dot16(v128.or(bitsRight(v1, 4, m4), bitsLeft(h1, 3, bit4)), a8 + 48, a16 + 96));
      acc = i32x4.add(acc, i32x4.add(scaled(lo, sc, 0), scaled(hi, sc, 1)));
      sc = i8x16.shuffle(sc, sc, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3);
      h0 = i16x8.shr_u(h0, 2);
      h1 = i16x8.shr_u(h1, 2);
    }
    const summs = hsum(i32x4.dot_i16x8_s(mins, v128.load(y + Q8K_BSUMS32)));
    sum += combineMins(x + D, y, hsum(acc), summs);
  }
  return sum;
}

/**
 * vecDotQ5K of one weight row with four activations (a + j·stride), each block decoded once
 * for the four; results at y + j·ys, each bit for bit vecDotQ5K's.
 */
export function vecDot4Q5K(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  const nb = n / QK_K;
  const m4 = i8x16.splat(15);
  const bit4 = i8x16.splat(16);
  for (let j: usize = 0; j < 4; j++) store<f32>(y + j * ys, 0); // running sums, block by block as vecDot
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q5K_BLOCK;
    const y0 = a + <usize>b * Q8K_BLOCK;
    const sm = scalesMinsK4(x + SCALES);
    let sc = i16x8.extend_low_i8x16_u(sm);
    let h0 = v128.load(x + QH), h1 = v128.load(x + QH, 16);
    acc4Clear();
    for (let o: usize = 0; o < 128; o += 32) {
      const v0 = v128.load(x + QS + o), v1 = v128.load(x + QS + o, 16);
      const w0 = v128.or(v128.and(v0, m4), bitsLeft(h0, 4, bit4)), w1 = v128.or(v128.and(v1, m4), bitsLeft(h1, 4, bit4));
      const w2 = v128.or(bitsRight(v0, 4, m4), bitsLeft(h0, 3, bit4)), w3 = v128.or(bitsRight(v1, 4, m4), bitsLeft(h1, 3, bit4));
      const sa = scaleLane(sc, 0), sb = scaleLane(sc, 1);
      const o8 = Q8K_QS + (o << 1), o16 = Q8K_QS16 + (o << 2);
      for (let j: usize = 0; j < 4; j++) {
        const yj = y0 + j * stride;
        acc4Add(j, step64(w0, w1, w2, w3, yj + o8, yj + o16, sa, sb));
      }
      sc = i8x16.shuffle(sc, sc, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3);
      h0 = i16x8.shr_u(h0, 2);
      h1 = i16x8.shr_u(h1, 2);
    }
    const mins = i16x8.extend_high_i8x16_u(sm);
    for (let j: usize = 0; j < 4; j++) {
      const yj = y0 + j * stride;
      store<f32>(y + j * ys, load<f32>(y + j * ys) + combineMins(x + D, yj, acc4Sum(j), hsum(i32x4.dot_i16x8_s(mins, v128.load(yj + Q8K_BSUMS32)))));
    }
  }
}
