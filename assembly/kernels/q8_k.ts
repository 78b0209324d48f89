// Q8_K: the activation format the K-quant dot products read (ggml's block_q8_K,
// widened for v128). One block per 256 activations, quantized as ggml's
// quantize_row_q8_K_ref does, so the integers equal ggml's:
//
//   max = the first x_j of largest |x_j|;  iscale = -127 / max  (f32)
//   q_j = round_half_even(iscale · x_j)   in -127..127  (the max maps to -127)
//   d   = 1 / iscale                      so x_j ≈ d · q_j, |x_j - d·q_j| ≤ |d|/2
//   a block of zeros has d = 0 and q = 0; one holding NaN or ±inf, d = NaN and q = 0.
//
//  block (Q8K_BLOCK = 832 bytes, 16-byte aligned when the buffer is)
//  0                256                         768          800         816     820   832
//  ┌────────────────┬───────────────────────────┬────────────┬───────────┬───────┬─────┐
//  │ qs: 256 × i8   │ qs16: the same 256 as i16 │ bsums16:   │ bsums32:  │ d f32 │ pad │
//  │ (Relaxed SIMD, │ (plain SIMD: no widening  │ 16 × i16,  │ 8 × i16,  │       │     │
//  │  scalar)       │  per weight row)          │ Σ q per 16 │ Σ q per 32│       │     │
//  └────────────────┴───────────────────────────┴────────────┴───────────┴───────┴─────┘
//  ggml's block_q8_K is qs, bsums16 and d (292 bytes); qs16 and bsums32 are
//  computed once per activation vector so that no weight row pays for them.
//
// Also here: what every K-quant kernel shares (f16 scales, the 16-weight
// integer dot, the scale combine). The formats' files: q2_k.ts .. q6_k.ts.

// @ts-ignore: decorator
@inline export const QK_K: i32 = 256;
// @ts-ignore: decorator
@inline export const Q8K_QS: usize = 0;
// @ts-ignore: decorator
@inline export const Q8K_QS16: usize = Q8K_QS + QK_K;
// @ts-ignore: decorator
@inline export const Q8K_BSUMS16: usize = Q8K_QS16 + 2 * QK_K;
// @ts-ignore: decorator
@inline export const Q8K_BSUMS32: usize = Q8K_BSUMS16 + 2 * (QK_K / 16);
// @ts-ignore: decorator
@inline export const Q8K_D: usize = Q8K_BSUMS32 + 2 * (QK_K / 32);
// @ts-ignore: decorator
@inline export const Q8K_BLOCK: usize = (Q8K_D + 4 + 15) & ~15;

/** Bytes of the Q8_K activation for n elements (n a multiple of 256, checked by the caller). */
export function q8kBytes(n: i32): i32 {
  return (n / QK_K) * <i32>Q8K_BLOCK;
}

/** The activation block's scale d. */
// @ts-ignore: decorator
@inline export function q8kD(blk: usize): f32 {
  return load<f32>(blk + Q8K_D);
}

/**
 * Quantize n f32 (n a multiple of 256) at x into Q8_K blocks at dst. A block
 * holding a NaN or ±inf gets d = NaN (its dots are NaN).
 */
export function quantizeRowQ8K(x: usize, dst: usize, n: i32): void {
  const nb = n / QK_K;
  for (let b = 0; b < nb; b++) quantizeBlock(x + <usize>b * QK_K * 4, dst + <usize>b * Q8K_BLOCK);
}

