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
// One walk of the page chain serves every query head (up to 256 at a time),
// so each K and V row is read from memory once, whole and in order. Heads
// that share a kv head go four at a time: one K or V load (and, for f16
// pages, one conversion) serves four heads, and the weighted sum keeps 8
// dims of 4 heads in registers over the tokens of a chunk.
//
// The caller's scratch holds only nPos f32, so hb heads take the sequence in
// chunks of L = nPos / hb tokens (never across a page) and keep a running
// max and sum per head (online softmax): on a new max m', the head's sum and
// partial out are scaled by e^(m - m'). With one head (hb = 1) it is the
// plain three-pass softmax over the whole sequence.
//
//  scratch (nPos f32):  [ head 0: L scores | head 1: L | … | head hb-1: L | rest ]

import { OK, E_K_SHAPE, E_K_RANGE, E_KV_BAD_SEQ } from '../common';
import { elemBytes, pageAddr } from '../kv';
import { kvSeqLength, kvSeqKvDim, kvSeqFirstPage, kvNextPage, kvTokensPerPage } from '../kv-seq';
import { f16ToF32, f16x4ToF32x4 } from '../f16';
import { checkF32, overlaps, exp1, madd, maxRow, expShiftSum, scaleRow } from './elementwise';
import { softcapRow } from './gelu';

/** Query heads done in one walk of the pages (their running max and sum live in STATE). */
// @ts-ignore: decorator
@inline const MAX_HEADS: i32 = 256;

//  STATE: per head j of the group, running max m_j (f32) at 16j and running sum l_j (f64) at 16j + 8
const STATE: usize = memory.data(MAX_HEADS * 16, 16);

/** Bytes of scratch kAttention needs for nPos positions (64-byte multiple), or E_K_SHAPE. */
export function kAttentionScratchBytes(nPos: i32): i32 {
  if (nPos <= 0 || nPos > (i32.MAX_VALUE >> 2) - 16) return E_K_SHAPE;
  return ((nPos << 2) + 63) & ~63;
}

/** Shape, sequence and buffer checks shared by the SIMD and the scalar attention. */
export function checkAttention(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, first: i32, nPos: i32, scale: f32, cap: f32, scratch: usize): i32 {
  if (nHead <= 0 || nKvHead <= 0 || headDim <= 0 || nPos <= 0 || first < 0 || first >= nPos) return E_K_SHAPE;
  if (nHead % nKvHead != 0 || !isFinite(scale) || !(cap >= 0) || !isFinite(cap)) return E_K_SHAPE;
  const len = kvSeqLength(seq);
  if (len < 0) return E_KV_BAD_SEQ;
  if (<u64>kvSeqKvDim(seq) != <u64>nKvHead * <u64>headDim || nPos > len) return E_K_SHAPE;
  const qCount = <u64>nHead * <u64>headDim;
  let r = checkF32(q, qCount);
  if (r == OK) r = checkF32(out, qCount);
  if (r == OK) r = checkF32(scratch, <u64>nPos);
  if (r != OK) return r;
  const qBytes = qCount << 2; // < 4 GiB: q passed the range check
  const sBytes = <u64>nPos << 2;
  if (overlaps(q, qBytes, out, qBytes) || overlaps(q, qBytes, scratch, sBytes) || overlaps(out, qBytes, scratch, sBytes)) return E_K_RANGE;
  return OK;
}

export function kAttention(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, nPos: i32, scale: f32, scratch: usize): i32 {
  return kAttentionExtHeads(seq, q, out, nHead, nKvHead, headDim, 0, nPos, scale, 0, scratch, 0, nHead);
}

/**
 * kAttention over tokens first .. nPos-1 of the sequence only (a sliding
 * window: the mask of the tokens before `first`), with scores soft-capped as
 * llama.cpp does when cap > 0 (s ← cap · tanh(s / cap), before the softmax).
 */
export function kAttentionExt(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, first: i32, nPos: i32, scale: f32, cap: f32, scratch: usize): i32 {
  return kAttentionExtHeads(seq, q, out, nHead, nKvHead, headDim, first, nPos, scale, cap, scratch, 0, nHead);
}

