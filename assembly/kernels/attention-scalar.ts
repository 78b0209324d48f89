// The scalar twin of attention.ts: the same attention in plain loops, one head
// at a time, three passes over the window (scores, softmax with Mathf.exp,
// weighted sum of V). The oracle of kAttention / kAttentionExt in tests and
// their baseline in the benchmark.

import { OK } from '../common';
import { elemBytes, pageAddr } from '../kv';
import { kvSeqFirstPage, kvNextPage, kvTokensPerPage } from '../kv-seq';
import { f16ToF32 } from '../f16';
import { checkAttention } from './attention';

/**
 * The same attention in plain scalar loops, one head at a time, three passes
 * over the whole sequence (scores, softmax with Mathf.exp, weighted sum of V).
 * The oracle of kAttention in tests and its baseline in the benchmark.
 */
export function kAttentionScalar(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, nPos: i32, scale: f32, scratch: usize): i32 {
  return kAttentionScalarExt(seq, q, out, nHead, nKvHead, headDim, 0, nPos, scale, 0, scratch);
}

/** kAttentionExt in plain scalar loops (window and soft-cap: tanhf of each score). */
export function kAttentionScalarExt(seq: i32, q: usize, out: usize, nHead: i32, nKvHead: i32, headDim: i32, first: i32, nPos: i32, scale: f32, cap: f32, scratch: usize): i32 {
  const r = checkAttention(seq, q, out, nHead, nKvHead, headDim, first, nPos, scale, cap, scratch);
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
      if (t < first) continue;
      let s: f32 = 0;
      const k = elemAt(page, t % perPage, kvDim, g * headDim);
      for (let i = 0; i < headDim; i++) s += load<f32>(qh + (<usize>i << 2)) * elem(k, i);
      s *= scale;
      if (cap > 0) s = <f32>Math.tanh(<f64>(s * (<f32>1.0 / cap))) * cap;
      store<f32>(scratch + (<usize>t << 2), s);
      m = max(m, s);
    }
    let sum: f32 = 0;
    for (let t = first; t < nPos; t++) {
      const e = Mathf.exp(load<f32>(scratch + (<usize>t << 2)) - m);
      store<f32>(scratch + (<usize>t << 2), e);
      sum += e;
    }
    for (let i = 0; i < headDim; i++) store<f32>(oh + (<usize>i << 2), 0);
    page = kvSeqFirstPage(seq);
    for (let t = 0; t < nPos; t++) {
      if (t > 0 && t % perPage == 0) page = kvNextPage(page);
      if (t < first) continue;
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