function quantizeBlock(x: usize, y: usize): void {
  // largest |x|, then the first element that has it (ggml keeps the first on ties)
  let vmax = f32x4.splat(0);
  for (let j = 0; j < QK_K; j += 4) vmax = f32x4.max(vmax, f32x4.abs(v128.load(x + (<usize>j << 2))));
  const amax = Mathf.max(Mathf.max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
    Mathf.max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  if (amax == 0 || !(amax <= f32.MAX_VALUE)) {
    // zeros: d = 0. A NaN or ±inf (f32x4.max keeps NaN): d = NaN, so every dot with
    // this block is NaN, as float arithmetic would make it (ggml leaves such a block undefined).
    const z = i32x4.splat(0);
    for (let o: usize = 0; o < Q8K_BLOCK; o += 16) v128.store(y + o, z);
    if (amax != 0) store<f32>(y + Q8K_D, NaN);
    return;
  }
  const vamax = f32x4.splat(amax);
  let j = 0;
  for (; j < QK_K; j += 4) {
    const hit = f32x4.eq(f32x4.abs(v128.load(x + (<usize>j << 2))), vamax);
    if (v128.any_true(hit)) {
      j += ctz(i32x4.bitmask(hit));
      break;
    }
  }
  const iscale: f32 = -127.0 / load<f32>(x + (<usize>j << 2));
  const vs = f32x4.splat(iscale);
  let bs32 = 0;
  for (let k = 0; k < QK_K / 16; k++) {
    const p = x + (<usize>k << 6);
    const lo = i16x8.narrow_i32x4_s(roundQ(v128.load(p), vs), roundQ(v128.load(p, 16), vs));
    const hi = i16x8.narrow_i32x4_s(roundQ(v128.load(p, 32), vs), roundQ(v128.load(p, 48), vs));
    v128.store(y + Q8K_QS + (<usize>k << 4), i8x16.narrow_i16x8_s(lo, hi));
    v128.store(y + Q8K_QS16 + (<usize>k << 5), lo);
    v128.store(y + Q8K_QS16 + (<usize>k << 5) + 16, hi);
    const s = hsum(i32x4.extadd_pairwise_i16x8_s(i16x8.add(lo, hi)));
    store<i16>(y + Q8K_BSUMS16 + (<usize>k << 1), <i16>s);
    if (k & 1) store<i16>(y + Q8K_BSUMS32 + (<usize>(k >> 1) << 1), <i16>(bs32 + s));
    bs32 = s;
  }
  store<f32>(y + Q8K_D, 1.0 / iscale);
}

/** nearest_int(iscale · x) for four lanes: round half to even, as ggml's 12582912 trick. */
// @ts-ignore: decorator
@inline function roundQ(x: v128, iscale: v128): v128 {
  return i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.mul(x, iscale)));
}

// ---- shared by the K-quant kernels ------------------------------------------------

/** float16 bits → f32, exactly (normals, subnormals, zeros, inf and NaN). */
export function halfToF32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const em = h & 0x7fff;
  if (em >= 0x7c00) return reinterpret<f32>(sign | 0x7f800000 | ((em & 0x3ff) << 13));
  if (em >= 0x400) return reinterpret<f32>(sign | ((em << 13) + ((127 - 15) << 23)));
  // subnormal or zero: em · 2^-24 is exact in f32
  const m = <f32>em * reinterpret<f32>(<u32>(127 - 24) << 23);
  return sign != 0 ? -m : m;
}

/**
 * The f16 at p as f32, exactly. Inline fast path: the f16's exponent and
 * mantissa bits placed in an f32 (em << 13) and multiplied by 2^112 (the bias
 * difference) is exact for normals and subnormals alike; inf and NaN, which
 * no scale should hold, take halfToF32.
 */
// @ts-ignore: decorator
@inline export function loadHalf(p: usize): f32 {
  const h = <u32>load<u16>(p);
  if ((h & 0x7c00) == 0x7c00) return halfToF32(h);
  const m = reinterpret<f32>((h & 0x7fff) << 13) * reinterpret<f32>(<u32>(127 + 112) << 23);
  return reinterpret<f32>(reinterpret<u32>(m) | ((h & 0x8000) << 16));
}

/** Sum of the four i32 lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): i32 {
  const s = i32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return i32x4.extract_lane(i32x4.add(s, i32x4.shuffle(s, s, 1, 0, 3, 2)), 0);
}

/**
 * The integer dot of 16 unsigned weights w (each 0..63) with 16 activations of a
 * Q8_K block: a8 points at them in its qs, a16 in its qs16 (each build reads one).
 * The result is eight i16 lanes of two products each (|lane| ≤ 2·63·127 = 16002:
 * two such results still add up inside an i16).
 * Relaxed SIMD: one i16x8.relaxed_dot_i8x16_i7x16_s, w as the 7-bit operand
 * (0..127, so every engine gives the same result; no i16 saturation, see above).
 * Plain SIMD: w widened to i16, two i16x8.mul with the stored i16 activations.
 * (Node 20's V8 computes i32x4.relaxed_dot_i8x16_i7x16_add_s wrongly, so the
 * i16 form is used: it is also the one the scales below need.)
 */
