// Float weight rows: F32, F16, BF16, dotted with f32 activations, and the
// f16 → f32 conversion every quantized block uses for its scales.
//
//  f16  ┌───┬───────┬────────────┐      bf16 ┌───┬──────────┬─────────┐
//       │ s │ e (5) │ mant (10)  │           │ s │ exp (8)  │ mant (7)│  = the top half of an f32
//       └───┴───────┴────────────┘           └───┴──────────┴─────────┘
//
//  f16 → f32, exactly (ggml_compute_fp16_to_fp32, numpy's astype):
//    f = f32bits((h & 0x7fff) << 13) × 2^112      normals and subnormals: the exponent is rebased by 112,
//                                                 a subnormal half lands on a subnormal f32 first (exact);
//    if (h & 0x7fff) ≥ 0x7c00: f |= 0x7f800000    infinity and NaN (payload kept);
//    f |= (h & 0x8000) << 16                       the sign.
//  bf16 → f32: bits << 16.

import { T_F32, T_F16, T_BF16 } from './types';

// @ts-ignore: decorator
@inline const REBASE: f32 = reinterpret<f32>(<u32>(127 + 112) << 23); // 2^112
// @ts-ignore: decorator
@inline const F32_INF_BITS: u32 = 0x7f800000;

/** One f16 (its bits) to f32, bit-exact. */
// @ts-ignore: decorator
@inline export function f16ToF32(h: u32): f32 {
  const em = h & 0x7fff;
  let f = reinterpret<u32>(reinterpret<f32>(em << 13) * REBASE);
  if (em >= 0x7c00) f |= F32_INF_BITS;
  return reinterpret<f32>(f | ((h & 0x8000) << 16));
}

/** The f16 at p, as f32. */
// @ts-ignore: decorator
@inline export function loadF16(p: usize): f32 {
  return f16ToF32(<u32>load<u16>(p));
}

/**
 * The f16 scale at p, as f32, for the dot products: exact for every finite half (zero, subnormal, normal, max);
 * ±inf and NaN (which ggml's quantizers never write) come out as finite values ≥ 65536 instead. The load
 * sign-extends, so the sign bit lands in bit 31 and the mask keeps it: 4 operations instead of loadF16's 8.
 */
// @ts-ignore: decorator
@inline export function loadScale(p: usize): f32 {
  return reinterpret<f32>((<i32>load<i16>(p) << 13) & 0x8fffe000) * REBASE;
}

/**
 * loadScale of four blocks at once: the f16 scales at p, p + stride, p + 2·stride, p + 3·stride as f32x4.
 * Each half lands in the high 16 bits of its i32 lane, so an arithmetic shift right by 3 is loadScale's
 * sign-extended `h << 13`; the same mask and rebase follow, so each lane equals loadScale's value.
 */
// @ts-ignore: decorator
@inline export function loadScales4(p: usize, stride: usize): v128 {
  let v = i32x4.splat(0);
  v = v128.load16_lane(p, v, 1);
  v = v128.load16_lane(p + stride, v, 3);
  v = v128.load16_lane(p + 2 * stride, v, 5);
  v = v128.load16_lane(p + 3 * stride, v, 7);
  return f32x4.mul(v128.and(i32x4.shr_s(v, 3), i32x4.splat(0x8fffe000)), f32x4.splat(REBASE));
}

/** Four f16 (in the u32 lanes of `u`, high halves zero) to four f32: the scalar formula, lane-wise. */
// @ts-ignore: decorator
@inline export function f16x4ToF32(u: v128): v128 {
  const em = v128.and(u, i32x4.splat(0x7fff));
  let f = f32x4.mul(i32x4.shl(em, 13), f32x4.splat(REBASE));
  f = v128.or(f, v128.and(i32x4.gt_s(em, i32x4.splat(0x7bff)), i32x4.splat(F32_INF_BITS)));
  return v128.or(f, i32x4.shl(v128.and(u, i32x4.splat(0x8000)), 16));
}

/** Eight f16 at p to f32 at dst (dst 16-byte aligned). */
// @ts-ignore: decorator
@inline function f16x8Store(p: usize, dst: usize): void {
  const h = v128.load(p);
  v128.store(dst, f16x4ToF32(i32x4.extend_low_i16x8_u(h)));
  v128.store(dst, f16x4ToF32(i32x4.extend_high_i16x8_u(h)), 16);
}

/** n elements of a float row (`type` F32, F16 or BF16) at src to f32 at dst. */
export function dequantRowFloat(type: i32, src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (type == T_F32) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  if (type == T_F16) {
    for (; i + 8 <= n; i += 8) f16x8Store(src + (<usize>i << 1), dst + (<usize>i << 2));
    for (; i < n; i++) store<f32>(dst + (<usize>i << 2), loadF16(src + (<usize>i << 1)));
    return;
  }
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), <u32>load<u16>(src + (<usize>i << 1)) << 16);
}

/** Σ w[i]·x[i] over n f32 (w any alignment, x 16-byte aligned), four v128 accumulators. */
export function dotF32(n: i32, w: usize, x: usize): f32 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    a0 = f32x4.add(a0, f32x4.mul(v128.load(w + o), v128.load(x + o)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(w + o, 16), v128.load(x + o, 16)));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(w + o, 32), v128.load(x + o, 32)));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(w + o, 48), v128.load(x + o, 48)));
  }
  for (; i + 4 <= n; i += 4) a0 = f32x4.add(a0, f32x4.mul(v128.load(w + (<usize>i << 2)), v128.load(x + (<usize>i << 2))));
  let s = hsumF32(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  for (; i < n; i++) s += load<f32>(w + (<usize>i << 2)) * load<f32>(x + (<usize>i << 2));
  return s;
}

