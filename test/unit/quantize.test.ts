import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dequantizeRow, QUANT_TYPES, quantizeRow, quantizedBytes, type QuantType } from '../../src/authoring/quantize/index.ts';
import { f16ToF32, f32ToF16 } from '../../src/authoring/quantize/half.ts';

/**
 * Written by scripts/make-quantize-vectors.py: legacy types, F16 and BF16 from python gguf 0.19 (ggml's
 * reference quantizers ported to numpy), K-quants from ggml's C quantize_row_*_K_ref (llama.cpp's
 * libggml-base.so), every dequantization from gguf.quants.dequantize.
 */
const V = JSON.parse(readFileSync(new URL('../vectors/quantize.json', import.meta.url), 'utf8')) as {
  inputs: Record<string, string>;
  quantized: Record<string, Record<string, string>>;
  dequantized: Record<string, Record<string, string>>;
  randomBlocks: Record<string, { bytes: string; dequantized: string }>;
};

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const floats = (b64: string) => new Float32Array(bytes(b64).buffer);
const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const rows = Object.entries(V.inputs).map(([name, b]) => [name, floats(b)] as const);

const PYTHON_QUANTIZES: QuantType[] = ['F16', 'BF16', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0'];
const K_QUANTS: QuantType[] = ['Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K'];

/**
 * Relative RMS error ‖dequantize(quantize(x)) − x‖ / ‖x‖ allowed on the finite rows: about 1.3× what
 * ggml's reference gets on a Gaussian row (Q2_K 0.28, Q3_K 0.15, Q4_K 0.072, Q5_K 0.037, Q6_K 0.019),
 * looser for the heavy-tailed row (Student t, 3 degrees of freedom).
 */
const K_BOUND: Record<string, { gaussian: number; any: number }> = {
  Q2_K: { gaussian: 0.33, any: 0.45 },
  Q3_K: { gaussian: 0.18, any: 0.27 },
  Q4_K: { gaussian: 0.085, any: 0.13 },
  Q5_K: { gaussian: 0.045, any: 0.07 },
  Q6_K: { gaussian: 0.023, any: 0.035 },
};

function relRms(x: Float32Array, y: Float32Array): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    e += (y[i] - x[i]) ** 2;
    s += x[i] ** 2;
  }
  return Math.sqrt(e / s);
}

describe('the reference quantizers', () => {
  it.each(PYTHON_QUANTIZES)('%s gives the same bytes as ggml reference (python gguf) on every vector', (t) => {
    for (const [name, x] of rows) expect([name, Array.from(quantizeRow(t, x))]).toEqual([name, Array.from(bytes(V.quantized[t][name]))]);
  });

  it.each([...PYTHON_QUANTIZES, ...K_QUANTS])('%s dequantizes bit for bit as python gguf on the vectors bytes', (t) => {
    for (const [name, x] of rows) {
      const y = dequantizeRow(t, bytes(V.quantized[t][name]), x.length);
      expect([name, bitsOf(y)]).toEqual([name, bitsOf(floats(V.dequantized[t][name]))]);
    }
  });

  it.each(K_QUANTS)('%s dequantizes random blocks (every level and scale pattern) bit for bit as python gguf', (t) => {
    const { bytes: b, dequantized } = V.randomBlocks[t];
    const want = floats(dequantized);
    expect(bitsOf(dequantizeRow(t, bytes(b), want.length))).toEqual(bitsOf(want));
  });

  it.each(K_QUANTS)('%s round-trips within its stated error bound and writes the bytes of ggml quantize_row_*_K_ref', (t) => {
    for (const [name, x] of rows) {
      const q = quantizeRow(t, x);
      expect(q.length).toBe(quantizedBytes(t, x.length));
      expect([name, Array.from(q)]).toEqual([name, Array.from(bytes(V.quantized[t][name]))]);
      const y = dequantizeRow(t, q, x.length);
      expect(y.every(Number.isFinite)).toBe(true);
      if (name === 'range') continue; // 1e-6 next to 65504: only finiteness is asked of it
      const bound = name === 'normal' || name === 'small' ? K_BOUND[t].gaussian : K_BOUND[t].any;
      expect(relRms(x, y), `${t} ${name}`).toBeLessThan(bound);
    }
  });

  it('orders the K-quants by bits, and beats the legacy type of the same width on a Gaussian row', () => {
    const x = rows.find(([n]) => n === 'normal')![1];
    const err = (t: QuantType) => relRms(x, dequantizeRow(t, quantizeRow(t, x), x.length));
    const ks = K_QUANTS.map(err);
    for (let i = 1; i < ks.length; i++) expect(ks[i]).toBeLessThan(ks[i - 1]);
    expect(err('Q4_K')).toBeLessThan(err('Q4_0'));
    expect(err('Q5_K')).toBeLessThan(err('Q5_0'));
  });

  it('quantizes an all-zero row to zeros of every type', () => {
    for (const t of QUANT_TYPES) expect(Array.from(dequantizeRow(t, quantizeRow(t, new Float32Array(256)), 256)).every((v) => v === 0)).toBe(true);
  });

  it('keeps F32 exactly and converts halves with ties to even', () => {
    const x = new Float32Array([1.5, -2.25, 3e-39, 1e30]);
    expect(Array.from(dequantizeRow('F32', quantizeRow('F32', x), 4))).toEqual(Array.from(x));
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00);
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16(65520)).toBe(0x7c00);
    expect(f16ToF32(f32ToF16(2 ** -24))).toBe(2 ** -24);
  });

  it('names the type and the count it refuses', () => {
    expect(() => quantizeRow('Q4_K', new Float32Array(32))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/Q4_K: 32 elements/) }),
    );
    expect(() => quantizeRow('IQ2_XXS', new Float32Array(256))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_TENSOR_TYPE', message: expect.stringMatching(/IQ2_XXS/) }),
    );
    expect(() => dequantizeRow(8, new Uint8Array(33), 32)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/need 34 bytes/) }),
    );
  });
});
