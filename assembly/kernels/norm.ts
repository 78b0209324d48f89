// RMSNorm, as llama.cpp builds it (ggml_rms_norm then ggml_mul by the weight):
//
//   for each row of n f32:  s = 1 / sqrt(Σ x² / n + eps)   (x² in f32, Σ in f64, the rest in f32, as ggml)
//                           y = (x · s) · w                (w: n f32, or 0 for no weight)
//
//  x, y: rows × n f32, row-major; y may be x (in place).

import { OK, E_K_SHAPE } from '../common';
import { checkF32 } from './elementwise';

export function kRmsNorm(x: usize, w: usize, y: usize, n: i32, rows: i32, eps: f32): i32 {
  if (n <= 0 || rows <= 0 || !(eps >= 0)) return E_K_SHAPE;
  const total = <u64>n * <u64>rows;
  let r = checkF32(x, total);
  if (r == OK) r = checkF32(y, total);
  if (r == OK && w != 0) r = checkF32(w, <u64>n);
  if (r != OK) return r;
  const len = <usize>n << 2;
  for (let row = 0; row < rows; row++) {
    const off = <usize>row * len;
    const mean = <f32>(sumSquares(x + off, len) / <f64>n);
    const s: f32 = 1.0 / Mathf.sqrt(mean + eps);
    scaleInto(x + off, y + off, w, len, s);
  }
  return OK;
}

/** Σ x² over `len` bytes of f32: squares in f32, sums in two f64x2 lanes pairs. */
function sumSquares(p: usize, len: usize): f64 {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    const v = v128.load(p + i);
    const sq = f32x4.mul(v, v);
    a = f64x2.add(a, f64x2.promote_low_f32x4(sq));
    b = f64x2.add(b, f64x2.promote_low_f32x4(i32x4.shuffle(sq, sq, 2, 3, 0, 1)));
  }
  let s = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1));
  for (; i < len; i += 4) {
    const v = load<f32>(p + i);
    s += <f64>(v * v);
  }
  return s;
}

/** y = (x · s) · w over `len` bytes (w = 0: y = x · s). */
function scaleInto(x: usize, y: usize, w: usize, len: usize, s: f32): void {
  const sv = f32x4.splat(s);
  let i: usize = 0;
  if (w == 0) {
    for (; i + 16 <= len; i += 16) v128.store(y + i, f32x4.mul(v128.load(x + i), sv));
    for (; i < len; i += 4) store<f32>(y + i, load<f32>(x + i) * s);
    return;
  }
  for (; i + 16 <= len; i += 16) v128.store(y + i, f32x4.mul(f32x4.mul(v128.load(x + i), sv), v128.load(w + i)));
  for (; i < len; i += 4) store<f32>(y + i, (load<f32>(x + i) * s) * load<f32>(w + i));
}
