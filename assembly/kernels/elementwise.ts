// Element-wise ops of a llama-class forward pass over f32 vectors, 4 lanes at
// a time (v128 f32x4), plus what the other op files share: the valid-region
// check of every buffer and a vector exp.
//
//  valid region (set by init): every buffer an op reads or writes lies in it
//  ┌──────────────────────────────┬──────────────────────────┬────────────┐
//  │ AS data, static tables       │ arena (tensor blocks)    │ KV pages   │
//  └──────────────────────────────┴──────────────────────────┴────────────┘
//                                  ^ arenaBase                 ^ pageAddr(pageCount)
//  f32 buffers must be 4-byte aligned (E_K_ALIGN otherwise); 16 is faster.
//  Sizes are element counts ≥ 1 (E_K_SHAPE otherwise). An output may be the
//  same buffer as an input (in place), never a shifted overlap of it.

import { OK, E_K_SHAPE, E_K_RANGE, E_K_ALIGN } from '../common';
import { arenaBase } from '../arena';
import { pageCount, pageAddr } from '../kv';

// The integrator replaces this with K1's check.ts at merge (same region).
/** OK, E_K_ALIGN or E_K_RANGE for `count` (< 2^63) f32 (or i32) at `ptr`. */
export function checkF32(ptr: usize, count: u64): i32 {
  if ((ptr & 3) != 0) return E_K_ALIGN;
  const lo = <u64>arenaBase;
  const hi = <u64>pageAddr(pageCount);
  const p = <u64>ptr;
  if (lo == 0 || p < lo || p > hi || count > ((hi - p) >> 2)) return E_K_RANGE; // no overflow: count ≤ 2^63
  return OK;
}

/** True when [a, a+aBytes) and [b, b+bBytes) share a byte. */
// @ts-ignore: decorator
@inline export function overlaps(a: usize, aBytes: u64, b: usize, bBytes: u64): bool {
  return <u64>a < <u64>b + bBytes && <u64>b < <u64>a + aBytes;
}

// exp(x) for f32x4, as cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, e^r by a
// degree-6 polynomial, 2^n applied in two halves so results down to the
// subnormals and up to overflow come out right. Relative error ≤ 2 ulp
// (tested against Math.exp). x > 88.73 → +inf, x < -104 → 0, NaN → NaN.
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

// @ts-ignore: decorator
@inline export function expV(x: v128): v128 {
  const xc = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** a·b + c on f32x4: fused (relaxed_madd) in the Relaxed SIMD build of the core, mul then add otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Scalar exp with the same arithmetic as expV. */
// @ts-ignore: decorator
@inline export function exp1(x: f32): f32 {
  return f32x4.extract_lane(expV(f32x4.splat(x)), 0);
}

/** silu(x) = x / (1 + e^-x), 4 lanes. */
// @ts-ignore: decorator
@inline function siluV(x: v128): v128 {
  return f32x4.div(x, f32x4.add(f32x4.splat(1.0), expV(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline function silu1(x: f32): f32 {
  return f32x4.extract_lane(siluV(f32x4.splat(x)), 0);
}

/** Shape and region checks of an op on one, two or three n-element buffers (b, c: pass `a` again when unused). */
function checkVec(n: i32, a: usize, b: usize, c: usize): i32 {
  if (n <= 0) return E_K_SHAPE;
  let r = checkF32(a, <u64>n);
  if (r == OK && b != a) r = checkF32(b, <u64>n);
  if (r == OK && c != a && c != b) r = checkF32(c, <u64>n);
  return r;
}

/** Numerically stable softmax of each of `rows` rows of n f32, in place: e^(x - max) / Σ. */
export function kSoftmax(x: usize, n: i32, rows: i32): i32 {
  if (n <= 0 || rows <= 0) return E_K_SHAPE;
  const r = checkF32(x, <u64>n * <u64>rows);
  if (r != OK) return r;
  for (let i = 0; i < rows; i++) softmaxRow(x + (<usize>i * <usize>n << 2), n);
  return OK;
}

/** Softmax of n f32 at p, in place (n ≥ 1). Returns nothing; used by attention too. */
export function softmaxRow(p: usize, n: i32): void {
  const m = maxRow(p, n);
  const s = expShiftSum(p, n, m);
  scaleRow(p, n, <f32>(1.0 / s));
}

/** Largest of n f32 at p (n ≥ 1). */
export function maxRow(p: usize, n: i32): f32 {
  const end = p + (<usize>n << 2);
  let q = p;
  let mv = f32x4.splat(-Infinity);
  for (; q + 16 <= end; q += 16) mv = f32x4.max(mv, v128.load(q));
  let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; q < end; q += 4) m = max(m, load<f32>(q));
  return m;
}

/** p[i] = e^(p[i] - m); returns Σ p[i], summed in f64 (as ggml's soft_max). */
export function expShiftSum(p: usize, n: i32, m: f32): f64 {
  const end = p + (<usize>n << 2);
  const mv = f32x4.splat(m);
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let q = p;
  for (; q + 16 <= end; q += 16) {
    const e = expV(f32x4.sub(v128.load(q), mv));
    v128.store(q, e);
    a = f64x2.add(a, f64x2.promote_low_f32x4(e));
    b = f64x2.add(b, f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1)));
  }
  let s = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1));
  for (; q < end; q += 4) {
    const e = exp1(load<f32>(q) - m);
    store<f32>(q, e);
    s += <f64>e;
  }
  return s;
}

