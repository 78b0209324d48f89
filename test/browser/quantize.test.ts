import { describe, expect, inject, it } from 'vitest';
import { planBytes, sha256Hex } from '../../src/authoring/model-plan.ts';
import { dequantizeRow, quantizeRow, type QuantType } from '../../src/authoring/quantize/index.ts';
import { realModelFromTokenizerGguf } from '../../src/authoring/reencode.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import vectors from '../vectors/quantize.json';
import q4km from '../vectors/llama/llama-Q4_K_M.json';

const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const floats = (b64: string) => new Float32Array(bytes(b64).buffer);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const V = vectors as unknown as {
  inputs: Record<string, string>;
  quantized: Record<string, Record<string, string>>;
  dequantized: Record<string, Record<string, string>>;
};

describe('the reference quantizers in Chromium', () => {
  it('give python gguf bytes and dequantize bit for bit, as in Node', () => {
    for (const t of Object.keys(V.quantized) as QuantType[]) {
      for (const [name, b] of Object.entries(V.inputs)) {
        const x = floats(b);
        expect([t, name, Array.from(quantizeRow(t, x))]).toEqual([t, name, Array.from(bytes(V.quantized[t][name]))]);
        expect([t, name, bits(dequantizeRow(t, bytes(V.quantized[t][name]), x.length))]).toEqual([t, name, bits(floats(V.dequantized[t][name]))]);
      }
    }
  });

  it('rebuild the Q4_K_M reference model byte for byte (same sha256 as the file llama.cpp ran)', async () => {
    const models = inject('models');
    if (!models.fixtures.includes('stories260K.gguf')) throw new Error('the shared fixtures are missing (../shared/fixtures)');
    const tok = new Uint8Array(await (await fetch(`${inject('rangeBase')}/stories260K.gguf`, { cache: 'no-store' })).arrayBuffer());
    const model = planBytes(await realModelFromTokenizerGguf(q4km.model.recipe as RealModelRecipe, tok));
    expect(model.length).toBe(q4km.model.size);
    expect(await sha256Hex(model)).toBe(q4km.model.sha256);
  });
});
