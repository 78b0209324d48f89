// Q6_K: 256 weights in 16 sub-blocks of 16, 6.5625 bits a weight (ggml block_q6_K).
//
//  block (210 bytes)
//  0                                 128                         192              208      210
//  ┌─────────────────────────────────┬───────────────────────────┬────────────────┬────────┐
//  │ ql[128]: low 4 bits, two a byte │ qh[64]: high 2 bits, four │ scales[16]:    │ d f16  │
//  │ byte 64h + m: low nibble =      │ a byte; byte 32h + l,     │ i8, one per    │        │
//  │ weight 128h + m, high nibble =  │ bits 2k..2k+1 = weight    │ 16 weights     │        │
//  │ weight 128h + 64 + m            │ 128h + 32k + l            │                │        │
//  └─────────────────────────────────┴───────────────────────────┴────────────────┴────────┘
//  weight i = 128h + r (h 0..1, r 0..127), sub-block j = i / 16:
//    q = ((ql[64h + r % 64] >> 4·(r / 64)) & 15 | ((qh[32h + r % 32] >> 2·(r / 32)) & 3) << 4) − 32   (−32..31)
//    w = (d · sc_j) · q                         (f32, in this order: ggml's and gguf-py's)
//
//  dot with a Q8_K block (a ≈ d8 · a8), with u = q + 32 in 0..63 (the 7-bit operand):
//    Σ w·a = d8·d · (Σ_j sc_j · Σ u·a8  −  32 · Σ_j sc_j · Σ a8)   (Σ a8: the activation's 16-sums)

import { QK_K, Q8K_BLOCK, Q8K_BSUMS16, Q8K_QS, Q8K_QS16, q8kD, loadHalf, hsum, dot16, scaled, scaleLane, step4x16, bitsLeft, bitsRight, acc4Clear, acc4Add, acc4Sum } from './q8_k';

// @ts-ignore: decorator
@inline const QL: usize = 0;
// @ts-ignore: decorator
@inline const QH: usize = 128;
// @ts-ignore: decorator
@inline const SCALES: usize = 192;
// @ts-ignore: decorator
@inline const D: usize = 208;
// @ts-ignore: decorator
@inline export const Q6K_BLOCK: usize = 210;

/** The signed 6-bit weight of element i, without its scale. */
// @ts-ignore: decorator
@inline function quantQ6K(x: usize, i: usize): i32 {
  const h = i >> 7, r = i & 127;
  const low = (<u32>load<u8>(x + QL + (h << 6) + (r & 63)) >> (<u32>(r >> 6) << 2)) & 15;
  const high = (<u32>load<u8>(x + QH + (h << 5) + (r & 31)) >> (<u32>(r >> 5) << 1)) & 3;
  return <i32>(low | (high << 4)) - 32;
}

export function dequantRowQ6K(src: usize, dst: usize, n: i32): void {
  const nb = n / QK_K;
  for (let b = 0; b < nb; b++) {
    const x = src + <usize>b * Q6K_BLOCK;
    const y = dst + (<usize>b * QK_K << 2);
    const d = loadHalf(x + D);
    for (let j: usize = 0; j < 16; j++) {
      const dl = d * <f32>load<i8>(x + SCALES + j);
      for (let i = j << 4; i < (j << 4) + 16; i++) store<f32>(y + (i << 2), dl * <f32>quantQ6K(x, i));
    }
  }
}

/** One block's share of the dot from its exact integer sum. */
// @ts-ignore: decorator
@inline function combine(x: usize, y: usize, isum: i32): f32 {
  return (loadHalf(x + D) * q8kD(y)) * <f32>isum;
}

/** Scalar reference: each weight decoded on its own; the oracle of vecDotQ6K. */
export function vecDotQ6KScalar(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q6K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    let isum = 0;
    for (let j: usize = 0; j < 16; j++) {
      let dot = 0;
      for (let i = j << 4; i < (j << 4) + 16; i++) dot += quantQ6K(x, i) * <i32>load<i8>(y + Q8K_QS + i);
      isum += <i32>load<i8>(x + SCALES + j) * dot;
    }
    sum += combine(x, y, isum);
  }
  return sum;
}