/** Eight weights at element i of a 16-bit float row, as two f32x4 (lo: i..i+3, hi: i+4..i+7). */
// @ts-ignore: decorator
@inline function half8(type: i32, w: usize, i: i32, high: bool): v128 {
  const p = w + (<usize>i << 1);
  const h = high ? v128.load16x4_u(p, 8) : v128.load16x4_u(p);
  return type == T_F16 ? f16x4ToF32(h) : i32x4.shl(h, 16);
}

/** One 16-bit float element as f32. */
// @ts-ignore: decorator
@inline function half1(type: i32, w: usize, i: i32): f32 {
  return type == T_F16 ? loadF16(w + (<usize>i << 1)) : reinterpret<f32>(<u32>load<u16>(w + (<usize>i << 1)) << 16);
}

/** Σ w[i]·x[i], w F16 or BF16 (`type` a constant at each call site): two accumulators over 8 elements. */
// @ts-ignore: decorator
@inline function dotHalf(type: i32, n: i32, w: usize, x: usize): f32 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const xo = x + (<usize>i << 2);
    a0 = f32x4.add(a0, f32x4.mul(half8(type, w, i, false), v128.load(xo)));
    a1 = f32x4.add(a1, f32x4.mul(half8(type, w, i, true), v128.load(xo, 16)));
  }
  let s = hsumF32(f32x4.add(a0, a1));
  for (; i < n; i++) s += half1(type, w, i) * load<f32>(x + (<usize>i << 2));
  return s;
}

/**
 * dotHalf for four vectors (x, x + stride, ...) against one row, each weight decoded once: y[k·ys]. The same
 * accumulators and order per vector as dotHalf, so the results are bit-identical to four single dots.
 */
// @ts-ignore: decorator
@inline function dot4Half(type: i32, n: i32, w: usize, x: usize, stride: usize, y: usize, ys: usize): void {
  let p0 = f32x4.splat(0), p1 = f32x4.splat(0), q0 = f32x4.splat(0), q1 = f32x4.splat(0);
  let r0 = f32x4.splat(0), r1 = f32x4.splat(0), t0 = f32x4.splat(0), t1 = f32x4.splat(0);
  const s2 = stride << 1, s3 = stride * 3;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const lo = half8(type, w, i, false), hi = half8(type, w, i, true);
    const xo = x + (<usize>i << 2);
    p0 = f32x4.add(p0, f32x4.mul(lo, v128.load(xo)));
    p1 = f32x4.add(p1, f32x4.mul(hi, v128.load(xo, 16)));
    q0 = f32x4.add(q0, f32x4.mul(lo, v128.load(xo + stride)));
    q1 = f32x4.add(q1, f32x4.mul(hi, v128.load(xo + stride, 16)));
    r0 = f32x4.add(r0, f32x4.mul(lo, v128.load(xo + s2)));
    r1 = f32x4.add(r1, f32x4.mul(hi, v128.load(xo + s2, 16)));
    t0 = f32x4.add(t0, f32x4.mul(lo, v128.load(xo + s3)));
    t1 = f32x4.add(t1, f32x4.mul(hi, v128.load(xo + s3, 16)));
  }
  let sp = hsumF32(f32x4.add(p0, p1)), sq = hsumF32(f32x4.add(q0, q1));
  let sr = hsumF32(f32x4.add(r0, r1)), st = hsumF32(f32x4.add(t0, t1));
  for (; i < n; i++) {
    const v = half1(type, w, i);
    const xo = x + (<usize>i << 2);
    sp += v * load<f32>(xo);
    sq += v * load<f32>(xo + stride);
    sr += v * load<f32>(xo + s2);
    st += v * load<f32>(xo + s3);
  }
  store<f32>(y, sp);
  store<f32>(y + ys, sq);
  store<f32>(y + 2 * ys, sr);
  store<f32>(y + 3 * ys, st);
}

/** Σ w[i]·x[i], w f16. */
export function dotF16(n: i32, w: usize, x: usize): f32 {
  return dotHalf(T_F16, n, w, x);
}

/** Σ w[i]·x[i], w bf16. */
export function dotBF16(n: i32, w: usize, x: usize): f32 {
  return dotHalf(T_BF16, n, w, x);
}

/** Four vectors against one f16 row (matmul). */
export function dot4F16(n: i32, w: usize, x: usize, stride: usize, y: usize, ys: usize): void {
  dot4Half(T_F16, n, w, x, stride, y, ys);
}

/** Four vectors against one bf16 row (matmul). */
export function dot4BF16(n: i32, w: usize, x: usize, stride: usize, y: usize, ys: usize): void {
  dot4Half(T_BF16, n, w, x, stride, y, ys);
}

/** The scalar loop (oracle and bench baseline): one element at a time, in order. */
export function dotFloatScalar(type: i32, n: i32, w: usize, x: usize): f32 {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    let v: f32;
    if (type == T_F32) v = load<f32>(w + (<usize>i << 2));
    else if (type == T_F16) v = loadF16(w + (<usize>i << 1));
    else v = reinterpret<f32>(<u32>load<u16>(w + (<usize>i << 1)) << 16);
    s += v * load<f32>(x + (<usize>i << 2));
  }
  return s;
}

// @ts-ignore: decorator
@inline export function dotFloat(type: i32, n: i32, w: usize, x: usize): f32 {
  if (type == T_F32) return dotF32(n, w, x);
  if (type == T_F16) return dotF16(n, w, x);
  return dotBF16(n, w, x);
}

/** Sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsumF32(v: v128): f32 {
  const p = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(p, 0) + f32x4.extract_lane(p, 1);
}
