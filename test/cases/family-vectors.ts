/**
 * llama.cpp's references for the qwen3, gemma2, gemma3 and phi3 families (test/vectors/families/,
 * recorded by scripts/make-llama-reference.mjs): F32 models with f32 KV, and
 * Q8_0 / Q4_K models whose logits are those of llama.cpp on the F32 twin (the
 * dequantized weights), with llama.cpp's own distance from them in `twin`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from './fixtures-dir.ts';
import type { LlamaReference } from './gen-models.ts';

export interface FamilyReference extends LlamaReference {
  vocab: number;
  /** Quantized cases: the twin llama.cpp's logits come from, and llama.cpp's own max |Δ logit| from them on the quantized file. */
  twin?: { sha256: string; size: number; llamaCppMaxAbsDiff: number; llamaCppRmsDiff: number; llamaCppGreedyIds: number[]; twinGreedyIds: number[] };
}

const DIR = `${REPO_ROOT}/test/vectors/families`;

export const FAMILY_REFERENCES: readonly string[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();

export function familyReference(name: string): FamilyReference {
  return JSON.parse(readFileSync(`${DIR}/${name}.json`, 'utf8')) as FamilyReference;
}

/** The architecture a reference's model declares. */
export const familyOf = (ref: FamilyReference): string => (ref.model.recipe as { arch: string }).arch;