/** kAttention for query heads [hLo, hHi) only (see kAttentionExtHeads). */
export function kAttentionHeads(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, nPos: i32, scale: f32, scratch: usize, hLo: i32, hHi: i32): i32 {
  return kAttentionExtHeads(seq, q, out, nHead, nKvHead, headDim, 0, nPos, scale, 0, scratch, hLo, hHi);
}

/**
 * kAttentionExt for query heads [hLo, hHi) only: a thread's share of the heads.
 * Heads are grouped and chunked as the whole call groups them, and head j of a
 * group keeps its scratch slice and STATE entry, so each head's output is the
 * same bits whichever thread computes it, and threads write disjoint bytes.
 */
export function kAttentionExtHeads(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, first: i32, nPos: i32, scale: f32, cap: f32, scratch: usize, hLo: i32, hHi: i32): i32 {
  const r = checkAttention(seq, q, out, nHead, nKvHead, headDim, first, nPos, scale, cap, scratch);
  if (r != OK) return r;
  if (hLo < 0 || hHi > nHead || hLo > hHi) return E_K_SHAPE;
  const ratio = nHead / nKvHead;
  for (let h0 = 0; h0 < nHead; ) {
    const hb = min(min(nHead - h0, MAX_HEADS), nPos - first); // each head needs at least one score slot
    const lo = max(hLo, h0), hi = min(hHi, h0 + hb);
    if (lo < hi) attendHeads(seq, q, out, h0, lo - h0, hi - h0, (nPos - first) / hb, ratio, headDim, nKvHead * headDim, first, nPos, scale, cap, scratch);
    h0 += hb;
  }
  return OK;
}

/** Heads h0+jLo .. h0+jHi-1 of the group at h0 in one walk of the page chain; head h reads kv head h / ratio. */
function attendHeads(seq: i32, q: usize, out: usize, h0: i32, jLo: i32, jHi: i32, chunk: i32, ratio: i32, headDim: i32, kvDim: i32, first: i32, nPos: i32, scale: f32, cap: f32, scratch: usize): void {
  const headBytes = <usize>headDim << 2;
  const qh = q + <usize>h0 * headBytes;
  const oh = out + <usize>h0 * headBytes;
  memory.fill(oh + <usize>jLo * headBytes, 0, <usize>(jHi - jLo) * headBytes);
  for (let j = jLo; j < jHi; j++) {
    store<f32>(STATE + (<usize>j << 4), -Infinity);
    store<f64>(STATE + (<usize>j << 4), 0, 8);
  }
  const eb = <usize>elemBytes;
  const perPage = <i32>kvTokensPerPage(kvDim);
  const rowBytes = <usize>kvDim * eb;
  let page = kvSeqFirstPage(seq);
  for (let skip = first / perPage; skip > 0; skip--) page = kvNextPage(page);
  let s0 = first % perPage;
  for (let done = first - s0; done < nPos; done += perPage, page = kvNextPage(page), s0 = 0) {
    const base = pageAddr(<u32>page);
    const tokens = min(perPage, nPos - done);
    for (let s = s0; s < tokens; s += chunk) {
      const c = min(chunk, tokens - s);
      const k = base + <usize>s * rowBytes;
      const v = base + <usize>(perPage + s) * rowBytes;
      for (let j = jLo; j < jHi; ) {
        const g = (h0 + j) / ratio;
        const last = min(jHi, (g + 1) * ratio - h0) - 1; // the last head of the range on kv head g
        const kg = k + <usize>g * <usize>headDim * eb;
        if (j == last) { // one head on this kv head (no GQA): four tokens at a time instead
          if (elemBytes == 2) scores1<u16>(qh, j, headDim, kg, rowBytes, c, scale, scratch, chunk);
          else scores1<f32>(qh, j, headDim, kg, rowBytes, c, scale, scratch, chunk);
        } else for (; j <= last; j += 4) {
          if (elemBytes == 2) scores4<u16>(qh, j, last, headDim, kg, rowBytes, c, scale, scratch, chunk);
          else scores4<f32>(qh, j, last, headDim, kg, rowBytes, c, scale, scratch, chunk);
        }
        j = last + 1;
      }
      if (cap > 0) for (let j = jLo; j < jHi; j++) softcapRow(scratch + (<usize>(j * chunk) << 2), c, cap);
      for (let j = jLo; j < jHi; j++) update(j, scratch + (<usize>(j * chunk) << 2), c, oh + <usize>j * headBytes, headDim);
      for (let j = jLo; j < jHi; ) {
        const g = (h0 + j) / ratio;
        const last = min(jHi, (g + 1) * ratio - h0) - 1;
        const vg = v + <usize>g * <usize>headDim * eb;
        if (j == last) {
          if (elemBytes == 2) accumulate1<u16>(oh, j, headDim, vg, rowBytes, c, scratch, chunk);
          else accumulate1<f32>(oh, j, headDim, vg, rowBytes, c, scratch, chunk);
        } else for (; j <= last; j += 4) {
          if (elemBytes == 2) accumulate4<u16>(oh, j, last, headDim, vg, rowBytes, c, scratch, chunk);
          else accumulate4<f32>(oh, j, last, headDim, vg, rowBytes, c, scratch, chunk);
        }
        j = last + 1;
      }
    }
  }
  for (let j = jLo; j < jHi; j++) scaleRow(oh + <usize>j * headBytes, headDim, <f32>(1.0 / load<f64>(STATE + (<usize>j << 4), 8)));
}

