// RoPE, in place, as ggml_rope_ext with ext_factor 0 and attn_factor 1
// (ggml/src/ggml-cpu/ops.cpp: ggml_rope_cache_init, rope_yarn, rotate_pairs).
//
//  x: nTok vectors of nHeads × headDim f32; token t rotates by pos[t] (i32).
//  For pair i < nRot/2, in f32 as ggml computes it:
//    θ_0 = pos,  θ_{i+1} = θ_i · base^(-2/nRot)       (a running f32 product)
//    a_i = freqScale · (θ_i / factor_i)                (factor_i = 1 without factors)
//    (x0, x1) ← (x0·cos a_i − x1·sin a_i,  x0·sin a_i + x1·cos a_i)
//  which pair:
//    mode 0 (normal, llama):  x0 = v[2i],  x1 = v[2i + 1]
//    mode 2 (NeoX, qwen2…):   x0 = v[i],   x1 = v[i + nRot/2]
//  ┌─────────── head h of token t: headDim f32 ────────────┐
//  │ rotated: nRot f32                 │ copied: untouched │
//  └───────────────────────────────────┴───────────────────┘
//  cos/sin are those of the f32 angle, rounded to f32 (as cosf/sinf). Each
//  angle is computed once per token and applied to every head.

import { OK, E_K_SHAPE, E_K_RANGE, E_K_TYPE } from '../common';
import { checkF32 } from './elementwise';

export const ROPE_NORMAL: i32 = 0;
export const ROPE_NEOX: i32 = 2;

export function kRope(
  x: usize, nTok: i32, nHeads: i32, headDim: i32, nRot: i32, pos: usize,
  freqBase: f32, freqScale: f32, mode: i32, factors: usize,
): i32 {
  return kRopeExt(x, nTok, nHeads, headDim, nRot, pos, freqBase, freqScale, mode, factors, 1.0);
}

/**
 * kRope with ggml's attn_factor (mscale): cos and sin are multiplied by it
 * (rope_yarn with ext_factor 0), as llama.cpp applies LongRoPE's attention
 * factor (`rope.scaling.attn_factor`, phi3). mscale 1 is kRope exactly.
 */
export function kRopeExt(
  x: usize, nTok: i32, nHeads: i32, headDim: i32, nRot: i32, pos: usize,
  freqBase: f32, freqScale: f32, mode: i32, factors: usize, mscale: f32,
): i32 {
  if (!(mscale > 0) || !isFinite(mscale)) return E_K_SHAPE;
  if (nTok <= 0 || nHeads <= 0 || headDim <= 0 || nRot <= 0) return E_K_SHAPE;
  if ((headDim & 1) != 0 || (nRot & 1) != 0 || nRot > headDim) return E_K_SHAPE;
  if (!(freqBase > 0) || !(freqScale > 0) || !isFinite(freqBase) || !isFinite(freqScale)) return E_K_SHAPE;
  if (mode != ROPE_NORMAL && mode != ROPE_NEOX) return E_K_TYPE;
  const row = <u64>nHeads * <u64>headDim;
  if (row > u32.MAX_VALUE) return E_K_RANGE; // so row · nTok < 2^63
  let r = checkF32(x, row * <u64>nTok);
  if (r == OK) r = checkF32(pos, <u64>nTok);
  if (r == OK && factors != 0) r = checkF32(factors, <u64>(nRot >> 1));
  if (r != OK) return r;
  const thetaScale = <f32>Math.pow(<f64>freqBase, <f64>(<f32>-2.0 / <f32>nRot));
  const rowBytes = <usize>row << 2;
  for (let t = 0; t < nTok; t++) {
    const v = x + <usize>t * rowBytes;
    const p = <f32>load<i32>(pos + (<usize>t << 2));
    if (mode == ROPE_NORMAL) ropeNormal(v, nHeads, headDim, nRot, p, thetaScale, freqScale, factors, mscale);
    else ropeNeox(v, nHeads, headDim, nRot, p, thetaScale, freqScale, factors, mscale);
  }
  return OK;
}

/** The angle of pair i, given the running θ_i. */
// @ts-ignore: decorator
@inline function angle(theta: f32, i: i32, freqScale: f32, factors: usize): f32 {
  const ff: f32 = factors != 0 ? load<f32>(factors + (<usize>i << 2)) : 1.0;
  return freqScale * (theta / ff);
}

