/**
 * Deterministic pseudo-random tensor bytes with random access: the bytes of
 * unit `u` (one element, or one quantization block) of a tensor depend only
 * on (seed, tensor index, u), so any byte range of a multi-GiB synthetic model
 * can be produced on demand without producing what comes before it.
 *
 * Values are always finite: F32 in ±0.25, F16/BF16 in ±2^-7..2 (two per unit),
 * quantized blocks are random bytes whose f16 scale fields are overwritten
 * with small positive halves (~0.008–0.016). Norm weights are 1 ± 0.05.
 */
import { GgufPagerError } from '../errors.ts';
import { ggmlTypeByName } from '../gguf/ggml-types.ts';
import type { QuantType } from './quant-types.ts';

/** Byte offsets of the f16 scale fields inside one block (ggml-common.h block structs). */
const SCALE_FIELDS: Readonly<Record<string, readonly number[]>> = {
  Q4_0: [0],
  Q4_1: [0, 2],
  Q5_0: [0],
  Q5_1: [0, 2],
  Q8_0: [0],
  Q2_K: [80, 82], // scales[16], qs[64], d, dmin
  Q3_K: [108], // hmask[32], qs[64], scales[12], d
  Q4_K: [0, 2],
  Q5_K: [0, 2], // d, dmin first
  Q6_K: [208], // ql[128], qh[64], scales[16], d
};

/** A weight type the synthetic writers can write: every type the quantizers know. */
export type SyntheticType = QuantType;

/** 32-bit integer hash (a murmur3-style finaliser). */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

export type UnitWriter = (u: number, view: DataView, at: number) => void;

export interface TensorGenerator {
  /** Bytes of one unit. */
  unitBytes: number;
  write: UnitWriter;
}

/** A generator for one tensor. `norm` tensors hold values near 1 (F32 only). */
export function tensorGenerator(typeName: SyntheticType, seed: number, tensorIndex: number, norm = false): TensorGenerator {
  const ts = mix32(mix32(seed ^ 0x9e3779b9) + Math.imul(tensorIndex + 1, 0x85ebca6b));
  const word = (u: number, k: number): number => mix32((ts + Math.imul(u, 0x27d4eb2f) + Math.imul(k, 0x165667b1)) | 0);
  if (typeName === 'F32') {
    const base = norm ? 1 : 0;
    const spread = norm ? 0.1 : 0.5;
    return { unitBytes: 4, write: (u, v, at) => v.setFloat32(at, base + (word(u, 0) / 4294967296 - 0.5) * spread, true) };
  }
  /** Two 16-bit values per word: the low one from the word's low bits, the high one from the word shifted by `shift`. */
  const twoPerWord = (value: (b: number) => number, shift: number): TensorGenerator => ({
    unitBytes: 4,
    write: (u, v, at) => {
      const w = word(u, 0);
      v.setUint32(at, ((value(w >>> shift) << 16) | value(w)) >>> 0, true);
    },
  });
  // halves: sign | exponent 8..15 (2^-7 .. 2^0) | 10-bit mantissa
  if (typeName === 'F16') return twoPerWord((b) => ((b & 0x2000) << 2) | ((8 + ((b >>> 10) & 7)) << 10) | (b & 0x3ff), 18);
  // bfloat16: sign | exponent 120..127 (2^-7 .. 2^0) | 7-bit mantissa
  if (typeName === 'BF16') return twoPerWord((b) => ((b & 0x400) << 5) | ((120 + ((b >>> 7) & 7)) << 7) | (b & 0x7f), 16);
  const info = ggmlTypeByName(typeName);
  const scales = SCALE_FIELDS[typeName];
  if (!info || !scales) throw new GgufPagerError('INVALID_ARGUMENT', `no synthetic weights for type ${typeName}`, { type: typeName });
  const bytes = info.blockBytes;
  const words = bytes >>> 2;
  return {
    unitBytes: bytes,
    write: (u, v, at) => {
      for (let k = 0; k < words; k++) v.setUint32(at + 4 * k, word(u, k), true);
      for (let k = words * 4; k < bytes; k++) v.setUint8(at + k, word(u, k) & 0xff);
      for (const off of scales) v.setUint16(at + off, 0x2000 | (word(u, 1000 + off) & 0x3ff), true);
    },
  };
}

const scratch = new DataView(new ArrayBuffer(512));

/**
 * Writes bytes [start, end) of a tensor's data into `out` at `outAt`. Whole
 * units go straight into `out`; a unit cut by the range goes through a scratch block.
 */
export function fillTensorRange(gen: TensorGenerator, start: number, end: number, out: Uint8Array, outAt: number): void {
  const U = gen.unitBytes;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let pos = start;
  while (pos < end) {
    const u = Math.floor(pos / U);
    const unitStart = u * U;
    const dst = outAt + (pos - start);
    if (pos === unitStart && unitStart + U <= end) {
      gen.write(u, view, dst);
      pos += U;
      continue;
    }
    gen.write(u, scratch, 0);
    const from = pos - unitStart;
    const n = Math.min(U - from, end - pos);
    out.set(new Uint8Array(scratch.buffer, from, n), dst);
    pos += n;
  }
}