// Heads go four at a time, so one K or V load (and f16 conversion) serves four
// heads. A group of fewer than four repeats its last head: the repeat reads and
// writes the same addresses with the same values, so it changes nothing. A kv
// head with a single query head (no GQA) goes through scores1/accumulate1
// instead, which keep four tokens (or 16 dims) in flight rather than repeating
// the head four times; each score and output element takes the same f32 steps
// as in scores4/accumulate4, so the results are the same bits.

/** Head j0 + k, or `last` (the last head on the same kv head) when that comes first. */
// @ts-ignore: decorator
@inline function head(j0: i32, k: i32, last: i32): usize { return <usize>min(j0 + k, last); }

/** Four elements of a K/V row as f32x4: element i of T (f32, or u16 for f16 bits) at p. */
// @ts-ignore: decorator
@inline function load4<T>(p: usize, i: usize): v128 {
  if (sizeof<T>() == 2) return f16x4ToF32x4(v128.load16x4_s(p + (i << 1)));
  return v128.load(p + (i << 2));
}

// @ts-ignore: decorator
@inline function load1<T>(p: usize, i: usize): f32 {
  if (sizeof<T>() == 2) return f16ToF32(load<u16>(p + (i << 1)));
  return load<f32>(p + (i << 2));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** scratch[j·ld + t] = scale · q_j · K_t for t < c and the four heads j0.. of the group. */
function scores4<T>(qg: usize, j0: i32, last: i32, headDim: i32, k: usize, rowBytes: usize, c: i32, scale: f32, scratch: usize, ld: i32): void {
  const headBytes = <usize>headDim << 2;
  const j1 = head(j0, 1, last), j2 = head(j0, 2, last), j3 = head(j0, 3, last);
  const q0 = qg + <usize>j0 * headBytes, q1 = qg + j1 * headBytes, q2 = qg + j2 * headBytes, q3 = qg + j3 * headBytes;
  const s0 = scratch + (<usize>(j0 * ld) << 2), s1 = scratch + (j1 * <usize>ld << 2);
  const s2 = scratch + (j2 * <usize>ld << 2), s3 = scratch + (j3 * <usize>ld << 2);
  const n = <usize>headDim;
  for (let t = 0; t < c; t++) {
    const kr = k + <usize>t * rowBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let i: usize = 0;
    for (; i + 4 <= n; i += 4) {
      const x = load4<T>(kr, i);
      const o = i << 2;
      a0 = madd(v128.load(q0 + o), x, a0);
      a1 = madd(v128.load(q1 + o), x, a1);
      a2 = madd(v128.load(q2 + o), x, a2);
      a3 = madd(v128.load(q3 + o), x, a3);
    }
    let d0 = hsum(a0), d1 = hsum(a1), d2 = hsum(a2), d3 = hsum(a3);
    for (; i < n; i++) {
      const x = load1<T>(kr, i);
      const o = i << 2;
      d0 += load<f32>(q0 + o) * x;
      d1 += load<f32>(q1 + o) * x;
      d2 += load<f32>(q2 + o) * x;
      d3 += load<f32>(q3 + o) * x;
    }
    const st = <usize>t << 2;
    store<f32>(s0 + st, scale * d0);
    store<f32>(s1 + st, scale * d1);
    store<f32>(s2 + st, scale * d2);
    store<f32>(s3 + st, scale * d3);
  }
}

/** out_j += Σ_t p[j·ld + t] · V_t for t < c and the four heads j0..; 8 dims at a time kept in registers over the tokens. */
function accumulate4<T>(og: usize, j0: i32, last: i32, headDim: i32, v: usize, rowBytes: usize, c: i32, scratch: usize, ld: i32): void {
  const headBytes = <usize>headDim << 2;
  const j1 = head(j0, 1, last), j2 = head(j0, 2, last), j3 = head(j0, 3, last);
  const o0 = og + <usize>j0 * headBytes, o1 = og + j1 * headBytes, o2 = og + j2 * headBytes, o3 = og + j3 * headBytes;
  const p0 = scratch + (<usize>(j0 * ld) << 2), p1 = scratch + (j1 * <usize>ld << 2);
  const p2 = scratch + (j2 * <usize>ld << 2), p3 = scratch + (j3 * <usize>ld << 2);
  const n = <usize>headDim;
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const o = i << 2;
    let a0 = v128.load(o0 + o), b0 = v128.load(o0 + o, 16);
    let a1 = v128.load(o1 + o), b1 = v128.load(o1 + o, 16);
    let a2 = v128.load(o2 + o), b2 = v128.load(o2 + o, 16);
    let a3 = v128.load(o3 + o), b3 = v128.load(o3 + o, 16);
    let vr = v;
    for (let t = 0; t < c; t++, vr += rowBytes) {
      const x = load4<T>(vr, i);
      const y = load4<T>(vr, i + 4);
      const st = <usize>t << 2;
      const w0 = f32x4.splat(load<f32>(p0 + st)), w1 = f32x4.splat(load<f32>(p1 + st));
      const w2 = f32x4.splat(load<f32>(p2 + st)), w3 = f32x4.splat(load<f32>(p3 + st));
      a0 = madd(w0, x, a0); b0 = madd(w0, y, b0);
      a1 = madd(w1, x, a1); b1 = madd(w1, y, b1);
      a2 = madd(w2, x, a2); b2 = madd(w2, y, b2);
      a3 = madd(w3, x, a3); b3 = madd(w3, y, b3);
    }
    v128.store(o0 + o, a0); v128.store(o0 + o, b0, 16);
    v128.store(o1 + o, a1); v128.store(o1 + o, b1, 16);
    v128.store(o2 + o, a2); v128.store(o2 + o, b2, 16);
    v128.store(o3 + o, a3); v128.store(o3 + o, b3, 16);
  }
  for (; i < n; i++) {
    const o = i << 2;
    let a0 = load<f32>(o0 + o), a1 = load<f32>(o1 + o), a2 = load<f32>(o2 + o), a3 = load<f32>(o3 + o);
    let vr = v;
    for (let t = 0; t < c; t++, vr += rowBytes) {
      const x = load1<T>(vr, i);
      const st = <usize>t << 2;
      a0 += load<f32>(p0 + st) * x;
      a1 += load<f32>(p1 + st) * x;
      a2 += load<f32>(p2 + st) * x;
      a3 += load<f32>(p3 + st) * x;
    }
    store<f32>(o0 + o, a0);
    store<f32>(o1 + o, a1);
    store<f32>(o2 + o, a2);
    store<f32>(o3 + o, a3);
  }
}

