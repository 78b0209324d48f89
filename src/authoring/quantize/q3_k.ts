/**
 * Q3_K: block_q3_K { hmask[32] (3rd bit), qs[64] (low 2 bits), scales[12]
 * (16 six-bit signed scales, +32), d } = 110 bytes per 256 elements;
 * x = d·(sc − 32)·(q − 4). Port of quantize_row_q3_K_ref / dequantize_row_q3_K.
 */
import { f16ToF32, f32ToF16, nearestInt } from './half.ts';
import { fitSubBlocks16, makeQ3Quants, QK_K, requantize16, pack2Bits, quantizeSuperBlocks, unpack2Bits } from './k-common.ts';

/** Local alias (not an import binding, which bundlers turn into a property read on every call). */
const fr = Math.fround;

const BYTES = 110;
const SCALES = 96;

/** The 6-bit scale j (0..63, biased by 32) from the 12 packed bytes at s[at]. */
function scaleQ3(j: number, s: Uint8Array, at: number): number {
  const low = j < 8 ? s[at + j] & 0xf : s[at + j - 8] >> 4;
  return low | (((s[at + 8 + (j % 4)] >> (2 * Math.floor(j / 4))) & 3) << 4);
}

export function quantizeQ3_K(x: Float32Array): Uint8Array {
  const L = new Int8Array(QK_K);
  const scales = new Float32Array(16);
  return quantizeSuperBlocks(x, BYTES, (xo, at, out, v) => {
    const maxScale = fitSubBlocks16(scales, (j) => makeQ3Quants(16, 4, x, xo + 16 * j, L, 16 * j));
    if (maxScale) {
      const iscale = fr(-32 / maxScale);
      for (let j = 0; j < 16; j++) {
        let l = (nearestInt(fr(iscale * scales[j])) << 24) >> 24; // int8_t
        l = Math.max(-32, Math.min(31, l)) + 32;
        if (j < 8) out[at + SCALES + j] = l & 0xf;
        else out[at + SCALES + j - 8] |= (l & 0xf) << 4;
        out[at + SCALES + 8 + (j % 4)] |= (l >> 4) << (2 * Math.floor(j / 4));
      }
      v.setUint16(at + 108, f32ToF16(fr(1 / iscale)), true);
    } else {
      v.setUint16(at + 108, 0, true);
    }
    const dAll = f16ToF32(v.getUint16(at + 108, true));
    requantize16(x, xo, L, 4, (j) => fr(dAll * (scaleQ3(j, out, at + SCALES) - 32)));
    let m = 0;
    let hm = 1;
    for (let j = 0; j < QK_K; j++) {
      if (L[j] > 3) {
        out[at + m] |= hm;
        L[j] -= 4;
      }
      if (++m === 32) {
        m = 0;
        hm <<= 1;
      }
    }
    pack2Bits(L, out, at + 32);
  });
}

export function dequantizeQ3_K(src: Uint8Array, n: number, out: Float32Array): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const L = new Uint8Array(QK_K);
  for (let i = 0; i < n / QK_K; i++) {
    const at = i * BYTES;
    const dAll = f16ToF32(v.getUint16(at + 108, true));
    unpack2Bits(src, at + 32, L);
    for (let j = 0; j < 16; j++) {
      const dl = fr(dAll * (scaleQ3(j, src, at + SCALES) - 32));
      for (let l = 0; l < 16; l++) {
        const k = 16 * j + l; // its third bit: hmask[k % 32], bit k / 32
        out[i * QK_K + k] = fr(dl * (L[k] - (src[at + (k & 31)] & (1 << (k >> 5)) ? 0 : 4)));
      }
    }
  }
}
