import { afterAll, describe, expect, it } from 'vitest';
import type { Standalone } from '../../src/engine/standalone.ts';
import { greedy, maxAbsDiff, openReference, reference, REFERENCES, weightsOf } from '../cases/gen-models.ts';

/**
 * |Δ logit| allowed against llama.cpp at any vocabulary entry and position, as a share of the reference's
 * largest |logit| (stories260K: 22; the random synthetic models: 8, and 143 for the tied one).
 * - F32 weights with f32 KV agree to the 1e-5 the references are rounded to (llama and qwen2 alike).
 * - f16 KV and F16/BF16 weights: llama.cpp also rounds q and the attention weights to f16 (and the
 *   activations to BF16 for BF16 weights) where this engine keeps f32: measured ≤ 0.4 %.
 * - Quants: both dot the weights with activations quantized to 8 bits per block, made as x86 ggml makes them
 *   (f16 scale, block_q8_1's s); stories260K Q8_0 with f32 KV then agrees to the references' rounding, but
 *   elsewhere the logits differ by ≤ 1.7 %: an activation input that differs in its last bit (f16 KV, summation
 *   order, llama.cpp's repacked kernels) can round to another 8-bit step, and llama.cpp's own Q8_0 model is
 *   0.7 % away from its dequantized-F32 twin.
 */
const FLOAT = new Set(['F32', 'F16', 'BF16']);
// stories260K Q8_0 with f32 KV: the same activations as ggml's, so the float tolerance (measured 0.00 %)
const SAME_AS_GGML = new Set(['stories260K-Q8_0-kvf32']);
const tolerance = (weights: string, name: string): number => (FLOAT.has(weights) || SAME_AS_GGML.has(name) ? 0.005 : 0.025);
const largest = (rows: number[][]): number => Math.max(...rows.map((r) => Math.max(...r.map(Math.abs))));

const open: Standalone[] = [];
afterAll(async () => { for (const s of open) await s.dispose(); });

/** Greedy ids must match on stories260K (a trained model: top-1/top-2 gaps ≥ 0.84) and on float weights; a random synthetic model's near-ties are left to the logits check. */
const idsMustMatch = (name: string, weights: string): boolean => name.startsWith('stories260K') || FLOAT.has(weights);

describe.each(REFERENCES)('%s against llama.cpp', (name) => {
  const ref = reference(name);
  const weights = weightsOf(ref);

  it('computes every position\'s logits within the tolerance, fed llama.cpp\'s tokens', async () => {
    const s = await openReference(ref);
    open.push(s);
    const logits: Float32Array[] = [];
    const fed = [...ref.promptIds, ...ref.greedyIds.slice(0, -1)];
    await s.engine.forward.run(fed, undefined, (pos, l) => { logits[pos] = l; });
    expect(logits.length).toBe(ref.logits.length);
    const worst = Math.max(...ref.logits.map((want, pos) => maxAbsDiff(logits[pos], want)));
    if (process.env.GEN_PRINT) console.log('WORST', name, worst.toFixed(4), ((100 * worst) / largest(ref.logits)).toFixed(2) + ' %');
    expect(worst).toBeLessThan(tolerance(weights, name) * largest(ref.logits));
  });

  if (idsMustMatch(name, weights)) it(`generates llama.cpp's greedy ids`, async () => {
    const s = await openReference(ref);
    open.push(s);
    const { ids } = await greedy(s, ref.promptIds, ref.greedyIds.length);
    expect(ids).toEqual(ref.greedyIds);
  });

});

describe('stories260K from text', () => {
  it('tokenizes the prompt as llama.cpp does', async () => {
    const ref = reference('stories260K-F32-kvf16');
    const s = await openReference(ref);
    open.push(s);
    expect(s.engine.tokenize(ref.prompt)).toEqual(ref.promptIds);
    expect(s.engine.detokenize(ref.greedyIds)).toBe(ref.greedyText);
  });
});