/** scratch[j·ld + t] = scale · q_j · K_t for t < c, one head, four tokens at a time (the steps of scores4 per token). */
function scores1<T>(qg: usize, j: i32, headDim: i32, k: usize, rowBytes: usize, c: i32, scale: f32, scratch: usize, ld: i32): void {
  const q = qg + (<usize>j * <usize>headDim << 2);
  const s = scratch + (<usize>(j * ld) << 2);
  const n = <usize>headDim;
  let t = 0;
  for (; t + 4 <= c; t += 4) {
    const k0 = k + <usize>t * rowBytes, k1 = k0 + rowBytes, k2 = k1 + rowBytes, k3 = k2 + rowBytes;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let i: usize = 0;
    for (; i + 4 <= n; i += 4) {
      const x = v128.load(q + (i << 2));
      a0 = madd(x, load4<T>(k0, i), a0);
      a1 = madd(x, load4<T>(k1, i), a1);
      a2 = madd(x, load4<T>(k2, i), a2);
      a3 = madd(x, load4<T>(k3, i), a3);
    }
    let d0 = hsum(a0), d1 = hsum(a1), d2 = hsum(a2), d3 = hsum(a3);
    for (; i < n; i++) {
      const x = load<f32>(q + (i << 2));
      d0 += x * load1<T>(k0, i);
      d1 += x * load1<T>(k1, i);
      d2 += x * load1<T>(k2, i);
      d3 += x * load1<T>(k3, i);
    }
    const st = s + (<usize>t << 2);
    store<f32>(st, scale * d0);
    store<f32>(st, scale * d1, 4);
    store<f32>(st, scale * d2, 8);
    store<f32>(st, scale * d3, 12);
  }
  for (; t < c; t++) {
    const kr = k + <usize>t * rowBytes;
    let a = f32x4.splat(0);
    let i: usize = 0;
    for (; i + 4 <= n; i += 4) a = madd(v128.load(q + (i << 2)), load4<T>(kr, i), a);
    let d = hsum(a);
    for (; i < n; i++) d += load<f32>(q + (i << 2)) * load1<T>(kr, i);
    store<f32>(s + (<usize>t << 2), scale * d);
  }
}

