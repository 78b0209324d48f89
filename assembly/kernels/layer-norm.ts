// LayerNorm, as llama.cpp builds it for bert (ggml_norm, then ggml_mul by the weight, ggml_add of the bias):
//
//   for each row of n f32:  mean = Σ x / n                (Σ in f64, mean in f32, as ggml_vec_sum_f32)
//                           d = x − mean;  var = Σ d² / n (d² in f32, Σ in f64, as ggml_vec_cvar_f32)
//                           y = (d · 1/sqrt(var + eps)) · w + b   (w, b: n f32, or 0 for none)
//
//  x, y: rows × n f32, row-major; y may be x (in place).

import { OK, E_K_SHAPE } from '../common';
import { checkF32 } from './elementwise';

function checkArgs(x: usize, w: usize, b: usize, y: usize, n: i32, rows: i32, eps: f32): i32 {
  if (n <= 0 || rows <= 0 || !(eps >= 0)) return E_K_SHAPE;
  const total = <u64>n * <u64>rows;
  let r = checkF32(x, total);
  if (r == OK) r = checkF32(y, total);
  if (r == OK && w != 0) r = checkF32(w, <u64>n);
  if (r == OK && b != 0) r = checkF32(b, <u64>n);
  return r;
}

export function kLayerNorm(x: usize, w: usize, b: usize, y: usize, n: i32, rows: i32, eps: f32): i32 {
  const r = checkArgs(x, w, b, y, n, rows, eps);
  if (r != OK) return r;
  const len = <usize>n << 2;
  for (let row = 0; row < rows; row++) {
    const off = <usize>row * len;
    const mean = <f32>(sum(x + off, len) / <f64>n);
    const variance = <f32>(centered(x + off, y + off, len, mean) / <f64>n);
    const s: f32 = <f32>1.0 / Mathf.sqrt(variance + eps);
    affine(y + off, w, b, len, s);
  }
  return OK;
}

/** Σ x over `len` bytes of f32, in two f64x2 lane pairs. */
function sum(p: usize, len: usize): f64 {
  let a = f64x2.splat(0);
  let c = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    const v = v128.load(p + i);
    a = f64x2.add(a, f64x2.promote_low_f32x4(v));
    c = f64x2.add(c, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  }
  let s = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(c, 0) + f64x2.extract_lane(c, 1));
  for (; i < len; i += 4) s += <f64>load<f32>(p + i);
  return s;
}

/** y = x − mean over `len` bytes; returns Σ (x − mean)² (squares in f32, sums in f64). */
function centered(x: usize, y: usize, len: usize, mean: f32): f64 {
  const m = f32x4.splat(mean);
  let a = f64x2.splat(0);
  let c = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    const d = f32x4.sub(v128.load(x + i), m);
    v128.store(y + i, d);
    const sq = f32x4.mul(d, d);
    a = f64x2.add(a, f64x2.promote_low_f32x4(sq));
    c = f64x2.add(c, f64x2.promote_low_f32x4(i32x4.shuffle(sq, sq, 2, 3, 0, 1)));
  }
  let s = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(c, 0) + f64x2.extract_lane(c, 1));
  for (; i < len; i += 4) {
    const d = load<f32>(x + i) - mean;
    store<f32>(y + i, d);
    s += <f64>(d * d);
  }
  return s;
}

/** y = (y · s) · w + b over `len` bytes, in place (w, b = 0: none). */
function affine(y: usize, w: usize, b: usize, len: usize, s: f32): void {
  const sv = f32x4.splat(s);
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    let v = f32x4.mul(v128.load(y + i), sv);
    if (w != 0) v = f32x4.mul(v, v128.load(w + i));
    if (b != 0) v = f32x4.add(v, v128.load(b + i));
    v128.store(y + i, v);
  }
  for (; i < len; i += 4) store<f32>(y + i, affine1(load<f32>(y + i), w, b, i, s));
}

@inline function affine1(d: f32, w: usize, b: usize, i: usize, s: f32): f32 {
  let v = d * s;
  if (w != 0) v = v * load<f32>(w + i);
  if (b != 0) v = v + load<f32>(b + i);
  return v;
}

/** kLayerNorm in plain scalar loops, one element at a time (the oracle). */
export function kLayerNormScalar(x: usize, w: usize, b: usize, y: usize, n: i32, rows: i32, eps: f32): i32 {
  const r = checkArgs(x, w, b, y, n, rows, eps);
  if (r != OK) return r;
  const len = <usize>n << 2;
  for (let row = 0; row < rows; row++) {
    const off = <usize>row * len;
    let s: f64 = 0;
    for (let i: usize = 0; i < len; i += 4) s += <f64>load<f32>(x + off + i);
    const mean = <f32>(s / <f64>n);
    let v: f64 = 0;
    for (let i: usize = 0; i < len; i += 4) {
      const d = load<f32>(x + off + i) - mean;
      store<f32>(y + off + i, d);
      v += <f64>(d * d);
    }
    const k: f32 = <f32>1.0 / Mathf.sqrt(<f32>(v / <f64>n) + eps);
    for (let i: usize = 0; i < len; i += 4) store<f32>(y + off + i, affine1(load<f32>(y + off + i), w, b, i, k));
  }
  return OK;
}