/** Σ w·a over n weights of Q6_K at w and the Q8_K activation at a (v128; see q8_k.ts dot16). */
export function vecDotQ6K(n: i32, w: usize, a: usize): f32 {
  const nb = n / QK_K;
  const m4 = i8x16.splat(15);
  const m30 = i8x16.splat(0x30);
  let sum: f32 = 0;
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q6K_BLOCK;
    const y = a + <usize>b * Q8K_BLOCK;
    const s8 = v128.load(x + SCALES);
    const lo = i16x8.extend_low_i8x16_s(s8), hi = i16x8.extend_high_i8x16_s(s8);
    // Per step, half h (sub-blocks 8h .. 8h+7, 64 bytes of ql, 32 of qh): u = low nibble |
    // two high bits << 4 (16-bit shifts: what crosses between bytes lands outside the masks);
    // each sub-block's Σ u·a8 (i16 lanes ≤ 2·63·127 = 16002) times its scale, lane j of sc.
    let sc = lo;
    let acc = i32x4.splat(0);
    let a8 = y + Q8K_QS, a16 = y + Q8K_QS16, qh = x + QH;
    for (let ql = x + QL, end = x + QL + 128; ql < end; ql += 64, qh += 32, a8 += 128, a16 += 256) {
      const l0 = v128.load(ql), l1 = v128.load(ql, 16), l2 = v128.load(ql, 32), l3 = v128.load(ql, 48);
      const h0 = v128.load(qh), h1 = v128.load(qh, 16);
      acc = i32x4.add(acc, i32x4.add(
        scaled(dot16(v128.or(v128.and(l0, m4), bitsLeft(h0, 4, m30)), a8, a16), sc, 0),
        scaled(dot16(v128.or(v128.and(l1, m4), bitsLeft(h1, 4, m30)), a8 + 16, a16 + 32), sc, 1)));
      acc = i32x4.add(acc, i32x4.add(
        scaled(dot16(v128.or(v128.and(l2, m4), bitsLeft(h0, 2, m30)), a8 + 32, a16 + 64), sc, 2),
        scaled(dot16(v128.or(v128.and(l3, m4), bitsLeft(h1, 2, m30)), a8 + 48, a16 + 96), sc, 3)));
      acc = i32x4.add(acc, i32x4.add(
        scaled(dot16(v128.or(bitsRight(l0, 4, m4), v128.and(h0, m30)), a8 + 64, a16 + 128), sc, 4),
        scaled(dot16(v128.or(bitsRight(l1, 4, m4), v128.and(h1, m30)), a8 + 80, a16 + 160), sc, 5)));
      acc = i32x4.add(acc, i32x4.add(
        scaled(dot16(v128.or(bitsRight(l2, 4, m4), bitsRight(h0, 2, m30)), a8 + 96, a16 + 192), sc, 6),
        scaled(dot16(v128.or(bitsRight(l3, 4, m4), bitsRight(h1, 2, m30)), a8 + 112, a16 + 224), sc, 7)));
      sc = hi;
    }
    const offset = hsum(i32x4.add(
      i32x4.dot_i16x8_s(lo, v128.load(y + Q8K_BSUMS16)),
      i32x4.dot_i16x8_s(hi, v128.load(y + Q8K_BSUMS16, 16))));
    sum += combine(x, y, hsum(acc) - 32 * offset);
  }
  return sum;
}

/**
 * vecDotQ6K of one weight row with four activations (a + j·stride), each block decoded once
 * for the four; results at y + j·ys, each bit for bit vecDotQ6K's.
 */
export function vecDot4Q6K(n: i32, w: usize, a: usize, stride: usize, y: usize, ys: usize): void {
  const nb = n / QK_K;
  const m4 = i8x16.splat(15);
  const m30 = i8x16.splat(0x30);
  for (let j: usize = 0; j < 4; j++) store<f32>(y + j * ys, 0); // running sums, block by block as vecDot
  for (let b = 0; b < nb; b++) {
    const x = w + <usize>b * Q6K_BLOCK;
    const y0 = a + <usize>b * Q8K_BLOCK;
    const s8 = v128.load(x + SCALES);
    const lo = i16x8.extend_low_i8x16_s(s8), hi = i16x8.extend_high_i8x16_s(s8);
    acc4Clear();
    // Per step, a quarter (64 weights): half h = o / 128, low nibbles then high nibbles (see vecDotQ6K).
    for (let o: usize = 0; o < 256; o += 64) {
      const h = o >> 7, part = (o >> 6) & 1;
      const ql = x + QL + (h << 6), qh = x + QH + (h << 5);
      const l0 = v128.load(ql), l1 = v128.load(ql, 16), l2 = v128.load(ql, 32), l3 = v128.load(ql, 48);
      const h0 = v128.load(qh), h1 = v128.load(qh, 16);
      const sc = h == 0 ? lo : hi;
      let w0: v128, w1: v128, w2: v128, w3: v128, sa: v128, sb: v128, sc2: v128, sd: v128;
      if (part == 0) {
        w0 = v128.or(v128.and(l0, m4), bitsLeft(h0, 4, m30)); w1 = v128.or(v128.and(l1, m4), bitsLeft(h1, 4, m30));
        w2 = v128.or(v128.and(l2, m4), bitsLeft(h0, 2, m30)); w3 = v128.or(v128.and(l3, m4), bitsLeft(h1, 2, m30));
        sa = scaleLane(sc, 0); sb = scaleLane(sc, 1); sc2 = scaleLane(sc, 2); sd = scaleLane(sc, 3);
      } else {
        w0 = v128.or(bitsRight(l0, 4, m4), v128.and(h0, m30)); w1 = v128.or(bitsRight(l1, 4, m4), v128.and(h1, m30));
        w2 = v128.or(bitsRight(l2, 4, m4), bitsRight(h0, 2, m30)); w3 = v128.or(bitsRight(l3, 4, m4), bitsRight(h1, 2, m30));
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
      store<f32>(y + j * ys, load<f32>(y + j * ys) + combine(x, yj, acc4Sum(j) - 32 * offsetQ6K(lo, hi, yj)));
    }
  }
}

/** Σ_j sc_j · Σ a8 over sub-block j (the activation's 16-sums), lo / hi: the i16 scales. */
// @ts-ignore: decorator
@inline function offsetQ6K(lo: v128, hi: v128, y: usize): i32 {
  return hsum(i32x4.add(
    i32x4.dot_i16x8_s(lo, v128.load(y + Q8K_BSUMS16)),
    i32x4.dot_i16x8_s(hi, v128.load(y + Q8K_BSUMS16, 16))));
}
