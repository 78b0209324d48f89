// GELU-gated products and tanh soft-caps, as ggml-cpu computes them
// (ggml/src/ggml-cpu/vec.h: ggml_vec_geglu_f32 with GGML_GELU_FP16; ops.cpp's
// scale → tanh → scale for soft-capping).
//
//  geglu:   out = gelu16(gate) · up, n f32, where ggml reads GELU from a table
//           of f16: for -10 < x < 10,  gelu16(x) = f16(gelu(f16(x)))
//                   x ≤ -10 → 0,       x ≥ 10 → x
//           gelu(f) = 0.5·f·(1 + tanh(√(2/π)·f·(1 + 0.044715·f·f)))   (f32 steps)
//  softcap: x = cap · tanh(x · (1/cap)), n f32 in place (ggml_scale, ggml_tanh, ggml_scale).
//
// The table is not stored: each lane is rounded to f16 and back (so the
// argument is one of the table's 65536 entries), GELU is computed in the same
// f32 steps as the table's, and the result rounded to f16 again. tanh is the
// f32 rounding of the f64 tanh, lane by lane (tanhf, correctly rounded); the
// rest is SIMD. The scalar twins take the same steps one element at a time
// through f32ToF16/f16ToF32 (the tests' oracle).

import { OK, E_K_SHAPE } from '../common';
import { checkF32 } from './elementwise';
import { f32ToF16, f16ToF32 } from '../f16';

// @ts-ignore: decorator
@inline const GELU_COEF_A: f32 = 0.044715;
// @ts-ignore: decorator
@inline const SQRT_2_OVER_PI: f32 = 0.79788456080286535587989211986876;

// @ts-ignore: decorator
@inline function tanhf(x: f32): f32 { return <f32>Math.tanh(<f64>x); }

/** f32 → nearest f16 → f32 on four lanes (|x| < 65504): 10 mantissa bits for normal halves, 2^-24 steps below 2^-14 (sign kept, −0 too). */
// @ts-ignore: decorator
@inline function roundF16x4(x: v128): v128 {
  const mag = v128.and(x, i32x4.splat(0x7fffffff));
  const odd = v128.and(i32x4.shr_u(x, 13), i32x4.splat(1));
  const normal = v128.and(i32x4.add(i32x4.add(x, i32x4.splat(0xfff)), odd), i32x4.splat(<i32>0xffffe000));
  const tiny = v128.or(f32x4.sub(f32x4.add(mag, f32x4.splat(0.75)), f32x4.splat(0.75)), v128.and(x, i32x4.splat(<i32>0x80000000)));
  return v128.bitselect(tiny, normal, f32x4.lt(mag, f32x4.splat(6.103515625e-5)));
}

/** tanh of each lane. */
// @ts-ignore: decorator
@inline function tanhV(x: v128): v128 {
  return f32x4(tanhf(f32x4.extract_lane(x, 0)), tanhf(f32x4.extract_lane(x, 1)), tanhf(f32x4.extract_lane(x, 2)), tanhf(f32x4.extract_lane(x, 3)));
}

/** gelu16 of four lanes. */
// @ts-ignore: decorator
@inline function gelu16V(x: v128): v128 {
  const f = roundF16x4(x);
  const inner = f32x4.mul(f32x4.mul(f32x4.splat(SQRT_2_OVER_PI), f), f32x4.add(f32x4.splat(1.0), f32x4.mul(f32x4.mul(f32x4.splat(GELU_COEF_A), f), f)));
  const g = roundF16x4(f32x4.mul(f32x4.mul(f32x4.splat(0.5), f), f32x4.add(f32x4.splat(1.0), tanhV(inner))));
  const lo = f32x4.le(x, f32x4.splat(-10.0));
  const hi = f32x4.ge(x, f32x4.splat(10.0));
  return v128.bitselect(x, v128.andnot(g, lo), hi);
}

