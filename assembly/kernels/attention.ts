// Attention of one query over the first nPos tokens of a KV sequence, walking
// its page chain (kv-seq.ts), with grouped-query heads:
//
//   for query head h, kv head g = h / (nHead / nKvHead):
//     s_t = scale · q_h · K_t[g]          t < nPos
//     p   = softmax(s)                    (stable: e^(s - max))
//     out_h = Σ_t p_t · V_t[g]
//
//  one page of the sequence (T = tokens per page, kvDim = nKvHead·headDim, f16 or f32 elements)
//  ┌──────────────────────────────────────┬──────────────────────────────────────┬─────┐
//  │ K[0] … K[T-1]   (K[s] = kv heads 0.. │ V[0] … V[T-1]                        │ pad │
//  │ nKvHead-1, headDim each)             │                                      │     │
//  └──────────────────────────────────────┴──────────────────────────────────────┘─────┘
//
// The query heads of one kv head are done together, so each K and V row is
// read from memory once (and, for f16 pages, converted once) per kv head. The
// caller's scratch holds only nPos f32, so a group of hb heads takes the
// sequence in chunks of nPos / hb tokens and keeps a running max and sum per
// head (online softmax): on a new max m', the head's sum and partial out are
// scaled by e^(m - m'). For one head per group (hb = 1) it is the plain
// three-pass softmax over the whole sequence.
//
//  scratch (nPos f32):  [ head 0 of the group: L scores | head 1: L | … | head hb-1: L | rest ]   L = nPos / hb

import { OK, E_K_SHAPE, E_K_RANGE, E_KV_BAD_SEQ } from '../common';
import { elemBytes, pageAddr } from '../kv';
import { kvSeqLength, kvSeqKvDim, kvSeqFirstPage, kvNextPage, kvTokensPerPage } from '../kv-seq';
import { f16ToF32, f16x4ToF32x4 } from '../f16';
import { checkF32, overlaps, exp1, maxRow, expShiftSum, scaleRow } from './elementwise';

/** Query heads done in one pass over K/V (their running max and sum live in STATE). */
// @ts-ignore: decorator
@inline const MAX_GROUP: i32 = 16;
/** Widest head: one K or V row of a head, converted from f16, fits ROW. */
// @ts-ignore: decorator
@inline export const MAX_HEAD_DIM: i32 = 1024;

//  STATE: per head j of the group, running max m_j (f32) at 16j and running sum l_j (f64) at 16j + 8
const STATE: usize = memory.data(MAX_GROUP * 16, 16);
const ROW: usize = memory.data(MAX_HEAD_DIM * 4, 16);

/** Bytes of scratch kAttention needs for nPos positions (64-byte multiple), or E_K_SHAPE. */
export function kAttentionScratchBytes(nPos: i32): i32 {
  if (nPos <= 0 || nPos > (i32.MAX_VALUE >> 2) - 16) return E_K_SHAPE;
  return ((nPos << 2) + 63) & ~63;
}

/** Shape, sequence and buffer checks shared by the SIMD and the scalar attention. */
function checkAttention(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, nPos: i32, scale: f32, scratch: usize): i32 {
  if (nHead <= 0 || nKvHead <= 0 || headDim <= 0 || nPos <= 0 || headDim > MAX_HEAD_DIM) return E_K_SHAPE;
  if (nHead % nKvHead != 0 || !isFinite(scale)) return E_K_SHAPE;
  const len = kvSeqLength(seq);
  if (len < 0) return E_KV_BAD_SEQ;
  if (<u64>kvSeqKvDim(seq) != <u64>nKvHead * <u64>headDim || nPos > len) return E_K_SHAPE;
  const qBytes = <u64>nHead * <u64>headDim << 2;
  let r = checkF32(q, qBytes >> 2);
  if (r == OK) r = checkF32(out, qBytes >> 2);
  if (r == OK) r = checkF32(scratch, <u64>nPos);
  if (r != OK) return r;
  const sBytes = <u64>nPos << 2;
  if (overlaps(q, qBytes, out, qBytes) || overlaps(q, qBytes, scratch, sBytes) || overlaps(out, qBytes, scratch, sBytes)) return E_K_RANGE;
  return OK;
}

