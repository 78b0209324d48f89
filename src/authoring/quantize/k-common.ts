/**
 * Helpers of ggml's super-block (QK_K = 256) reference quantizers, ported
 * from ggml-quants.c: make_qx_quants (Q6_K), make_q3_quants (Q3_K),
 * make_qkx2_quants (Q2_K, Q4_K, Q5_K) and the 6-bit scale/min packing of
 * Q4_K/Q5_K. Every float intermediate is rounded to f32 (`fr`) as in C.
 */
import { nearestInt } from './half.ts';

/** Local alias (not an import binding, which bundlers turn into a property read on every call). */
const fr = Math.fround;

export const QK_K = 256;
const GROUP_MAX_EPS = fr(1e-15);
const TENTH = fr(0.1);

/**
 * Quantizes x, a whole number of super-blocks of QK_K, to `bytes` per
 * super-block: block(xo, at, out, v) writes the one at x[xo] to out[at, at +
 * bytes) (v views out).
 */
export function quantizeSuperBlocks(x: Float32Array, bytes: number, block: (xo: number, at: number, out: Uint8Array, v: DataView) => void): Uint8Array {
  const nb = x.length / QK_K;
  const out = new Uint8Array(nb * bytes);
  const v = new DataView(out.buffer);
  for (let i = 0; i < nb; i++) block(i * QK_K, i * bytes, out, v);
  return out;
}

/** Q2_K and Q3_K: packs the 2-bit levels L[0, QK_K) four to a byte at out[at] (ggml's qs layout: 32 bytes per 128 levels). */
export function pack2Bits(L: Int8Array | Uint8Array, out: Uint8Array, at: number): void {
  for (let j = 0; j < QK_K; j += 128) {
    for (let l = 0; l < 32; l++) {
      out[at + j / 4 + l] = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6);
    }
  }
}

/** The inverse of pack2Bits: the QK_K 2-bit levels packed at src[at], into L. */
export function unpack2Bits(src: Uint8Array, at: number, L: Uint8Array): void {
  for (let j = 0; j < QK_K; j += 128) {
    for (let l = 0; l < 32; l++) {
      const b = src[at + j / 4 + l];
      L[j + l] = b & 3;
      L[j + l + 32] = (b >> 2) & 3;
      L[j + l + 64] = (b >> 4) & 3;
      L[j + l + 96] = b >> 6;
    }
  }
}

/** The element of x[o, o + n) of largest magnitude (the first such; 0 when all are 0). */
export function absMax(x: Float32Array, o: number, n: number): number {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[o + i]);
    if (ax > amax) {
      amax = ax;
      max = x[o + i];
    }
  }
  return max;
}

/**
 * Q3_K and Q6_K: fits each of the 16 sub-blocks of 16 with `fitOne(j)` (which
 * writes its levels), keeps their scales in `scales`; returns the scale of
 * largest magnitude.
 */
export function fitSubBlocks16(scales: Float32Array, fitOne: (j: number) => number): number {
  for (let j = 0; j < 16; j++) scales[j] = fitOne(j);
  return absMax(scales, 0, 16);
}

/**
 * Q3_K and Q6_K: the final levels of a super-block at x[xo], each sub-block j
 * against its quantized scale d(j) (skipped when 0): L = clamp(round(x / d), −nmax, nmax − 1) + nmax.
 */
export function requantize16(x: Float32Array, xo: number, L: Int8Array, nmax: number, d: (j: number) => number): void {
  for (let j = 0; j < 16; j++) {
    const dj = d(j);
    if (!dj) continue;
    for (let ii = 0; ii < 16; ii++) L[16 * j + ii] = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(x[xo + 16 * j + ii] / dj)))) + nmax;
  }
}

/**
 * Symmetric levels L[i] in [0, 2·nmax) for x[o, o + n); returns the scale.
 * rmseType 1 weights the fit by x², tries 18 scales around nmax/max and keeps the best.
 */
export function makeQxQuants(n: number, nmax: number, x: Float32Array, o: number, L: Int8Array | Uint8Array, lo: number, rmseType: number): number {
  const max = absMax(x, o, n);
  if (Math.abs(max) < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  let iscale = fr(-nmax / max);
  if (rmseType === 0) {
    for (let i = 0; i < n; i++) L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * x[o + i]))));
    return fr(1 / iscale);
  }
  const weight = (v: number): number => (rmseType === 1 ? fr(v * v) : rmseType === 2 ? 1 : rmseType === 3 ? Math.abs(v) : fr(Math.sqrt(Math.abs(v))));
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[o + i];
    const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * xi))));
    L[lo + i] = l + nmax;
    const w = weight(xi);
    sumlx = fr(sumlx + fr(fr(w * xi) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  let scale = suml2 ? fr(sumlx / suml2) : 0;
  let best = fr(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fr(-fr(nmax + fr(TENTH * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[o + i];
      const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * xi))));
      const w = weight(xi);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
      for (let i = 0; i < n; i++) L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * x[o + i]))));
      scale = fr(sumlx / suml2);
      best = fr(scale * sumlx);
    }
  }
  return scale;
}

