/**
 * Reference quantizers and dequantizers for the weight types gguf-pager
 * writes: `quantizeRow(type, f32)` → the ggml bytes of those elements,
 * `dequantizeRow(type, bytes, n)` → n f32. Ports of ggml's reference code
 * (ggml-quants.c: quantize_row_*_ref, dequantize_row_*); pure TypeScript, the
 * same in Node and the browser. Types by name (`'Q4_K'`) or ggml id (12).
 */
import { GgufPagerError } from '../../errors.ts';
import { ggmlTypeByName, ggmlTypeInfo } from '../../gguf/ggml-types.ts';
import { dequantizeBF16, dequantizeF16, dequantizeF32, quantizeBF16, quantizeF16, quantizeF32 } from './float.ts';
import { dequantizeLegacy, quantizeQ4_0, quantizeQ4_1, quantizeQ5_0, quantizeQ5_1, quantizeQ8_0 } from './legacy.ts';
import { dequantizeQ2_K, quantizeQ2_K } from './q2_k.ts';
import { dequantizeQ3_K, quantizeQ3_K } from './q3_k.ts';
import { dequantizeScaleMin, quantizeQ4_K, quantizeQ5_K } from './q4_k.ts';
import { dequantizeQ6_K, quantizeQ6_K } from './q6_k.ts';
import { FILE_TYPE, type QuantType } from '../quant-types.ts';

export type { QuantType };

export const QUANT_TYPES: readonly QuantType[] = Object.keys(FILE_TYPE) as QuantType[];

type Dequant = (src: Uint8Array, n: number, out: Float32Array) => void;

const QUANTIZE: Record<QuantType, (x: Float32Array) => Uint8Array> = {
  F32: quantizeF32,
  F16: quantizeF16,
  BF16: quantizeBF16,
  Q4_0: quantizeQ4_0,
  Q4_1: quantizeQ4_1,
  Q5_0: quantizeQ5_0,
  Q5_1: quantizeQ5_1,
  Q8_0: quantizeQ8_0,
  Q2_K: quantizeQ2_K,
  Q3_K: quantizeQ3_K,
  Q4_K: quantizeQ4_K,
  Q5_K: quantizeQ5_K,
  Q6_K: quantizeQ6_K,
};

const DEQUANTIZE: Record<QuantType, Dequant> = {
  F32: dequantizeF32,
  F16: dequantizeF16,
  BF16: dequantizeBF16,
  Q4_0: (s, n, o) => dequantizeLegacy('Q4_0', s, n, o),
  Q4_1: (s, n, o) => dequantizeLegacy('Q4_1', s, n, o),
  Q5_0: (s, n, o) => dequantizeLegacy('Q5_0', s, n, o),
  Q5_1: (s, n, o) => dequantizeLegacy('Q5_1', s, n, o),
  Q8_0: (s, n, o) => dequantizeLegacy('Q8_0', s, n, o),
  Q2_K: dequantizeQ2_K,
  Q3_K: dequantizeQ3_K,
  Q4_K: (s, n, o) => dequantizeScaleMin(false, s, n, o),
  Q5_K: (s, n, o) => dequantizeScaleMin(true, s, n, o),
  Q6_K: dequantizeQ6_K,
};

/** The type's name, or UNSUPPORTED_TENSOR_TYPE naming what was asked. */
export function quantType(type: number | string): QuantType {
  const info = typeof type === 'number' ? ggmlTypeInfo(type) : ggmlTypeByName(type);
  if (!info || !(info.name in QUANTIZE)) {
    throw new GgufPagerError('UNSUPPORTED_TENSOR_TYPE', `no reference quantizer for ggml type ${info?.name ?? type}`, { type });
  }
  return info.name as QuantType;
}

function checkCount(t: QuantType, n: number): number {
  const block = ggmlTypeByName(t)!.blockSize;
  if (!Number.isSafeInteger(n) || n < 0 || n % block !== 0) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${t}: ${n} elements is not a multiple of the block size ${block}`, { type: t, n, block });
  }
  return block;
}

/** Bytes of n elements of the type. */
export function quantizedBytes(type: number | string, n: number): number {
  const t = quantType(type);
  const info = ggmlTypeByName(t)!;
  checkCount(t, n);
  return (n / info.blockSize) * info.blockBytes;
}

/** The ggml bytes of `f32` (any number of rows: blocks never straddle a row when rows are block multiples). */
export function quantizeRow(type: number | string, f32: Float32Array): Uint8Array {
  const t = quantType(type);
  checkCount(t, f32.length);
  return QUANTIZE[t](f32);
}

/** n f32 values from the ggml bytes of that many elements. */
export function dequantizeRow(type: number | string, bytes: Uint8Array, n: number): Float32Array {
  const t = quantType(type);
  const need = quantizedBytes(t, n);
  if (bytes.length < need) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${t}: ${n} elements need ${need} bytes, got ${bytes.length}`, { type: t, n, need, given: bytes.length });
  }
  const out = new Float32Array(n);
  DEQUANTIZE[t](bytes, n, out);
  return out;
}
