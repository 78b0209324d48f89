// Q4_K: 256 weights in 8 sub-blocks of 32, 4.5 bits a weight (ggml block_q4_K).
//
//  block (144 bytes)
//  0        2          4                16                                        144
//  ┌────────┬──────────┬────────────────┬─────────────────────────────────────────┐
//  │ d f16  │ dmin f16 │ scales[12]:    │ qs[128]: two 4-bit quants a byte        │
//  │        │          │ 8 × (sc, m),   │ byte 32g + l: low nibble = weight       │
//  │        │          │ 6 bits each    │ 64g + l, high nibble = weight 64g+32+l  │
//  └────────┴──────────┴────────────────┴─────────────────────────────────────────┘
//  scales[12], sub-block j (weights 32j .. 32j+31):
//    j < 4:  sc = s[j] & 63                       m = s[j+4] & 63
//    j ≥ 4:  sc = (s[j+4] & 15) | (s[j-4] >> 6) << 4    m = (s[j+4] >> 4) | (s[j] >> 6) << 4
//
//  weight i = 64g + 32t + l (g 0..3, t 0..1, l 0..31), sub-block j = 2g + t:
//    q = (qs[32g + l] >> 4t) & 15
//    w = (d · sc_j) · q − (dmin · m_j)          (f32, in this order: ggml's and gguf-py's)
//
//  dot with a Q8_K block (a ≈ d8 · a8):
//    Σ w·a = d8·d · Σ_j sc_j · Σ q·a8  −  d8·dmin · Σ_j m_j · Σ a8
//  the first sum exact in i32, the second from the activation's 32-sums.

import { QK_K, Q8K_BLOCK, Q8K_BSUMS32, Q8K_QS, Q8K_QS16, q8kD, loadHalf, hsum, dot16, scaleLane, bitsRight, acc4Clear, acc4Add, acc4Sum } from './q8_k';

// @ts-ignore: decorator
@inline const D: usize = 0;
// @ts-ignore: decorator
@inline const DMIN: usize = 2;
// @ts-ignore: decorator
@inline const SCALES: usize = 4;
// @ts-ignore: decorator
@inline const QS: usize = 16;
// @ts-ignore: decorator
@inline export const Q4K_BLOCK: usize = 144;

/** (sc | m << 8) of sub-block j from the 12 packed bytes at p (Q4_K and Q5_K). */
// @ts-ignore: decorator
@inline export function scaleMinK4(p: usize, j: usize): u32 {
  if (j < 4) return (<u32>load<u8>(p + j) & 63) | ((<u32>load<u8>(p + j + 4) & 63) << 8);
  const sc = (<u32>load<u8>(p + j + 4) & 15) | ((<u32>load<u8>(p + j - 4) >> 6) << 4);
  const m = (<u32>load<u8>(p + j + 4) >> 4) | ((<u32>load<u8>(p + j) >> 6) << 4);
  return sc | (m << 8);
}

/** All 8 (sc, m) at once: u8 lanes 0..7 = sc_0..7, lanes 8..15 = m_0..7 (ggml's utmp shuffle). */
// @ts-ignore: decorator
@inline export function scalesMinsK4(p: usize): v128 {
  const u0 = load<u32>(p), u1 = load<u32>(p, 4), u2 = load<u32>(p, 8);
  let v = i32x4.splat(u0 & 0x3f3f3f3f);
  v = i32x4.replace_lane(v, 1, (u2 & 0x0f0f0f0f) | (((u0 >> 6) & 0x03030303) << 4));
  v = i32x4.replace_lane(v, 2, u1 & 0x3f3f3f3f);
  return i32x4.replace_lane(v, 3, ((u2 >> 4) & 0x0f0f0f0f) | (((u1 >> 6) & 0x03030303) << 4));
}

/**
 * One block's share of the dot from its exact integer sums, the same f32 steps in
 * the SIMD kernel and its scalar oracle (ggml's: d8·d · isum − d8·dmin · summs).
 * `dd` points at the block's d f16, followed by dmin f16 (Q2_K, Q4_K, Q5_K).
 */
// @ts-ignore: decorator
@inline export function combineMins(dd: usize, y: usize, isum: i32, summs: i32): f32 {
  const d8 = q8kD(y);
  const d = d8 * loadHalf(dd);
  const dmin = d8 * loadHalf(dd + 2);
  return d * <f32>isum - dmin * <f32>summs;
}

export function dequantRowQ4K(src: usize, dst: usize, n: i32): void {
  const nb = n / QK_K;
  for (let b = 0; b < nb; b++) {
    const x = src + <usize>b * Q4K_BLOCK;
    const y = dst + (<usize>b * QK_K << 2);
    const d = loadHalf(x + D);
    const dmin = loadHalf(x + DMIN);
    for (let j: usize = 0; j < 8; j++) {
      const sm = scaleMinK4(x + SCALES, j);
      const d1 = d * <f32>(sm & 0xff);
      const m1 = dmin * <f32>(sm >> 8);
      const q = x + QS + ((j >> 1) << 5);
      const shift = <u32>(j & 1) << 2;
      const out = y + (j << 7);
      for (let l: usize = 0; l < 32; l++) {
        store<f32>(out + (l << 2), d1 * <f32>((<u32>load<u8>(q + l) >> shift) & 15) - m1);
      }
    }
  }
}

