/**
 * The 32-element block types (ggml-common.h): Q4_0 {d, qs[16]}, Q4_1 {d, m,
 * qs[16]}, Q5_0 {d, qh[4], qs[16]}, Q5_1 {d, m, qh[4], qs[16]}, Q8_0 {d, qs[32]}.
 * Ports of quantize_row_*_ref / dequantize_row_* in ggml-quants.c, with every
 * intermediate rounded to f32 as C's float arithmetic does, so the bytes equal
 * ggml's (and python gguf's) reference output.
 */
import { f16ToF32, f32ToF16 } from './half.ts';

/** Local alias (not an import binding, which bundlers turn into a property read on every call). */
const fr = Math.fround;

const QK = 32;

/** Index and value of the element of largest magnitude in x[o, o + 32) (first one on ties). */
function signedMax(x: Float32Array, o: number): number {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const v = x[o + j];
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return max;
}

function minMax(x: Float32Array, o: number): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < QK; j++) {
    const v = x[o + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** Symmetric 4/5-bit: d = max / -2^(bits-1); q = trunc(x/d + 2^(bits-1) + 0.5), at most 2^bits - 1. */
function quantizeSymmetric(x: Float32Array, bits: 4 | 5): Uint8Array {
  const nb = x.length / QK;
  const blockBytes = bits === 4 ? 18 : 22;
  const out = new Uint8Array(nb * blockBytes);
  const v = new DataView(out.buffer);
  const half = 1 << (bits - 1);
  const top = (1 << bits) - 1;
  const bias = fr(half + 0.5);
  const q = new Uint8Array(QK);
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const d = fr(signedMax(x, o) / -half);
    const id = d ? fr(1 / d) : 0;
    for (let j = 0; j < QK; j++) q[j] = Math.min(top, Math.trunc(fr(fr(x[o + j] * id) + bias)));
    writeBlock(v, i * blockBytes, bits, q, f32ToF16(d), -1);
  }
  return out;
}

/** Asymmetric 4/5-bit: d = (max - min) / (2^bits - 1), m = min; q = trunc((x - min)/d + 0.5). */
function quantizeAffine(x: Float32Array, bits: 4 | 5): Uint8Array {
  const nb = x.length / QK;
  const blockBytes = bits === 4 ? 20 : 24;
  const out = new Uint8Array(nb * blockBytes);
  const v = new DataView(out.buffer);
  const top = (1 << bits) - 1;
  const q = new Uint8Array(QK);
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    const [min, max] = minMax(x, o);
    const d = fr(fr(max - min) / top);
    const id = d ? fr(1 / d) : 0;
    for (let j = 0; j < QK; j++) q[j] = Math.min(top, Math.trunc(fr(fr(fr(x[o + j] - min) * id) + 0.5)));
    writeBlock(v, i * blockBytes, bits, q, f32ToF16(d), f32ToF16(min));
  }
  return out;
}

/** Block layout: d, [m], [qh: bit 4 of element j at bit j], qs: element j low nibble, j + 16 high nibble. */
function writeBlock(v: DataView, at: number, bits: 4 | 5, q: Uint8Array, d: number, m: number): void {
  v.setUint16(at, d, true);
  let p = at + 2;
  if (m >= 0) {
    v.setUint16(p, m, true);
    p += 2;
  }
  if (bits === 5) {
    let qh = 0;
    for (let j = 0; j < QK; j++) qh |= ((q[j] >> 4) & 1) << j;
    v.setUint32(p, qh >>> 0, true);
    p += 4;
  }
  for (let j = 0; j < QK / 2; j++) v.setUint8(p + j, (q[j] & 0x0f) | ((q[j + QK / 2] & 0x0f) << 4));
}

export const quantizeQ4_0 = (x: Float32Array): Uint8Array => quantizeSymmetric(x, 4);
export const quantizeQ5_0 = (x: Float32Array): Uint8Array => quantizeSymmetric(x, 5);
export const quantizeQ4_1 = (x: Float32Array): Uint8Array => quantizeAffine(x, 4);
export const quantizeQ5_1 = (x: Float32Array): Uint8Array => quantizeAffine(x, 5);

/** Q8_0: d = amax / 127, q = roundf(x / d) (halves away from zero). */
export function quantizeQ8_0(x: Float32Array): Uint8Array {
  const nb = x.length / QK;
  const out = new Uint8Array(nb * 34);
  const v = new DataView(out.buffer);
  for (let i = 0; i < nb; i++) {
    const o = i * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[o + j]));
    const d = fr(amax / 127);
    const id = d ? fr(1 / d) : 0;
    v.setUint16(i * 34, f32ToF16(d), true);
    for (let j = 0; j < QK; j++) {
      const s = fr(x[o + j] * id);
      v.setInt8(i * 34 + 2 + j, Math.sign(s) * Math.floor(Math.abs(s) + 0.5));
    }
  }
  return out;
}

/** Dequantizes n elements of a 32-element block type into out. */
export function dequantizeLegacy(type: 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q8_0', src: Uint8Array, n: number, out: Float32Array): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const nb = n / QK;
  const affine = type === 'Q4_1' || type === 'Q5_1';
  const five = type === 'Q5_0' || type === 'Q5_1';
  const blockBytes = type === 'Q8_0' ? 34 : 18 + (affine ? 2 : 0) + (five ? 4 : 0);
  for (let i = 0; i < nb; i++) {
    const at = i * blockBytes;
    const d = f16ToF32(v.getUint16(at, true));
    const o = i * QK;
    if (type === 'Q8_0') {
      for (let j = 0; j < QK; j++) out[o + j] = fr(v.getInt8(at + 2 + j) * d);
      continue;
    }
    const m = affine ? f16ToF32(v.getUint16(at + 2, true)) : 0;
    let p = at + (affine ? 4 : 2);
    const qh = five ? v.getUint32(p, true) : 0;
    if (five) p += 4;
    const offset = affine ? 0 : five ? 16 : 8;
    for (let j = 0; j < QK / 2; j++) {
      const b = v.getUint8(p + j);
      const q0 = ((b & 0x0f) | (((qh >>> j) & 1) << 4)) - offset;
      const q1 = ((b >> 4) | (((qh >>> (j + 16)) & 1) << 4)) - offset;
      out[o + j] = affine ? fr(fr(q0 * d) + m) : fr(q0 * d);
      out[o + j + QK / 2] = affine ? fr(fr(q1 * d) + m) : fr(q1 * d);
    }
  }
}
