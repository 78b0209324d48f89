/**
 * Q6_K: block_q6_K { ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16]
 * (int8), d } = 210 bytes per 256 elements; x = d·sc·(q − 32) per 16-element
 * sub-block. Port of quantize_row_q6_K_ref / dequantize_row_q6_K.
 */
import { f16ToF32, f32ToF16, nearestInt } from './half.ts';
import { fitSubBlocks16, makeQxQuants, QK_K, requantize16, quantizeSuperBlocks } from './k-common.ts';

/** Local alias (not an import binding, which bundlers turn into a property read on every call). */
const fr = Math.fround;

const BYTES = 210;
const GROUP_MAX_EPS = fr(1e-15);

export function quantizeQ6_K(x: Float32Array): Uint8Array {
  const L = new Int8Array(QK_K);
  const scales = new Float32Array(16);
  return quantizeSuperBlocks(x, BYTES, (xo, at, out, v) => {
    const maxScale = fitSubBlocks16(scales, (j) => makeQxQuants(16, 32, x, xo + 16 * j, L, 16 * j, 1));
    if (Math.abs(maxScale) < GROUP_MAX_EPS) return; // an all-zero block (d = 0)
    const iscale = fr(-128 / maxScale);
    v.setUint16(at + 208, f32ToF16(fr(1 / iscale)), true);
    for (let ib = 0; ib < 16; ib++) v.setInt8(at + 192 + ib, Math.min(127, nearestInt(fr(iscale * scales[ib]))));
    const dAll = f16ToF32(v.getUint16(at + 208, true));
    requantize16(x, xo, L, 32, (j) => fr(dAll * v.getInt8(at + 192 + j)));
    for (let j = 0; j < QK_K; j += 128) {
      const ql = at + j / 2;
      const qh = at + 128 + j / 4;
      for (let l = 0; l < 32; l++) {
        const q1 = L[j + l],
          q2 = L[j + l + 32],
          q3 = L[j + l + 64],
          q4 = L[j + l + 96];
        out[ql + l] = (q1 & 0xf) | ((q3 & 0xf) << 4);
        out[ql + l + 32] = (q2 & 0xf) | ((q4 & 0xf) << 4);
        out[qh + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
      }
    }
  });
}

export function dequantizeQ6_K(src: Uint8Array, n: number, out: Float32Array): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n / QK_K; i++) {
    const at = i * BYTES;
    const d = f16ToF32(v.getUint16(at + 208, true));
    for (let half = 0; half < 2; half++) {
      const ql = at + 64 * half;
      const qh = at + 128 + 32 * half;
      const sc = at + 192 + 8 * half;
      const y = i * QK_K + 128 * half;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const q1 = ((src[ql + l] & 0xf) | (((src[qh + l] >> 0) & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32] & 0xf) | (((src[qh + l] >> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l] >> 4) | (((src[qh + l] >> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32] >> 4) | (((src[qh + l] >> 6) & 3) << 4)) - 32;
        out[y + l] = fr(fr(d * v.getInt8(sc + is)) * q1);
        out[y + l + 32] = fr(fr(d * v.getInt8(sc + is + 2)) * q2);
        out[y + l + 64] = fr(fr(d * v.getInt8(sc + is + 4)) * q3);
        out[y + l + 96] = fr(fr(d * v.getInt8(sc + is + 6)) * q4);
      }
    }
  }
}