/** p[i] *= s for n f32. */
export function scaleRow(p: usize, n: i32, s: f32): void {
  const end = p + (<usize>n << 2);
  const sv = f32x4.splat(s);
  let q = p;
  for (; q + 16 <= end; q += 16) v128.store(q, f32x4.mul(v128.load(q), sv));
  for (; q < end; q += 4) store<f32>(q, load<f32>(q) * s);
}

/** y = silu(x) = x·σ(x), n f32 (y may be x). */
export function kSilu(x: usize, y: usize, n: i32): i32 {
  const r = checkVec(n, x, y, y);
  if (r != OK) return r;
  const len = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) v128.store(y + i, siluV(v128.load(x + i)));
  for (; i < len; i += 4) store<f32>(y + i, silu1(load<f32>(x + i)));
  return OK;
}

/** out = silu(gate)·up, n f32 (out may be gate or up). */
export function kSwiglu(gate: usize, up: usize, out: usize, n: i32): i32 {
  const r = checkVec(n, gate, up, out);
  if (r != OK) return r;
  const len = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) v128.store(out + i, f32x4.mul(siluV(v128.load(gate + i)), v128.load(up + i)));
  for (; i < len; i += 4) store<f32>(out + i, silu1(load<f32>(gate + i)) * load<f32>(up + i));
  return OK;
}

/** out = a + b, n f32. */
export function kAdd(a: usize, b: usize, out: usize, n: i32): i32 {
  const r = checkVec(n, a, b, out);
  if (r != OK) return r;
  const len = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) v128.store(out + i, f32x4.add(v128.load(a + i), v128.load(b + i)));
  for (; i < len; i += 4) store<f32>(out + i, load<f32>(a + i) + load<f32>(b + i));
  return OK;
}

/** out = a · b element-wise, n f32. */
export function kMul(a: usize, b: usize, out: usize, n: i32): i32 {
  const r = checkVec(n, a, b, out);
  if (r != OK) return r;
  const len = <usize>n << 2;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) v128.store(out + i, f32x4.mul(v128.load(a + i), v128.load(b + i)));
  for (; i < len; i += 4) store<f32>(out + i, load<f32>(a + i) * load<f32>(b + i));
  return OK;
}

/** x *= s, n f32, in place. */
export function kScale(x: usize, s: f32, n: i32): i32 {
  const r = checkVec(n, x, x, x);
  if (r != OK) return r;
  scaleRow(x, n, s);
  return OK;
}

/** x[r] += b for each of `rows` rows of n f32 (a bias over a batch). */
export function kAddBias(x: usize, b: usize, n: i32, rows: i32): i32 {
  if (n <= 0 || rows <= 0) return E_K_SHAPE;
  let r = checkF32(x, <u64>n * <u64>rows);
  if (r == OK) r = checkF32(b, <u64>n);
  if (r != OK) return r;
  const len = <usize>n << 2;
  for (let row = 0; row < rows; row++) {
    const p = x + <usize>row * len;
    let i: usize = 0;
    for (; i + 16 <= len; i += 16) v128.store(p + i, f32x4.add(v128.load(p + i), v128.load(b + i)));
    for (; i < len; i += 4) store<f32>(p + i, load<f32>(p + i) + load<f32>(b + i));
  }
  return OK;
}
