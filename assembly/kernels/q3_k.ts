// Q3_K: 256 weights in 16 sub-blocks of 16, 3.4375 bits a weight (ggml block_q3_K).
//
//  block (110 bytes)
//  0                  32                                  96                 108      110
//  ┌──────────────────┬───────────────────────────────────┬──────────────────┬────────┐
//  │ hmask[32]: bit   │ qs[64]: four 2-bit low parts a    │ scales[12]:      │ d f16  │
//  │ 4h+k of byte l = │ byte; byte 32h + l, bits 2k..2k+1 │ 16 × 6-bit sc    │        │
//  │ high bit of      │ = weight 128h + 32k + l           │ (see below)      │        │
//  │ weight 128h+32k+l│                                   │                  │        │
//  └──────────────────┴───────────────────────────────────┴──────────────────┴────────┘
//  weight i = 128h + 32k + l (h 0..1, k 0..3, l 0..31), sub-block j = 8h + 2k + l/16:
//    q  = ((qs[32h + l] >> 2k) & 3) − (bit (4h+k) of hmask[l] ? 0 : 4)      (−4..3)
//    sc_j = ((s[j % 8] >> 4·(j/8)) & 15 | ((s[8 + j % 4] >> 2·(j/4)) & 3) << 4) − 32   (−32..31)
//    w  = (d · sc_j) · q                        (f32, in this order: ggml's and gguf-py's)
//
//  dot with a Q8_K block (a ≈ d8 · a8), with u = q + 4 in 0..7 (the 7-bit operand):
//    Σ w·a = d8·d · (Σ_j sc_j · Σ u·a8  −  4 · Σ_j sc_j · Σ a8)   (Σ a8: the activation's 16-sums)

import { QK_K, Q8K_BLOCK, Q8K_BSUMS16, Q8K_QS, Q8K_QS16, q8kD, loadHalf, hsum, dot16, scaled, scaleLane, step4x16, bitsLeft, bitsRight, acc4Clear, acc4Add, acc4Sum } from './q8_k';

// @ts-ignore: decorator
@inline const HMASK: usize = 0;
// @ts-ignore: decorator
@inline const QS: usize = 32;
// @ts-ignore: decorator
@inline const SCALES: usize = 96;
// @ts-ignore: decorator
@inline const D: usize = 108;
// @ts-ignore: decorator
@inline export const Q3K_BLOCK: usize = 110;

/** The signed scale of sub-block j. */
// @ts-ignore: decorator
@inline function scaleQ3K(s: usize, j: usize): i32 {
  const lo = (<u32>load<u8>(s + (j & 7)) >> (<u32>(j >> 3) << 2)) & 15;
  const hi = (<u32>load<u8>(s + 8 + (j & 3)) >> (<u32>(j >> 2) << 1)) & 3;
  return <i32>(lo | (hi << 4)) - 32;
}

/** The signed weight of element i (h, k, l as above) without its scale. */
// @ts-ignore: decorator
@inline function quantQ3K(x: usize, i: usize): i32 {
  const h = i >> 7, k = (i >> 5) & 3, l = i & 31;
  const low = (<u32>load<u8>(x + QS + (h << 5) + l) >> (<u32>k << 1)) & 3;
  const high = (<u32>load<u8>(x + HMASK + l) >> <u32>((h << 2) + k)) & 1;
  return <i32>low - (high != 0 ? 0 : 4);
}

export function dequantRowQ3K(src: usize, dst: usize, n: i32): void {
  const nb = n / QK_K;
  for (let b = 0; b < nb; b++) {
    const x = src + <usize>b * Q3K_BLOCK;
    const y = dst + (<usize>b * QK_K << 2);
    const d = loadHalf(x + D);
    for (let j: usize = 0; j < 16; j++) {
      const dl = d * <f32>scaleQ3K(x + SCALES, j);
      for (let i = j << 4; i < (j << 4) + 16; i++) store<f32>(y + (i << 2), dl * <f32>quantQ3K(x, i));
    }
  }
}

/** One block's share of the dot from its exact integer sum. */
// @ts-ignore: decorator
@inline function combine(x: usize, y: usize, isum: i32): f32 {
  return (loadHalf(x + D) * q8kD(y)) * <f32>isum;
}

