/**
 * A llama-shaped synthetic model of about a given size: picks the block count
 * (and, for small sizes, the width) so that the file lands near `targetBytes`.
 * Used by the demo's default model, its "make a synthetic model" action, and
 * the tests and benchmarks that need a model larger than the budget.
 */
import { syntheticLlama, type SyntheticLlama, type SyntheticType } from './synthetic.ts';

export interface SizedLlamaOptions {
  type?: SyntheticType;
  seed?: number;
  name?: string;
  /** At least this many blocks (default 4). */
  minBlocks?: number;
}

/** Bytes per parameter of the types this helper offers. */
const BYTES_PER_PARAM: Partial<Record<SyntheticType, number>> = { F32: 4, F16: 2, BF16: 2, Q8_0: 34 / 32, Q4_0: 18 / 32 };

/** Width, feed-forward and vocabulary for a model of about `params` parameters. */
function shape(params: number): { embd: number; ff: number; vocab: number } {
  if (params >= 96e6) return { embd: 1024, ff: 2816, vocab: 8192 };
  if (params >= 24e6) return { embd: 512, ff: 1408, vocab: 4096 };
  return { embd: 256, ff: 704, vocab: 1024 };
}

/**
 * A synthetic llama of about `targetBytes` (dev scripts, benches and the demo's local models).
 * @internal not part of the package's API
 */
export function sizedLlama(targetBytes: number, opts: SizedLlamaOptions = {}): SyntheticLlama {
  const type = opts.type ?? 'Q8_0';
  const bpp = BYTES_PER_PARAM[type] ?? 2;
  const { embd, ff, vocab } = shape(targetBytes / bpp);
  const perBlock = (4 * embd * embd + 3 * embd * ff) * bpp;
  const fixed = 2 * vocab * embd * bpp;
  const blocks = Math.max(opts.minBlocks ?? 4, Math.round((targetBytes - fixed) / perBlock));
  return syntheticLlama({ blocks, embd, ff, vocab, type, seed: opts.seed ?? 1, name: opts.name ?? `synthetic-llama-${Math.round(targetBytes / 2 ** 20)}MiB` });
}