/** Scalar reference: each weight decoded on its own; the oracle of vecDotQ4K. */
export function vecDotQ4KScalar(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q4K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    let isum = 0, summs = 0;
    for (let j: usize = 0; j < 8; j++) {
      const sm = scaleMinK4(x + SCALES, j);
      const q = x + QS + ((j >> 1) << 5);
      const shift = <u32>(j & 1) << 2;
      let dot = 0, sa = 0;
      for (let l: usize = 0; l < 32; l++) {
        const av = <i32>load<i8>(y + Q8K_QS + (j << 5) + l);
        dot += <i32>((<u32>load<u8>(q + l) >> shift) & 15) * av;
        sa += av;
      }
      isum += <i32>(sm & 0xff) * dot;
      summs += <i32>(sm >> 8) * sa;
    }
    sum += combineMins(x + D, y, isum, summs);
  }
  return sum;
}

/**
 * One step of 64 weights (sub-blocks 2g, 2g+1) with one activation: the decoded
 * weights w0..w3 (16 each: low nibbles of qs bytes 0..15 and 16..31, then their
 * high nibbles) times the activations at a8 (qs) / a16 (qs16), each sub-block's
 * i16 sums (≤ 2·2·31·127 = 15748, also for Q5_K) times its scale splat s0 / s1.
 */
// @ts-ignore: decorator
@inline export function step64(w0: v128, w1: v128, w2: v128, w3: v128, a8: usize, a16: usize, s0: v128, s1: v128): v128 {
  const lo = i16x8.add(dot16(w0, a8, a16), dot16(w1, a8 + 16, a16 + 32));
  const hi = i16x8.add(dot16(w2, a8 + 32, a16 + 64), dot16(w3, a8 + 48, a16 + 96));
  return i32x4.add(i32x4.dot_i16x8_s(lo, s0), i32x4.dot_i16x8_s(hi, s1));
}

/** Σ w·a over n weights of Q4_K at w and the Q8_K activation at a (v128; see q8_k.ts dot16). */
export function vecDotQ4K(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  const m4 = i8x16.splat(15);
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q4K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    const sm = scalesMinsK4(x + SCALES);
    let sc = i16x8.extend_low_i8x16_u(sm);
    // Per step, sub-blocks 2g and 2g+1 (64 weights, 32 bytes of qs), with the scales in lanes
    // 0 and 1 of sc, which then moves on by two. A loop, not unrolled: V8 would load every
    // vector of the block up front and spill them.
    let acc = i32x4.splat(0);
    for (let o: usize = 0; o < 128; o += 32) {
      const v0 = v128.load(x + QS + o), v1 = v128.load(x + QS + o, 16);
      acc = i32x4.add(acc, step64(v128.and(v0, m4), v128.and(v1, m4), bitsRight(v0, 4, m4), bitsRight(v1, 4, m4),
        y + Q8K_QS + (o << 1), y + Q8K_QS16 + (o << 2), scaleLane(sc, 0), scaleLane(sc, 1)));
      sc = i8x16.shuffle(sc, sc, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3);
    }
    const summs = hsum(i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(sm), v128.load(y + Q8K_BSUMS32)));
    sum += combineMins(x + D, y, hsum(acc), summs);
  }
  return sum;
}

/**
 * vecDotQ4K of one weight row with four activations (a, a + stride, a + 2·stride, a + 3·stride),
 * each weight block decoded once for the four; results at y, y + ys, y + 2·ys, y + 3·ys, each
 * bit for bit vecDotQ4K's (the same integers and f32 steps).
 */
export function vecDot4Q4K(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  const nb = n / QK_K;
  const m4 = i8x16.splat(15);
  for (let j: usize = 0; j < 4; j++) store<f32>(y + j * ys, 0); // running sums, block by block as vecDot
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q4K_BLOCK;
    const y0 = a + <usize>b * Q8K_BLOCK;
    const sm = scalesMinsK4(x + SCALES);
    let sc = i16x8.extend_low_i8x16_u(sm);
    acc4Clear();
    for (let o: usize = 0; o < 128; o += 32) {
      const v0 = v128.load(x + QS + o), v1 = v128.load(x + QS + o, 16);
      const w0 = v128.and(v0, m4), w1 = v128.and(v1, m4), w2 = bitsRight(v0, 4, m4), w3 = bitsRight(v1, 4, m4);
      const sa = scaleLane(sc, 0), sb = scaleLane(sc, 1);
      const o8 = Q8K_QS + (o << 1), o16 = Q8K_QS16 + (o << 2);
      for (let j: usize = 0; j < 4; j++) {
        const yj = y0 + j * stride;
        acc4Add(j, step64(w0, w1, w2, w3, yj + o8, yj + o16, sa, sb));
      }
      sc = i8x16.shuffle(sc, sc, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3);
    }
    const mins = i16x8.extend_high_i8x16_u(sm);
    for (let j: usize = 0; j < 4; j++) {
      const yj = y0 + j * stride;
      store<f32>(y + j * ys, load<f32>(y + j * ys) + combineMins(x + D, yj, acc4Sum(j), hsum(i32x4.dot_i16x8_s(mins, v128.load(yj + Q8K_BSUMS32)))));
    }
  }
}