/** Scalar reference: each weight decoded on its own; the oracle of vecDotQ3K. */
export function vecDotQ3KScalar(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q3K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    let isum = 0;
    for (let j: usize = 0; j < 16; j++) {
      let dot = 0;
      for (let i = j << 4; i < (j << 4) + 16; i++) dot += quantQ3K(x, i) * <i32>load<i8>(y + Q8K_QS + i);
      isum += scaleQ3K(x + SCALES, j) * dot;
    }
    sum += combine(x, y, isum);
  }
  return sum;
}

/** The 16 scales + 32 as u8 lanes (ggml's aux shuffle of the 12 bytes at s). */
// @ts-ignore: decorator
@inline function scalesQ3K(s: usize): v128 {
  const a0 = load<u32>(s), a1 = load<u32>(s, 4), t = load<u32>(s, 8);
  let v = i32x4.splat((a0 & 0x0f0f0f0f) | ((t & 0x03030303) << 4));
  v = i32x4.replace_lane(v, 1, (a1 & 0x0f0f0f0f) | (((t >> 2) & 0x03030303) << 4));
  v = i32x4.replace_lane(v, 2, ((a0 >> 4) & 0x0f0f0f0f) | (((t >> 4) & 0x03030303) << 4));
  return i32x4.replace_lane(v, 3, ((a1 >> 4) & 0x0f0f0f0f) | (((t >> 6) & 0x03030303) << 4));
}

/**
 * u = q + 4 (0..7) of the 16 weights whose low parts are crumb k of `lo` and whose high
 * bits are bit k of `hm` (16-bit shifts: what crosses between bytes lands outside the masks).
 */
// @ts-ignore: decorator
@inline function unsignedQ3K(lo: v128, hm: v128, k: i32, m2: v128, bit2: v128): v128 {
  return v128.or(bitsRight(lo, k << 1, m2), k < 2 ? bitsLeft(hm, 2 - k, bit2) : bitsRight(hm, k - 2, bit2));
}

/** Σ w·a over n weights of Q3_K at w and the Q8_K activation at a (v128; see q8_k.ts dot16). */
export function vecDotQ3K(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  const m2 = i8x16.splat(3);
  const bit2 = i8x16.splat(4);
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q3K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    const s8 = i8x16.sub(scalesQ3K(x + SCALES), i8x16.splat(32));
    const lo = i16x8.extend_low_i8x16_s(s8), hi = i16x8.extend_high_i8x16_s(s8);
    // Per step, half h (sub-blocks 8h .. 8h+7): each sub-block's Σ u·a8 (i16 lanes ≤ 2·7·127)
    // times its signed scale, lane j of sc; hmask shifted right by 4h holds the high bits in bits 0..3.
    let sc = lo;
    let h0 = v128.load(x + HMASK), h1 = v128.load(x + HMASK, 16);
    let acc = i32x4.splat(0);
    let a8 = y + Q8K_QS, a16 = y + Q8K_QS16;
    for (let q = x + QS, end = x + QS + 64; q < end; q += 32, a8 += 128, a16 += 256) {
      const q0 = v128.load(q), q1 = v128.load(q, 16);
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(unsignedQ3K(q0, h0, 0, m2, bit2), a8, a16), sc, 0),
        scaled(dot16(unsignedQ3K(q1, h1, 0, m2, bit2), a8 + 16, a16 + 32), sc, 1)));
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(unsignedQ3K(q0, h0, 1, m2, bit2), a8 + 32, a16 + 64), sc, 2),
        scaled(dot16(unsignedQ3K(q1, h1, 1, m2, bit2), a8 + 48, a16 + 96), sc, 3)));
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(unsignedQ3K(q0, h0, 2, m2, bit2), a8 + 64, a16 + 128), sc, 4),
        scaled(dot16(unsignedQ3K(q1, h1, 2, m2, bit2), a8 + 80, a16 + 160), sc, 5)));
      acc = i32x4.add(acc, i32x4.add(scaled(dot16(unsignedQ3K(q0, h0, 3, m2, bit2), a8 + 96, a16 + 192), sc, 6),
        scaled(dot16(unsignedQ3K(q1, h1, 3, m2, bit2), a8 + 112, a16 + 224), sc, 7)));
      sc = hi;
      h0 = i16x8.shr_u(h0, 4);
      h1 = i16x8.shr_u(h1, 4);
    }
    const offset = hsum(i32x4.add(
      i32x4.dot_i16x8_s(lo, v128.load(y + Q8K_BSUMS16)),
      i32x4.dot_i16x8_s(hi, v128.load(y + Q8K_BSUMS16, 16))));
    sum += combine(x, y, hsum(acc) - 4 * offset);
  }
  return sum;
}