export function kAttention(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, nPos: i32, scale: f32, scratch: usize): i32 {
  const r = checkAttention(seq, q, out, nHead, nKvHead, headDim, nPos, scale, scratch);
  if (r != OK) return r;
  const ratio = nHead / nKvHead;
  for (let g = 0; g < nKvHead; g++) {
    for (let j0 = 0; j0 < ratio; ) {
      const hb = min(min(ratio - j0, MAX_GROUP), nPos); // each head needs at least one score slot
      attendGroup(seq, q, out, g * ratio + j0, hb, g, headDim, nKvHead * headDim, nPos, scale, scratch);
      j0 += hb;
    }
  }
  return OK;
}

/** Query heads h0 .. h0+hb-1, all on kv head g. */
function attendGroup(seq: i32, q: usize, out: usize, h0: i32, hb: i32, g: i32, headDim: i32, kvDim: i32, nPos: i32, scale: f32, scratch: usize): void {
  const headBytes = <usize>headDim << 2;
  const qg = q + <usize>h0 * headBytes;
  const og = out + <usize>h0 * headBytes;
  const chunk = nPos / hb;
  memory.fill(og, 0, <usize>hb * headBytes);
  for (let j = 0; j < hb; j++) {
    store<f32>(STATE + (<usize>j << 4), -Infinity);
    store<f64>(STATE + (<usize>j << 4), 0, 8);
  }
  const eb = <usize>elemBytes;
  const perPage = <i32>kvTokensPerPage(kvDim);
  const rowBytes = <usize>kvDim * eb;
  const headOff = <usize>g * <usize>headDim * eb;
  let page = kvSeqFirstPage(seq);
  for (let done = 0; done < nPos; done += perPage, page = kvNextPage(page)) {
    const base = pageAddr(<u32>page);
    const tokens = min(perPage, nPos - done);
    for (let s = 0; s < tokens; s += chunk) {
      const c = min(chunk, tokens - s);
      const k = base + <usize>s * rowBytes + headOff;
      const v = base + <usize>(perPage + s) * rowBytes + headOff;
      scores(qg, hb, headDim, k, rowBytes, c, scale, scratch, chunk);
      for (let j = 0; j < hb; j++) update(j, scratch + (<usize>(j * chunk) << 2), c, og + <usize>j * headBytes, headDim);
      accumulate(og, hb, headDim, v, rowBytes, c, scratch, chunk);
    }
  }
  for (let j = 0; j < hb; j++) scaleRow(og + <usize>j * headBytes, headDim, <f32>(1.0 / load<f64>(STATE + (<usize>j << 4), 8)));
}

/** The address of a head's K or V row as f32: the page itself (f32 pages) or ROW (f16, converted). */
// @ts-ignore: decorator
@inline function rowF32(src: usize, headDim: i32): usize {
  if (elemBytes == 4) return src;
  const n = <usize>headDim << 2;
  let i: usize = 0;
  let h = src;
  for (; i + 16 <= n; i += 16, h += 8) v128.store(ROW + i, f16x4ToF32x4(v128.load16x4_u(h)));
  for (; i < n; i += 4, h += 2) store<f32>(ROW + i, f16ToF32(load<u16>(h)));
  return ROW;
}

/** scratch[j·ld + t] = scale · q_j · K_t for t < c, j < hb. */
function scores(qg: usize, hb: i32, headDim: i32, k: usize, rowBytes: usize, c: i32, scale: f32, scratch: usize, ld: i32): void {
  const headBytes = <usize>headDim << 2;
  for (let t = 0; t < c; t++) {
    const row = rowF32(k + <usize>t * rowBytes, headDim);
    for (let j = 0; j < hb; j++) {
      store<f32>(scratch + (<usize>(j * ld + t) << 2), scale * dot(qg + <usize>j * headBytes, row, headBytes));
    }
  }
}

/** Online softmax step of head j over its c new scores (in place → e^(s - m')). */
function update(j: i32, s: usize, c: i32, oj: usize, headDim: i32): void {
  const st = STATE + (<usize>j << 4);
  const m = load<f32>(st);
  const m2 = max(m, maxRow(s, c));
  let l = load<f64>(st, 8);
  if (m2 > m && m != -Infinity) {
    const alpha = exp1(m - m2);
    l *= <f64>alpha;
    scaleRow(oj, headDim, alpha);
  }
  store<f32>(st, m2);
  store<f64>(st, l + expShiftSum(s, c, m2), 8);
}

