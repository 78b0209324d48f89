import { afterAll, describe, expect, it } from 'vitest';
import type { Standalone } from '../../src/engine/standalone.ts';
import { greedy, maxAbsDiff, openReference, reference, REFERENCES } from '../cases/gen-models.ts';

/**
 * The largest |Δ logit| against llama.cpp measured for each reference (any vocabulary entry, any position,
 * fed llama.cpp's tokens), on this engine as of this table; the test allows 1.5× it. Where it comes from:
 * - F32 weights with f32 KV: the 1e-5 the references are rounded to (llama and qwen2 alike).
 * - f16 KV and F16/BF16 weights: llama.cpp also rounds q and the attention weights to f16 (and the
 *   activations to BF16 for BF16 weights) where this engine keeps f32.
 * - Quants: both dot the weights with activations quantized to 8 bits per block, made as x86 ggml makes them
 *   (f16 scale, block_q8_1's s); stories260K Q8_0 with f32 KV then agrees to the references' rounding, but
 *   elsewhere an activation input that differs in its last bit (f16 KV, summation order, llama.cpp's
 *   repacked kernels) can round to another 8-bit step: up to 1.7 % of the largest logit (stories260K: 22;
 *   the random synthetic models: 8, and 143 for the tied one).
 * Rerun the measurement after a change to the arithmetic, and update the row, not the factor.
 */
const MEASURED: Record<string, number> = {
  'llama-BF16': 3.013e-2,
  'llama-F16': 4.677e-3,
  'llama-F32': 1.935e-3,
  'llama-F32-kvf32': 6.869e-6,
  'llama-Q2_K': 1.308e-1,
  'llama-Q3_K': 1.37e-1,
  'llama-Q4_0': 1.144e-1,
  'llama-Q4_1': 9.977e-2,
  'llama-Q4_K': 1.452e-1,
  'llama-Q4_K_M': 1.256e-1,
  'llama-Q5_0': 1.041e-1,
  'llama-Q5_1': 9.984e-2,
  'llama-Q5_K': 1.337e-1,
  'llama-Q6_K': 1.32e-1,
  'llama-Q8_0': 1.017e-1,
  'llama-Q8_0-long-prompt': 1.236e-1,
  'llama-Q8_0-tied': 6.771e-1,
  'qwen2-F32-kvf32': 6.959e-6,
  'qwen2-Q4_K': 1.251e-1,
  'qwen2-Q8_0': 1.021e-1,
  'stories260K-F16-kvf16': 1.591e-2,
  'stories260K-F16-kvf32': 8.983e-3,
  'stories260K-F32-kvf16': 9.047e-3,
  'stories260K-F32-kvf32': 5.537e-5,
  'stories260K-Q4_0-kvf16': 2.638e-1,
  'stories260K-Q4_0-kvf32': 2.387e-1,
  'stories260K-Q8_0-kvf16': 3.204e-1,
  'stories260K-Q8_0-kvf32': 5.109e-5,
};
const tolerance = (name: string): number => 1.5 * MEASURED[name];

/**
 * Random synthetic models whose free-running greedy ids leave llama.cpp's at this step (0-based, after the
 * prompt): there llama.cpp's own logits put our pick within 2× the tolerance of its own (a near-tie the
 * measured error can flip), and everything after follows another context. Every other reference, and every
 * stories260K one (a trained model: top-1/top-2 gaps ≥ 0.84), must match all its greedy ids.
 */
const GREEDY_LEAVES_AT: Record<string, number> = {
  'llama-Q2_K': 26,
  'llama-Q4_0': 30,
  'llama-Q4_1': 16,
  'llama-Q4_K': 14,
  'llama-Q5_0': 24,
  'llama-Q5_1': 26,
  'llama-Q5_K': 2,
  'llama-Q6_K': 10,
};

/** Ids sorted by logit, highest first (the lower id first on a tie). */
const ranked = (l: ArrayLike<number>, k: number): number[] =>
  Array.from(l, (v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map((x) => x[1]);

/**
 * Where llama.cpp's top 5 and ours disagree in a way `margin` cannot explain: an id of llama.cpp's top 5 that
 * leads its 6th by more than `margin` but is missing from ours, or two of its top 5 more than `margin` apart
 * that we order the other way. Empty when they agree.
 */
function top5Disagreements(ours: ArrayLike<number>, want: ArrayLike<number>, margin: number): string[] {
  const refTop = ranked(want, 6);
  const ourTop = ranked(ours, 5);
  const out: string[] = [];
  for (const id of refTop.slice(0, 5)) if (want[id] - want[refTop[5]] > margin && !ourTop.includes(id)) out.push(`missing ${id}`);
  for (let i = 0; i < 5; i++) {
    for (let j = i + 1; j < 5; j++) {
      const [a, b] = [refTop[i], refTop[j]];
      if (want[a] - want[b] > margin && ours[a] <= ours[b]) out.push(`${b} above ${a}`);
    }
  }
  return out;
}

const open: Standalone[] = [];
afterAll(async () => {
  for (const s of open) await s.dispose();
});

describe.each(REFERENCES)('%s against llama.cpp', (name) => {
  const ref = reference(name);

  it('has a measured tolerance', () => {
    expect(MEASURED[name], `${name}: measure its largest |Δ logit| and add it to MEASURED`).toBeGreaterThan(0);
  });

  it("computes every position's logits within 1.5× the measured error, and agrees with llama.cpp's top 5 at every position", async () => {
    const s = await openReference(ref);
    open.push(s);
    const logits: Float32Array[] = [];
    const fed = [...ref.promptIds, ...ref.greedyIds.slice(0, -1)];
    await s.engine.forward.run(fed, undefined, (pos, l) => {
      logits[pos] = l;
    });
    expect(logits.length).toBe(ref.logits.length);
    const worst = Math.max(...ref.logits.map((want, pos) => maxAbsDiff(logits[pos], want)));
    expect(worst, `${name}: largest |Δ logit| ${worst.toExponential(3)}, measured ${MEASURED[name]}`).toBeLessThanOrEqual(tolerance(name));
    ref.logits.forEach((want, pos) => expect([pos, top5Disagreements(logits[pos], want, 2 * tolerance(name))]).toEqual([pos, []]));
  });

  it(`generates llama.cpp's greedy ids${name in GREEDY_LEAVES_AT ? ' up to a near-tie' : ''}`, async () => {
    const s = await openReference(ref);
    open.push(s);
    const { ids } = await greedy(s, ref.promptIds, ref.greedyIds.length);
    const leaves = GREEDY_LEAVES_AT[name];
    if (leaves === undefined) {
      expect(ids).toEqual(ref.greedyIds);
      return;
    }
    expect(ids.slice(0, leaves)).toEqual(ref.greedyIds.slice(0, leaves));
    expect(ids[leaves]).not.toBe(ref.greedyIds[leaves]);
    const want = ref.logits[ref.promptIds.length - 1 + leaves];
    expect(want[ref.greedyIds[leaves]] - want[ids[leaves]]).toBeLessThanOrEqual(2 * tolerance(name));
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