// @ts-ignore: decorator
@inline function cosf(a: f32, m: f32): f32 { return <f32>Math.cos(<f64>a) * m; }
// @ts-ignore: decorator
@inline function sinf(a: f32, m: f32): f32 { return <f32>Math.sin(<f64>a) * m; }

/** Adjacent pairs, two per v128: y = x·[c0 c0 c1 c1] + swap(x)·[-s0 s0 -s1 s1]. */
function ropeNormal(v: usize, nHeads: i32, headDim: i32, nRot: i32, p: f32, thetaScale: f32, freqScale: f32, factors: usize, m: f32): void {
  const half = nRot >> 1;
  const headBytes = <usize>headDim << 2;
  let theta = p;
  let i = 0;
  for (; i + 2 <= half; i += 2) {
    const a0 = angle(theta, i, freqScale, factors);
    theta *= thetaScale;
    const a1 = angle(theta, i + 1, freqScale, factors);
    theta *= thetaScale;
    const c0 = cosf(a0, m), s0 = sinf(a0, m), c1 = cosf(a1, m), s1 = sinf(a1, m);
    const cv = f32x4(c0, c0, c1, c1);
    const sv = f32x4(-s0, s0, -s1, s1);
    let q = v + (<usize>i << 3);
    for (let h = 0; h < nHeads; h++, q += headBytes) {
      const xv = v128.load(q);
      const xs = i32x4.shuffle(xv, xv, 1, 0, 3, 2);
      v128.store(q, f32x4.add(f32x4.mul(xv, cv), f32x4.mul(xs, sv)));
    }
  }
  if (i < half) {
    const a = angle(theta, i, freqScale, factors);
    const c = cosf(a, m), s = sinf(a, m);
    let q = v + (<usize>i << 3);
    for (let h = 0; h < nHeads; h++, q += headBytes) {
      const x0 = load<f32>(q), x1 = load<f32>(q, 4);
      store<f32>(q, x0 * c - x1 * s);
      store<f32>(q, x0 * s + x1 * c, 4);
    }
  }
}

/** Pairs (i, i + nRot/2), four per v128. */
function ropeNeox(v: usize, nHeads: i32, headDim: i32, nRot: i32, p: f32, thetaScale: f32, freqScale: f32, factors: usize, m: f32): void {
  const half = nRot >> 1;
  const halfBytes = <usize>half << 2;
  const headBytes = <usize>headDim << 2;
  let theta = p;
  let i = 0;
  for (; i + 4 <= half; i += 4) {
    const a0 = angle(theta, i, freqScale, factors);
    theta *= thetaScale;
    const a1 = angle(theta, i + 1, freqScale, factors);
    theta *= thetaScale;
    const a2 = angle(theta, i + 2, freqScale, factors);
    theta *= thetaScale;
    const a3 = angle(theta, i + 3, freqScale, factors);
    theta *= thetaScale;
    const cv = f32x4(cosf(a0, m), cosf(a1, m), cosf(a2, m), cosf(a3, m));
    const sv = f32x4(sinf(a0, m), sinf(a1, m), sinf(a2, m), sinf(a3, m));
    let q = v + (<usize>i << 2);
    for (let h = 0; h < nHeads; h++, q += headBytes) {
      const x0 = v128.load(q);
      const x1 = v128.load(q + halfBytes);
      v128.store(q, f32x4.sub(f32x4.mul(x0, cv), f32x4.mul(x1, sv)));
      v128.store(q + halfBytes, f32x4.add(f32x4.mul(x0, sv), f32x4.mul(x1, cv)));
    }
  }
  for (; i < half; i++) {
    const a = angle(theta, i, freqScale, factors);
    theta *= thetaScale;
    const c = cosf(a, m), s = sinf(a, m);
    let q = v + (<usize>i << 2);
    for (let h = 0; h < nHeads; h++, q += headBytes) {
      const x0 = load<f32>(q), x1 = load<f32>(q + halfBytes);
      store<f32>(q, x0 * c - x1 * s);
      store<f32>(q + halfBytes, x0 * s + x1 * c);
    }
  }
}
