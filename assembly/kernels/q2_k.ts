// Q2_K: 256 weights in 16 sub-blocks of 16, 2.625 bits a weight (ggml block_q2_K).
//
//  block (84 bytes)
//  0                   16                                           80       82          84
//  ┌───────────────────┬────────────────────────────────────────────┬────────┬───────────┐
//  │ scales[16]:       │ qs[64]: four 2-bit quants a byte           │ d f16  │ dmin f16  │
//  │ m_j << 4 | sc_j   │ byte 32h + l, bits 2k..2k+1 = weight       │        │           │
//  │ (4 bits each)     │ 128h + 32k + l                             │        │           │
//  └───────────────────┴────────────────────────────────────────────┴────────┴───────────┘
//  weight i = 128h + 32k + l (h 0..1, k 0..3, l 0..31), sub-block j = i / 16 = 8h + 2k + l/16:
//    q = (qs[32h + l] >> 2k) & 3
//    w = (d · sc_j) · q − (dmin · m_j)          (f32, in this order: ggml's and gguf-py's)
//
//  dot with a Q8_K block (a ≈ d8 · a8):
//    Σ w·a = d8·d · Σ_j sc_j · Σ q·a8  −  d8·dmin · Σ_j m_j · Σ a8   (Σ a8: the activation's 16-sums)

import { QK_K, Q8K_BLOCK, Q8K_BSUMS16, Q8K_QS, Q8K_QS16, loadHalf, hsum, dot16, scaled, scaleLane, step4x16, bitsRight, acc4Clear, acc4Add, acc4Sum } from './q8_k';
import { combineMins } from './q4_k';

// @ts-ignore: decorator
@inline const SCALES: usize = 0;
// @ts-ignore: decorator
@inline const QS: usize = 16;
// @ts-ignore: decorator
@inline const D: usize = 80;
// @ts-ignore: decorator
@inline const DMIN: usize = 82;
// @ts-ignore: decorator
@inline export const Q2K_BLOCK: usize = 84;

export function dequantRowQ2K(src: usize, dst: usize, n: i32): void {
  const nb = n / QK_K;
  for (let b = 0; b < nb; b++) {
    const x = src + <usize>b * Q2K_BLOCK;
    const y = dst + (<usize>b * QK_K << 2);
    const d = loadHalf(x + D);
    const dmin = loadHalf(x + DMIN);
    for (let j: usize = 0; j < 16; j++) {
      const sc = <u32>load<u8>(x + SCALES + j);
      const dl = d * <f32>(sc & 15);
      const ml = dmin * <f32>(sc >> 4);
      const q = x + QS + ((j >> 3) << 5) + ((j & 1) << 4);
      const shift = <u32>((j >> 1) & 3) << 1;
      const out = y + (j << 6);
      for (let l: usize = 0; l < 16; l++) {
        store<f32>(out + (l << 2), dl * <f32>((<u32>load<u8>(q + l) >> shift) & 3) - ml);
      }
    }
  }
}

/** Scalar reference: each weight decoded on its own; the oracle of vecDotQ2K. */
export function vecDotQ2KScalar(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q2K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    let isum = 0, summs = 0;
    for (let j: usize = 0; j < 16; j++) {
      const sc = <u32>load<u8>(x + SCALES + j);
      const q = x + QS + ((j >> 3) << 5) + ((j & 1) << 4);
      const shift = <u32>((j >> 1) & 3) << 1;
      let dot = 0, sa = 0;
      for (let l: usize = 0; l < 16; l++) {
        const av = <i32>load<i8>(y + Q8K_QS + (j << 4) + l);
        dot += <i32>((<u32>load<u8>(q + l) >> shift) & 3) * av;
        sa += av;
      }
      isum += <i32>(sc & 15) * dot;
      summs += <i32>(sc >> 4) * sa;
    }
    sum += combineMins(x + D, y, isum, summs);
  }
  return sum;
}

