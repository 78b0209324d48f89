/** The synthetic models the browser tests' range server serves (no Node API: tests import this too). */
import { sizedLlama } from '../../src/gguf/synthetic-size.ts';

/** Name → target size. `big.gguf` is over four times the memory-invariant test's 64 MiB budget. */
export const SYNTHETIC_MODELS = { 'small.gguf': 6 << 20, 'big.gguf': 270 << 20 } as const;
export type SyntheticModelName = keyof typeof SYNTHETIC_MODELS;

/** The generator of a served synthetic model: the same bytes, made anywhere. */
export function servedModel(name: SyntheticModelName) {
  return sizedLlama(SYNTHETIC_MODELS[name], { seed: name.length, name });
}