/** out_j += Σ_t p[j·ld + t] · V_t for t < c, j < hb. */
function accumulate(og: usize, hb: i32, headDim: i32, v: usize, rowBytes: usize, c: i32, scratch: usize, ld: i32): void {
  const headBytes = <usize>headDim << 2;
  for (let t = 0; t < c; t++) {
    const row = rowF32(v + <usize>t * rowBytes, headDim);
    for (let j = 0; j < hb; j++) {
      axpy(og + <usize>j * headBytes, row, load<f32>(scratch + (<usize>(j * ld + t) << 2)), headBytes);
    }
  }
}

/** Σ a[i]·b[i] over n bytes of f32, four v128 accumulators. */
// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, n: usize): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  let i: usize = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + i), v128.load(b + i)));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a + i, 16), v128.load(b + i, 16)));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(a + i, 32), v128.load(b + i, 32)));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(a + i, 48), v128.load(b + i, 48)));
  }
  for (; i + 16 <= n; i += 16) s0 = f32x4.add(s0, f32x4.mul(v128.load(a + i), v128.load(b + i)));
  const sv = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let s = (f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1)) + (f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3));
  for (; i < n; i += 4) s += load<f32>(a + i) * load<f32>(b + i);
  return s;
}

/** y += a·x over n bytes of f32. */
// @ts-ignore: decorator
@inline function axpy(y: usize, x: usize, a: f32, n: usize): void {
  const av = f32x4.splat(a);
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) v128.store(y + i, f32x4.add(v128.load(y + i), f32x4.mul(av, v128.load(x + i))));
  for (; i < n; i += 4) store<f32>(y + i, load<f32>(y + i) + a * load<f32>(x + i));
}

/**
 * The same attention in plain scalar loops, one head at a time, three passes
 * over the whole sequence (scores, softmax with Mathf.exp, weighted sum of V).
 * The oracle of kAttention in tests and its baseline in the benchmark.
 */
export function kAttentionScalar(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, nPos: i32, scale: f32, scratch: usize): i32 {
  const r = checkAttention(seq, q, out, nHead, nKvHead, headDim, nPos, scale, scratch);
  if (r != OK) return r;
  const ratio = nHead / nKvHead;
  const kvDim = nKvHead * headDim;
  const perPage = <i32>kvTokensPerPage(kvDim);
  for (let h = 0; h < nHead; h++) {
    const g = h / ratio;
    const qh = q + (<usize>(h * headDim) << 2);
    const oh = out + (<usize>(h * headDim) << 2);
    let m: f32 = -Infinity;
    let page = kvSeqFirstPage(seq);
    for (let t = 0; t < nPos; t++) {
      if (t > 0 && t % perPage == 0) page = kvNextPage(page);
      let s: f32 = 0;
      const k = elemAt(page, t % perPage, kvDim, g * headDim);
      for (let i = 0; i < headDim; i++) s += load<f32>(qh + (<usize>i << 2)) * elem(k, i);
      s *= scale;
      store<f32>(scratch + (<usize>t << 2), s);
      m = max(m, s);
    }
    let sum: f32 = 0;
    for (let t = 0; t < nPos; t++) {
      const e = Mathf.exp(load<f32>(scratch + (<usize>t << 2)) - m);
      store<f32>(scratch + (<usize>t << 2), e);
      sum += e;
    }
    for (let i = 0; i < headDim; i++) store<f32>(oh + (<usize>i << 2), 0);
    page = kvSeqFirstPage(seq);
    for (let t = 0; t < nPos; t++) {
      if (t > 0 && t % perPage == 0) page = kvNextPage(page);
      const p = load<f32>(scratch + (<usize>t << 2)) / sum;
      const v = elemAt(page, perPage + t % perPage, kvDim, g * headDim);
      for (let i = 0; i < headDim; i++) store<f32>(oh + (<usize>i << 2), load<f32>(oh + (<usize>i << 2)) + p * elem(v, i));
    }
  }
  return OK;
}

/** Address of element `col` of row `slot` on a page. */
// @ts-ignore: decorator
@inline function elemAt(page: i32, slot: i32, kvDim: i32, col: i32): usize {
  return pageAddr(<u32>page) + <usize>(slot * kvDim + col) * <usize>elemBytes;
}

// @ts-ignore: decorator
@inline function elem(row: usize, i: i32): f32 {
  return elemBytes == 4 ? load<f32>(row + (<usize>i << 2)) : f16ToF32(load<u16>(row + (<usize>i << 1)));
}
