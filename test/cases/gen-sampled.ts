/**
 * One sampled generation recorded in Node (stories260K, f16 KV, "Once upon a time",
 * temperature 0.8, topK 40, topP 0.95, seed 7, 24 tokens): the Node test and the
 * Chromium test both generate it live and must both get these ids.
 */
export const SAMPLED = {
  prompt: 'Once upon a time',
  options: { maxTokens: 24, temperature: 0.8, topK: 40, topP: 0.95, seed: 7, ignoreEog: true },
  ids: [432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 269, 344, 444],
} as const;
