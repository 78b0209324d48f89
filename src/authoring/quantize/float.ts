/** F32, F16 and BF16 rows: little-endian element arrays (ggml's fp32 → fp16 / bf16 rounding). */
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from './half.ts';

export function quantizeF32(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 4);
  const v = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) v.setFloat32(4 * i, x[i], true);
  return out;
}

export function dequantizeF32(src: Uint8Array, n: number, out: Float32Array): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
}

/** x as 16-bit elements, each `to16(x[i])`. */
function quantize16(x: Float32Array, to16: (f: number) => number): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) v.setUint16(2 * i, to16(x[i]), true);
  return out;
}

/** n 16-bit elements of src, each `from16(bits)`, into out. */
function dequantize16(src: Uint8Array, n: number, out: Float32Array, from16: (h: number) => number): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) out[i] = from16(v.getUint16(2 * i, true));
}

export const quantizeF16 = (x: Float32Array): Uint8Array => quantize16(x, f32ToF16);
export const dequantizeF16 = (src: Uint8Array, n: number, out: Float32Array): void => dequantize16(src, n, out, f16ToF32);
export const quantizeBF16 = (x: Float32Array): Uint8Array => quantize16(x, f32ToBf16);
export const dequantizeBF16 = (src: Uint8Array, n: number, out: Float32Array): void => dequantize16(src, n, out, bf16ToF32);