/** Σ w·a over n weights of Q2_K at w and the Q8_K activation at a (v128; see q8_k.ts dot16). */
export function vecDotQ2K(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  const m2 = i8x16.splat(3);
  const m4 = i8x16.splat(15);
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q2K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    const packed = v128.load(x + SCALES);
    const sc8 = v128.and(packed, m4);
    const mins = bitsRight(packed, 4, m4);
    // Per step, half h of the block (128 weights from 32 bytes of qs, sub-blocks 8h .. 8h+7):
    // crumb k of byte l is weight 32k + l. Each sub-block's Σ q·a8 (i16 lanes ≤ 2·3·127)
    // times its scale, lane j of sc (the half's 8 scales). 16-bit shifts: what crosses between
    // the bytes of a lane lands above bit 1.
    let sc = i16x8.extend_low_i8x16_u(sc8);
    let acc = i32x4.splat(0);
    let a8 = y + Q8K_QS, a16 = y + Q8K_QS16;
    for (let q = x + QS, end = x + QS + 64; q < end; q += 32, a8 += 128, a16 += 256) {
      const v0 = v128.load(q), v1 = v128.load(q, 16);
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(v128.and(v0, m2), a8, a16), sc, 0),
        scaled(dot16(v128.and(v1, m2), a8 + 16, a16 + 32), sc, 1)));
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(bitsRight(v0, 2, m2), a8 + 32, a16 + 64), sc, 2),
        scaled(dot16(bitsRight(v1, 2, m2), a8 + 48, a16 + 96), sc, 3)));
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(bitsRight(v0, 4, m2), a8 + 64, a16 + 128), sc, 4),
        scaled(dot16(bitsRight(v1, 4, m2), a8 + 80, a16 + 160), sc, 5)));
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(bitsRight(v0, 6, m2), a8 + 96, a16 + 192), sc, 6),
        scaled(dot16(bitsRight(v1, 6, m2), a8 + 112, a16 + 224), sc, 7)));
      sc = i16x8.extend_high_i8x16_u(sc8);
    }
    const summs = hsum(i32x4.add(
      i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(mins), v128.load(y + Q8K_BSUMS16)),
      i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(mins), v128.load(y + Q8K_BSUMS16, 16))));
    sum += combineMins(x + D, y, hsum(acc), summs);
  }
  return sum;
}

/** Σ m_j · Σ a8 over sub-block j (the activation's 16-sums), mins: the 16 4-bit mins as u8. */
// @ts-ignore: decorator
@inline function minsQ2K(mins: v128, y: usize): i32 {
  return hsum(i32x4.add(
    i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(mins), v128.load(y + Q8K_BSUMS16)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(mins), v128.load(y + Q8K_BSUMS16, 16))));
}

/**
 * vecDotQ2K of one weight row with four activations (a + j·stride), each block decoded once
 * for the four; results at y + j·ys, each bit for bit vecDotQ2K's.
 */
export function vecDot4Q2K(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  const nb = n / QK_K;
  const m2 = i8x16.splat(3);
  const m4 = i8x16.splat(15);
  for (let j: usize = 0; j < 4; j++) store<f32>(y + j * ys, 0); // running sums, block by block as vecDot
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q2K_BLOCK;
    const y0 = a + <usize>b * Q8K_BLOCK;
    const packed = v128.load(x + SCALES);
    const sc8 = v128.and(packed, m4);
    acc4Clear();
    // Per step, a quarter (64 weights, sub-blocks 4t .. 4t+3): half h = o / 128 of qs, crumbs 0, 1 or 2, 3.
    for (let o: usize = 0; o < 256; o += 64) {
      const q = x + QS + ((o >> 7) << 5);
      const v0 = v128.load(q), v1 = v128.load(q, 16);
      const sc = (o >> 7) == 0 ? i16x8.extend_low_i8x16_u(sc8) : i16x8.extend_high_i8x16_u(sc8);
      let w0: v128, w1: v128, w2: v128, w3: v128, sa: v128, sb: v128, sc2: v128, sd: v128;
      if (((o >> 6) & 1) == 0) {
        w0 = v128.and(v0, m2); w1 = v128.and(v1, m2); w2 = bitsRight(v0, 2, m2); w3 = bitsRight(v1, 2, m2);
        sa = scaleLane(sc, 0); sb = scaleLane(sc, 1); sc2 = scaleLane(sc, 2); sd = scaleLane(sc, 3);
      } else {
        w0 = bitsRight(v0, 4, m2); w1 = bitsRight(v1, 4, m2); w2 = bitsRight(v0, 6, m2); w3 = bitsRight(v1, 6, m2);
        sa = scaleLane(sc, 4); sb = scaleLane(sc, 5); sc2 = scaleLane(sc, 6); sd = scaleLane(sc, 7);
      }
      const o8 = Q8K_QS + o, o16 = Q8K_QS16 + (o << 1);
      for (let j: usize = 0; j < 4; j++) {
        const yj = y0 + j * stride;
        acc4Add(j, step4x16(w0, w1, w2, w3, yj + o8, yj + o16, sa, sb, sc2, sd));
      }
    }
    const mins = bitsRight(packed, 4, m4);
    for (let j: usize = 0; j < 4; j++) {
      const yj = y0 + j * stride;
      store<f32>(y + j * ys, load<f32>(y + j * ys) + combineMins(x + D, yj, acc4Sum(j), minsQ2K(mins, yj)));
    }
  }
}
