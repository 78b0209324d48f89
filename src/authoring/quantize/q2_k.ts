/**
 * Q2_K: block_q2_K { scales[16] (4-bit scale | 4-bit min << 4), qs[64] (2-bit
 * levels), d, dmin } = 84 bytes per 256 elements; x = d·sc·q − dmin·m per
 * 16-element sub-block. Port of quantize_row_q2_K_ref / dequantize_row_q2_K.
 */
import { f16ToF32, f32ToF16, nearestInt } from './half.ts';
import { QK_K, makeQkx2Quants, pack2Bits, quantizeSuperBlocks, unpack2Bits } from './k-common.ts';

/** Local alias (not an import binding, which bundlers turn into a property read on every call). */
const fr = Math.fround;

const BYTES = 84;

export function quantizeQ2_K(x: Float32Array): Uint8Array {
  const L = new Uint8Array(QK_K);
  const Laux = new Uint8Array(16);
  const weights = new Float32Array(16);
  const mins = new Float32Array(16);
  const scales = new Float32Array(16);
  const q4scale = 15;
  return quantizeSuperBlocks(x, BYTES, (xo, at, out, v) => {
    let maxScale = 0;
    let maxMin = 0;
    for (let j = 0; j < 16; j++) {
      for (let l = 0; l < 16; l++) weights[l] = Math.abs(x[xo + 16 * j + l]);
      const [s, m] = makeQkx2Quants(16, 3, x, xo + 16 * j, weights, L, 16 * j, Laux, -0.5, 0.1, 15, true);
      scales[j] = s;
      mins[j] = m;
      if (s > maxScale) maxScale = s;
      if (m > maxMin) maxMin = m;
    }
    if (maxScale > 0) {
      const iscale = fr(q4scale / maxScale);
      for (let j = 0; j < 16; j++) out[at + j] = nearestInt(fr(iscale * scales[j])) & 0xff;
      v.setUint16(at + 80, f32ToF16(fr(maxScale / q4scale)), true);
    } else {
      v.setUint16(at + 80, 0, true);
    }
    if (maxMin > 0) {
      const iscale = fr(q4scale / maxMin);
      for (let j = 0; j < 16; j++) out[at + j] |= nearestInt(fr(iscale * mins[j])) << 4;
      v.setUint16(at + 82, f32ToF16(fr(maxMin / q4scale)), true);
    } else {
      v.setUint16(at + 82, 0, true);
    }
    const dAll = f16ToF32(v.getUint16(at + 80, true));
    const mAll = f16ToF32(v.getUint16(at + 82, true));
    for (let j = 0; j < 16; j++) {
      const d = fr(dAll * (out[at + j] & 0xf));
      if (!d) continue;
      const dm = fr(mAll * (out[at + j] >> 4));
      for (let ii = 0; ii < 16; ii++) L[16 * j + ii] = Math.max(0, Math.min(3, nearestInt(fr(fr(x[xo + 16 * j + ii] + dm) / d))));
    }
    pack2Bits(L, out, at + 16);
  });
}

export function dequantizeQ2_K(src: Uint8Array, n: number, out: Float32Array): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const L = new Uint8Array(QK_K);
  for (let i = 0; i < n / QK_K; i++) {
    const at = i * BYTES;
    const d = f16ToF32(v.getUint16(at + 80, true));
    const min = f16ToF32(v.getUint16(at + 82, true));
    unpack2Bits(src, at + 16, L);
    for (let j = 0; j < 16; j++) {
      const sc = src[at + j];
      const dl = fr(d * (sc & 0xf));
      const ml = fr(min * (sc >> 4));
      const y = i * QK_K + 16 * j;
      for (let l = 0; l < 16; l++) out[y + l] = fr(fr(dl * L[16 * j + l]) - ml);
    }
  }
}
