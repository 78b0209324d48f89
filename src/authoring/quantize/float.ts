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

export function quantizeF16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) v.setUint16(2 * i, f32ToF16(x[i]), true);
  return out;
}

export function dequantizeF16(src: Uint8Array, n: number, out: Float32Array): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) out[i] = f16ToF32(v.getUint16(2 * i, true));
}

export function quantizeBF16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) v.setUint16(2 * i, f32ToBf16(x[i]), true);
  return out;
}

export function dequantizeBF16(src: Uint8Array, n: number, out: Float32Array): void {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) out[i] = bf16ToF32(v.getUint16(2 * i, true));
}