/** Q3_K's sub-block fit: levels in [0, 2·nmax), refined by up to 5 passes of coordinate descent (weights x²). */
export function makeQ3Quants(n: number, nmax: number, x: Float32Array, o: number, L: Int8Array, lo: number): number {
  const max = absMax(x, o, n);
  if (Math.abs(max) < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  const iscale = fr(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[o + i];
    const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * xi))));
    L[lo + i] = l;
    const w = fr(xi * xi);
    sumlx = fr(sumlx + fr(fr(w * xi) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[o + i];
      const w = fr(xi * xi);
      const li = L[lo + i];
      let slx = fr(sumlx - fr(fr(w * xi) * li));
      if (slx > 0) {
        let sl2 = fr(suml2 - fr(fr(w * li) * li));
        const nl = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(fr(xi * sl2) / slx))));
        if (nl !== li) {
          slx = fr(slx + fr(fr(w * xi) * nl));
          sl2 = fr(sl2 + fr(fr(w * nl) * nl));
          if (sl2 > 0 && fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
            L[lo + i] = nl;
            sumlx = slx;
            suml2 = sl2;
            changed++;
          }
        }
      }
    }
    if (!changed) break;
  }
  for (let i = 0; i < n; i++) L[lo + i] += nmax;
  return suml2 > 0 ? fr(sumlx / suml2) : 0;
}

/**
 * Asymmetric fit of x[o, o + n) to levels L in [0, nmax] with scale and min
 * (x ≈ scale·L − theMin): weighted least squares over nstep + 1 candidate
 * scales. Returns [scale, theMin].
 */
export function makeQkx2Quants(
  n: number,
  nmax: number,
  x: Float32Array,
  o: number,
  weights: Float32Array,
  L: Uint8Array,
  lo: number,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  useMad: boolean,
): [number, number] {
  rmin = fr(rmin);
  rdelta = fr(rdelta);
  let min = x[o];
  let max = x[o];
  let sumW = weights[0];
  let sumX = fr(sumW * x[o]);
  for (let i = 1; i < n; i++) {
    const xi = x[o + i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    const w = weights[i];
    sumW = fr(sumW + w);
    sumX = fr(sumX + fr(w * xi));
  }
  if (min > 0) min = 0;
  if (max === min) {
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    return [0, -min];
  }
  let iscale = fr(nmax / fr(max - min));
  let scale = fr(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = Math.max(0, Math.min(nmax, nearestInt(fr(iscale * fr(x[o + i] - min)))));
    L[lo + i] = l;
    let diff = fr(fr(fr(scale * l) + min) - x[o + i]);
    diff = useMad ? Math.abs(diff) : fr(diff * diff);
    bestError = fr(bestError + fr(weights[i] * diff));
  }
  if (nstep < 1) return [scale, -min];
  for (let is = 0; is <= nstep; is++) {
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / fr(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[o + i];
      const l = Math.max(0, Math.min(nmax, nearestInt(fr(iscale * fr(xi - min)))));
      Laux[i] = l;
      const w = weights[i];
      sumL = fr(sumL + fr(w * l));
      sumL2 = fr(sumL2 + fr(fr(w * l) * l));
      sumXL = fr(sumXL + fr(fr(w * l) * xi));
    }
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (D > 0) {
      let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
      let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fr(sumXL / sumL2);
      }
      let cur = 0;
      for (let i = 0; i < n; i++) {
        let diff = fr(fr(fr(thisScale * Laux[i]) + thisMin) - x[o + i]);
        diff = useMad ? Math.abs(diff) : fr(diff * diff);
        cur = fr(cur + fr(weights[i] * diff));
      }
      if (cur < bestError) {
        for (let i = 0; i < n; i++) L[lo + i] = Laux[i];
        bestError = cur;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return [scale, -min];
}

/** Q4_K/Q5_K: the 6-bit scale and min of sub-block j from the 12 packed bytes at s[at]. */
export function scaleMinK4(j: number, s: Uint8Array, at: number): [number, number] {
  if (j < 4) return [s[at + j] & 63, s[at + j + 4] & 63];
  return [(s[at + j + 4] & 0xf) | ((s[at + j - 4] >> 6) << 4), (s[at + j + 4] >> 4) | ((s[at + j] >> 6) << 4)];
}

/** Packs 8 six-bit scales and mins into 12 bytes at s[at] (inverse of scaleMinK4). */
export function packScaleMinK4(ls: Uint8Array, lm: Uint8Array, s: Uint8Array, at: number): void {
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      s[at + j] = ls[j];
      s[at + j + 4] = lm[j];
    } else {
      s[at + j + 4] = (ls[j] & 0xf) | ((lm[j] & 0xf) << 4);
      s[at + j - 4] |= (ls[j] >> 4) << 6;
      s[at + j] |= (lm[j] >> 4) << 6;
    }
  }
}
