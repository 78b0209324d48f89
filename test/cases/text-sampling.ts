/**
 * Sampling scenarios shared by Node and the Chromium worker: a fixed logit
 * vector and options, sampled with a seed. The same seed must give these exact
 * ids on every engine (the generator and exp are plain IEEE arithmetic).
 */
import { Sampler, type SamplingOptions } from '../../src/text/index.ts';
import { prng } from './prng.ts';

export const GOLDEN_VOCAB = 1000;

/** Logits drawn once from a seeded generator (values in [-4, 4)). */
export function goldenLogits(): Float32Array {
  const rnd = prng(99);
  return Float32Array.from({ length: GOLDEN_VOCAB }, () => rnd() * 8 - 4);
}

export const GOLDEN_OPTIONS: Record<string, SamplingOptions> = {
  default: { seed: 1234 },
  topK5: { seed: 42, topK: 5, topP: 1, minP: 0, temperature: 1 },
  topPAll: { seed: 7, topK: 0, topP: 0.9, minP: 0, temperature: 0.7 },
  penalties: { seed: 3, repeatPenalty: 1.3, presencePenalty: 0.5, frequencyPenalty: 0.2, penaltyLastN: 16, temperature: 1.2 },
  noTruncation: { seed: 11, topK: 0, topP: 1, minP: 0, temperature: 1 },
};

/** 32 ids from one scenario; each sampled id is accepted (penalties see it). */
export function sampleSequence(name: string): number[] {
  const s = new Sampler(GOLDEN_OPTIONS[name], GOLDEN_VOCAB);
  const logits = goldenLogits();
  const out: number[] = [];
  for (let i = 0; i < 32; i++) {
    const id = s.sample(logits);
    s.accept(id);
    out.push(id);
  }
  return out;
}

/** The ids each scenario gave when recorded (Node 20); Chromium must give the same. */
export const GOLDEN_IDS: Record<string, number[]> = {
  default: [
    622, 763, 729, 809, 76, 644, 498, 24, 998, 678, 399, 105, 886, 399, 829, 457, 707, 644, 27, 475, 707, 886, 729, 635, 712, 645, 918, 154, 695, 886, 105, 498,
  ],
  topK5: [
    622, 622, 678, 644, 152, 622, 76, 644, 678, 622, 76, 678, 644, 76, 152, 622, 644, 644, 152, 622, 678, 152, 622, 152, 76, 152, 152, 644, 622, 152, 152, 678,
  ],
  topPAll: [
    24, 76, 977, 678, 504, 394, 475, 255, 551, 707, 265, 148, 729, 498, 183, 371, 297, 514, 304, 985, 262, 879, 178, 139, 148, 295, 527, 729, 87, 904, 551, 635,
  ],
  penalties: [
    634, 76, 707, 644, 475, 918, 154, 635, 262, 208, 123, 678, 886, 377, 287, 837, 321, 391, 457, 27, 634, 440, 483, 152, 663, 998, 426, 809, 399, 729, 645,
    707,
  ],
  noTruncation: [
    498, 511, 620, 592, 839, 514, 92, 511, 620, 445, 480, 837, 400, 662, 670, 152, 160, 282, 389, 374, 581, 132, 606, 580, 399, 837, 773, 734, 321, 634, 262,
    72,
  ],
};