/** ggml_gelu_f32 in f32 steps. */
// @ts-ignore: decorator
@inline function gelu(f: f32): f32 {
  return <f32>0.5 * f * (<f32>1.0 + tanhf(SQRT_2_OVER_PI * f * (<f32>1.0 + GELU_COEF_A * f * f)));
}

/** One element of ggml's table GELU, through the f16 conversions. */
export function gelu16(x: f32): f32 {
  if (x <= -10.0) return 0;
  if (x >= 10.0) return x;
  return f16ToF32(f32ToF16(gelu(f16ToF32(f32ToF16(x)))));
}

function checkGeglu(gate: usize, up: usize, out: usize, n: i32): i32 {
  if (n <= 0) return E_K_SHAPE;
  let r = checkF32(gate, <u64>n);
  if (r == OK) r = checkF32(up, <u64>n);
  if (r == OK) r = checkF32(out, <u64>n);
  return r;
}

/** out = gelu16(gate) · up, n f32 (out may be gate or up). */
export function kGeglu(gate: usize, up: usize, out: usize, n: i32): i32 {
  const r = checkGeglu(gate, up, out, n);
  if (r != OK) return r;
  const len = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) v128.store(out + i, f32x4.mul(gelu16V(v128.load(gate + i)), v128.load(up + i)));
  for (; i < len; i += 4) store<f32>(out + i, gelu16(load<f32>(gate + i)) * load<f32>(up + i));
  return OK;
}

/** y = gelu16(x), n f32 (y may be x): bert's plain GELU FFN (ggml_vec_gelu_f32 with GGML_GELU_FP16); its oracle is kGegluScalar with up = 1. */
export function kGelu(x: usize, y: usize, n: i32): i32 {
  const r = checkGeglu(x, x, y, n);
  if (r != OK) return r;
  const len = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) v128.store(y + i, gelu16V(v128.load(x + i)));
  for (; i < len; i += 4) store<f32>(y + i, gelu16(load<f32>(x + i)));
  return OK;
}

/** kGeglu one element at a time (the oracle). */
export function kGegluScalar(gate: usize, up: usize, out: usize, n: i32): i32 {
  const r = checkGeglu(gate, up, out, n);
  if (r != OK) return r;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, gelu16(load<f32>(gate + o)) * load<f32>(up + o));
  }
  return OK;
}

/** x = cap · tanh(x · (1/cap)), n f32 in place; cap > 0. */
export function kSoftcap(x: usize, cap: f32, n: i32): i32 {
  if (n <= 0 || !(cap > 0) || !isFinite(cap)) return E_K_SHAPE;
  const r = checkF32(x, <u64>n);
  if (r != OK) return r;
  softcapRow(x, n, cap);
  return OK;
}

/** The soft-cap of n f32 at p (no checks; attention uses it on its scores). */
export function softcapRow(p: usize, n: i32, cap: f32): void {
  const inv: f32 = <f32>1.0 / cap;
  const iv = f32x4.splat(inv);
  const cv = f32x4.splat(cap);
  const end = p + (<usize>n << 2);
  let q = p;
  for (; q + 16 <= end; q += 16) v128.store(q, f32x4.mul(tanhV(f32x4.mul(v128.load(q), iv)), cv));
  for (; q < end; q += 4) store<f32>(q, tanhf(load<f32>(q) * inv) * cap);
}

/** kSoftcap one element at a time (the oracle). */
export function kSoftcapScalar(x: usize, cap: f32, n: i32): i32 {
  if (n <= 0 || !(cap > 0) || !isFinite(cap)) return E_K_SHAPE;
  const r = checkF32(x, <u64>n);
  if (r != OK) return r;
  const inv: f32 = <f32>1.0 / cap;
  for (let i = 0; i < n; i++) {
    const o = x + (<usize>i << 2);
    store<f32>(o, tanhf(load<f32>(o) * inv) * cap);
  }
  return OK;
}
