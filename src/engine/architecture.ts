/**
 * The registry of model families. Each is one declarative file in ./arch/
 * (its hparams keys, per-block tensors with shapes, features and block; see
 * ./arch/types.ts); adding an architecture is one more file listed here.
 */
import { GgufPagerError } from '../errors.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { Architecture } from './arch/types.ts';
import { bert } from './arch/bert.ts';
import { gemma2 } from './arch/gemma2.ts';
import { gemma3 } from './arch/gemma3.ts';
import { llama } from './arch/llama.ts';
import { phi3 } from './arch/phi3.ts';
import { qwen2 } from './arch/qwen2.ts';
import { qwen3 } from './arch/qwen3.ts';

export type { Architecture } from './arch/types.ts';

export const ARCHITECTURES: readonly Architecture[] = [llama, qwen2, qwen3, gemma2, gemma3, phi3, bert];

export function architectureName(model: GgufModel): string {
  const a = model.metadata.get('general.architecture');
  return typeof a === 'string' ? a : 'unknown';
}

/** The declaration of architecture `name`, or undefined. */
export function architectureByName(name: string): Architecture | undefined {
  return ARCHITECTURES.find((a) => a.names.includes(name));
}

/** The architecture of `model`, or undefined when none implements it. */
export function findArchitecture(model: GgufModel): Architecture | undefined {
  return architectureByName(architectureName(model));
}

/** Like findArchitecture, but UNSUPPORTED_ARCHITECTURE naming the model's architecture and the supported ones. */
export function architectureOf(model: GgufModel, label: string): Architecture {
  const a = findArchitecture(model);
  if (a) return a;
  const name = architectureName(model);
  throw new GgufPagerError(
    'UNSUPPORTED_ARCHITECTURE',
    `${label}: architecture '${name}' cannot generate (supported: ${ARCHITECTURES.flatMap((x) => x.names).join(', ')})`,
    { architecture: name },
  );
}
