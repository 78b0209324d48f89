/**
 * Q4_K and Q5_K (the scale-and-min super-blocks): block_q4_K { d, dmin,
 * scales[12] (8 six-bit scales and mins), qs[128] } = 144 bytes and
 * block_q5_K { d, dmin, scales[12], qh[32], qs[128] } = 176 bytes per 256
 * elements; x = d·sc·q − dmin·m per 32-element sub-block. Ports of
 * quantize_row_q{4,5}_K_ref and dequantize_row_q{4,5}_K.
 */
import { f16ToF32, f32ToF16, nearestInt } from './half.ts';
import { QK_K, makeQkx2Quants, packScaleMinK4, scaleMinK4, quantizeSuperBlocks } from './k-common.ts';

/** Local alias (not an import binding, which bundlers turn into a property read on every call). */
const fr = Math.fround;

function quantizeScaleMin(x: Float32Array, five: boolean): Uint8Array {
  const BYTES = five ? 176 : 144;
  const nmax = five ? 31 : 15;
  const L = new Uint8Array(QK_K);
  const Laux = new Uint8Array(32);
  const weights = new Float32Array(32);
  const mins = new Float32Array(8);
  const scales = new Float32Array(8);
  const ls = new Uint8Array(8);
  const lm = new Uint8Array(8);
  return quantizeSuperBlocks(x, BYTES, (xo, at, out, v) => {
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const o = xo + 32 * j;
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(x[o + l] * x[o + l]));
      const avX = fr(Math.sqrt(fr(sumX2 / 32)));
      for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(x[o + l]));
      const [s, m] = five
        ? makeQkx2Quants(32, 31, x, o, weights, L, 32 * j, Laux, -0.5, 0.1, 15, false)
        : makeQkx2Quants(32, 15, x, o, weights, L, 32 * j, Laux, -1, 0.1, 20, false);
      scales[j] = s;
      mins[j] = m;
      if (s > maxScale) maxScale = s;
      if (m > maxMin) maxMin = m;
    }
    const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
    for (let j = 0; j < 8; j++) {
      ls[j] = Math.min(63, nearestInt(fr(invScale * scales[j])) & 0xff);
      lm[j] = Math.min(63, nearestInt(fr(invMin * mins[j])) & 0xff);
    }
    packScaleMinK4(ls, lm, out, at + 4);
    v.setUint16(at, f32ToF16(fr(maxScale / 63)), true);
    v.setUint16(at + 2, f32ToF16(fr(maxMin / 63)), true);
    const dAll = f16ToF32(v.getUint16(at, true));
    const mAll = f16ToF32(v.getUint16(at + 2, true));
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMinK4(j, out, at + 4);
      const d = fr(dAll * sc);
      if (!d) continue;
      const dm = fr(mAll * m);
      for (let ii = 0; ii < 32; ii++) L[32 * j + ii] = Math.max(0, Math.min(nmax, nearestInt(fr(fr(x[xo + 32 * j + ii] + dm) / d))));
    }
    const qs = at + (five ? 48 : 16);
    if (five) {
      const qh = at + 16;
      let m1 = 1;
      let m2 = 2;
      for (let nn = 0; nn < QK_K; nn += 64) {
        for (let j = 0; j < 32; j++) {
          let l1 = L[nn + j];
          if (l1 > 15) {
            l1 -= 16;
            out[qh + j] |= m1;
          }
          let l2 = L[nn + j + 32];
          if (l2 > 15) {
            l2 -= 16;
            out[qh + j] |= m2;
          }
          out[qs + nn / 2 + j] = l1 | (l2 << 4);
        }
        m1 <<= 2;
        m2 <<= 2;
      }
    } else {
      for (let j = 0; j < QK_K; j += 64) {
        for (let l = 0; l < 32; l++) out[qs + j / 2 + l] = L[j + l] | (L[j + l + 32] << 4);
      }
    }
  });
}

export const quantizeQ4_K = (x: Float32Array): Uint8Array => quantizeScaleMin(x, false);
export const quantizeQ5_K = (x: Float32Array): Uint8Array => quantizeScaleMin(x, true);

export function dequantizeScaleMin(five: boolean, src: Uint8Array, n: number, out: Float32Array): void {
  const BYTES = five ? 176 : 144;
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n / QK_K; i++) {
    const at = i * BYTES;
    const d = f16ToF32(v.getUint16(at, true));
    const min = f16ToF32(v.getUint16(at + 2, true));
    const qh = at + 16;
    const ql = at + (five ? 48 : 16);
    let y = i * QK_K;
    for (let j = 0; j < 4; j++) {
      const [sc1, m1] = scaleMinK4(2 * j, src, at + 4);
      const [sc2, m2] = scaleMinK4(2 * j + 1, src, at + 4);
      const d1 = fr(d * sc1);
      const dm1 = fr(min * m1);
      const d2 = fr(d * sc2);
      const dm2 = fr(min * m2);
      const u1 = 1 << (2 * j);
      const u2 = 2 << (2 * j);
      for (let l = 0; l < 32; l++) {
        const q = (src[ql + 32 * j + l] & 0xf) + (five && src[qh + l] & u1 ? 16 : 0);
        out[y++] = fr(fr(d1 * q) - dm1);
      }
      for (let l = 0; l < 32; l++) {
        const q = (src[ql + 32 * j + l] >> 4) + (five && src[qh + l] & u2 ? 16 : 0);
        out[y++] = fr(fr(d2 * q) - dm2);
      }
    }
  }
}