/** Σ_j sc_j · Σ a8 over sub-block j (the activation's 16-sums), lo / hi: the i16 scales. */
// @ts-ignore: decorator
@inline function offsetQ3K(lo: v128, hi: v128, y: usize): i32 {
  return hsum(i32x4.add(
    i32x4.dot_i16x8_s(lo, v128.load(y + Q8K_BSUMS16)),
    i32x4.dot_i16x8_s(hi, v128.load(y + Q8K_BSUMS16, 16))));
}

/**
 * vecDotQ3K of one weight row with four activations (a + j·stride), each block decoded once
 * for the four; results at y + j·ys, each bit for bit vecDotQ3K's.
 */
export function vecDot4Q3K(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  const nb = n / QK_K;
  const m2 = i8x16.splat(3);
  const bit2 = i8x16.splat(4);
  for (let j: usize = 0; j < 4; j++) store<f32>(y + j * ys, 0); // running sums, block by block as vecDot
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q3K_BLOCK;
    const y0 = a + <usize>b * Q8K_BLOCK;
    const s8 = i8x16.sub(scalesQ3K(x + SCALES), i8x16.splat(32));
    const lo = i16x8.extend_low_i8x16_s(s8), hi = i16x8.extend_high_i8x16_s(s8);
    const hm0 = v128.load(x + HMASK), hm1 = v128.load(x + HMASK, 16);
    acc4Clear();
    // Per step, a quarter (64 weights, sub-blocks 4t .. 4t+3): half h = o / 128, crumbs 0, 1 or 2, 3.
    for (let o: usize = 0; o < 256; o += 64) {
      const h = o >> 7;
      const q0 = v128.load(x + QS + (h << 5)), q1 = v128.load(x + QS + (h << 5), 16);
      const h0 = h == 0 ? hm0 : i16x8.shr_u(hm0, 4), h1 = h == 0 ? hm1 : i16x8.shr_u(hm1, 4);
      const sc = h == 0 ? lo : hi;
      let w0: v128, w1: v128, w2: v128, w3: v128, sa: v128, sb: v128, sc2: v128, sd: v128;
      if (((o >> 6) & 1) == 0) {
        w0 = unsignedQ3K(q0, h0, 0, m2, bit2); w1 = unsignedQ3K(q1, h1, 0, m2, bit2);
        w2 = unsignedQ3K(q0, h0, 1, m2, bit2); w3 = unsignedQ3K(q1, h1, 1, m2, bit2);
        sa = scaleLane(sc, 0); sb = scaleLane(sc, 1); sc2 = scaleLane(sc, 2); sd = scaleLane(sc, 3);
      } else {
        w0 = unsignedQ3K(q0, h0, 2, m2, bit2); w1 = unsignedQ3K(q1, h1, 2, m2, bit2);
        w2 = unsignedQ3K(q0, h0, 3, m2, bit2); w3 = unsignedQ3K(q1, h1, 3, m2, bit2);
        sa = scaleLane(sc, 4); sb = scaleLane(sc, 5); sc2 = scaleLane(sc, 6); sd = scaleLane(sc, 7);
      }
      const o8 = Q8K_QS + o, o16 = Q8K_QS16 + (o << 1);
      for (let j: usize = 0; j < 4; j++) {
        const yj = y0 + j * stride;
        acc4Add(j, step4x16(w0, w1, w2, w3, yj + o8, yj + o16, sa, sb, sc2, sd));
      }
    }
    for (let j: usize = 0; j < 4; j++) {
      const yj = y0 + j * stride;
      store<f32>(y + j * ys, load<f32>(y + j * ys) + combine(x, yj, acc4Sum(j) - 4 * offsetQ3K(lo, hi, yj)));
    }
  }
}