/** out_j += Σ_t p[j·ld + t] · V_t for t < c, one head: 16 dims at a time in registers (the steps of accumulate4 per element). */
function accumulate1<T>(og: usize, j: i32, headDim: i32, v: usize, rowBytes: usize, c: i32, scratch: usize, ld: i32): void {
  const o0 = og + (<usize>j * <usize>headDim << 2);
  const p = scratch + (<usize>(j * ld) << 2);
  const n = <usize>headDim;
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const o = o0 + (i << 2);
    let a0 = v128.load(o), a1 = v128.load(o, 16), a2 = v128.load(o, 32), a3 = v128.load(o, 48);
    let vr = v;
    for (let t = 0; t < c; t++, vr += rowBytes) {
      const w = f32x4.splat(load<f32>(p + (<usize>t << 2)));
      a0 = madd(w, load4<T>(vr, i), a0);
      a1 = madd(w, load4<T>(vr, i + 4), a1);
      a2 = madd(w, load4<T>(vr, i + 8), a2);
      a3 = madd(w, load4<T>(vr, i + 12), a3);
    }
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
  }
  for (; i + 8 <= n; i += 8) {
    const o = o0 + (i << 2);
    let a0 = v128.load(o), a1 = v128.load(o, 16);
    let vr = v;
    for (let t = 0; t < c; t++, vr += rowBytes) {
      const w = f32x4.splat(load<f32>(p + (<usize>t << 2)));
      a0 = madd(w, load4<T>(vr, i), a0);
      a1 = madd(w, load4<T>(vr, i + 4), a1);
    }
    v128.store(o, a0); v128.store(o, a1, 16);
  }
  for (; i < n; i++) {
    const o = o0 + (i << 2);
    let a = load<f32>(o);
    let vr = v;
    for (let t = 0; t < c; t++, vr += rowBytes) a += load<f32>(p + (<usize>t << 2)) * load1<T>(vr, i);
    store<f32>(o, a);
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
  store<f64>(st, l + expShiftSum(s, c, m2), 8);
  store<f32>(st, m2);
}
