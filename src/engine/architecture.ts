/**
 * One small interface per model family: which tensors a block has, how RoPE
 * pairs dimensions, and the block's forward pass over named steps. Adding an
 * architecture is one more file registered in `ARCHITECTURES`.
 */
import { GgufPagerError } from '../core/errors.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { BlockWeights, Steps } from './steps.ts';
import { llama } from './llama.ts';
import { qwen2 } from './qwen2.ts';

/** ggml_rope modes: adjacent pairs (llama) or halves (NeoX: qwen2). */
export const ROPE_NORMAL = 0;
export const ROPE_NEOX = 2;

export interface Architecture {
  /** `general.architecture` values this file implements. */
  readonly names: readonly string[];
  readonly ropeMode: number;
  /** Tensors every block must hold (short names, `attn_q.weight`). */
  readonly blockTensors: readonly string[];
  /** One block, top to bottom, on the batch in `s`. */
  block(s: Steps, layer: number, w: BlockWeights): void;
}

export const ARCHITECTURES: readonly Architecture[] = [llama, qwen2];

export function architectureName(model: GgufModel): string {
  const a = model.metadata.get('general.architecture');
  return typeof a === 'string' ? a : 'unknown';
}

/** The architecture of `model`, or undefined when none implements it. */
export function findArchitecture(model: GgufModel): Architecture | undefined {
  const name = architectureName(model);
  return ARCHITECTURES.find((a) => a.names.includes(name));
}

/** Like findArchitecture, but UNSUPPORTED_ARCHITECTURE naming the model's architecture and the supported ones. */
export function architectureOf(model: GgufModel, label: string): Architecture {
  const a = findArchitecture(model);
  if (a) return a;
  const name = architectureName(model);
  throw new GgufPagerError('UNSUPPORTED_ARCHITECTURE',
    `${label}: architecture '${name}' cannot generate (supported: ${ARCHITECTURES.flatMap((x) => x.names).join(', ')})`, { architecture: name });
}