// @ts-ignore: decorator
@inline export function dot16(w: v128, a8: usize, a16: usize): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return i16x8.relaxed_dot_i8x16_i7x16_s(v128.load(a8), w);
  } else {
    return i16x8.add(
      i16x8.mul(i16x8.extend_low_i8x16_u(w), v128.load(a16)),
      i16x8.mul(i16x8.extend_high_i8x16_u(w), v128.load(a16, 16)));
  }
}

/**
 * Bits of every byte of v moved right by `s` (0..7) and masked with `mask`: one
 * 16-bit shift (bits crossing between the two bytes of a lane must fall outside
 * `mask`, which each caller checks) and one and. V8 turns i8x16.shr_u into a
 * shift, a fresh constant and an and; the mask here is shared.
 */
// @ts-ignore: decorator
@inline export function bitsRight(v: v128, s: i32, mask: v128): v128 {
  return v128.and(s == 0 ? v : i16x8.shr_u(v, <u32>s), mask);
}

/** As bitsRight, moving left by `s` (0..7). */
// @ts-ignore: decorator
@inline export function bitsLeft(v: v128, s: i32, mask: v128): v128 {
  return v128.and(s == 0 ? v : i16x8.shl(v, <u32>s), mask);
}

/**
 * The i16 partial sums `sum16` times the scale in lane k of the i16x8 `scales`,
 * as four i32 lanes: one i8x16.swizzle (a constant mask: lane k everywhere) and
 * one i32x4.dot_i16x8_s.
 */
// @ts-ignore: decorator
@inline export function scaled(sum16: v128, scales: v128, k: i32): v128 {
  return i32x4.dot_i16x8_s(sum16, scaleLane(scales, k));
}

/** Lane k (a constant) of the i16x8 `scales` in every lane. */
// @ts-ignore: decorator
@inline export function scaleLane(scales: v128, k: i32): v128 {
  return i8x16.swizzle(scales, i16x8.splat(<i16>(0x0100 + 0x0202 * k)));
}

/** Four 16-weight sub-blocks w0..w3 (consecutive activations at a8 / a16) times their scale splats. */
// @ts-ignore: decorator
@inline export function step4x16(w0: v128, w1: v128, w2: v128, w3: v128, a8: usize, a16: usize, s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  return i32x4.add(
    i32x4.add(i32x4.dot_i16x8_s(dot16(w0, a8, a16), s0), i32x4.dot_i16x8_s(dot16(w1, a8 + 16, a16 + 32), s1)),
    i32x4.add(i32x4.dot_i16x8_s(dot16(w2, a8 + 32, a16 + 64), s2), i32x4.dot_i16x8_s(dot16(w3, a8 + 48, a16 + 96), s3)));
}

/** Compute threads at most (the runtime's thread 0 and its workers). */
// @ts-ignore: decorator
@inline export const MAX_THREADS: u32 = 16;

/**
 * The vecDot4 kernels' four i32x4 accumulators (one per activation), 64 bytes
 * per thread in the core's static data: looping over the four activations keeps
 * the code a quarter of the size of four unrolled copies. Each instance on a
 * shared memory uses its own thread's 64 bytes (attach sets it).
 */
const ACC4_ALL: usize = memory.data(64 * MAX_THREADS, 16);
let ACC4: usize = ACC4_ALL;

/** This instance computes as thread t (0 = the one that init'ed the memory). */
export function setThread(t: u32): void {
  ACC4 = ACC4_ALL + (<usize>t << 6);
}

/** Zero the four accumulators. */
// @ts-ignore: decorator
@inline export function acc4Clear(): void {
  const z = i32x4.splat(0);
  v128.store(ACC4, z);
  v128.store(ACC4, z, 16);
  v128.store(ACC4, z, 32);
  v128.store(ACC4, z, 48);
}

/** Accumulator j += v. */
// @ts-ignore: decorator
@inline export function acc4Add(j: usize, v: v128): void {
  const p = ACC4 + (j << 4);
  v128.store(p, i32x4.add(v128.load(p), v));
}

/** Sum of accumulator j's lanes. */
// @ts-ignore: decorator
@inline export function acc4Sum(j: usize): i32 {
  return hsum(v128.load(ACC4 + (j << 4)));
}
