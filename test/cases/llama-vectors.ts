/**
 * llama.cpp's reference outputs (test/vectors/llama/*.json, written by
 * scripts/make-llama-reference.mjs) and the exact model each was recorded on,
 * rebuilt from its recipe: `llamaVectorModel(v)` gives the GGUF bytes whose
 * sha256 is `v.model.sha256` (Node: reads the shared fixtures).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { planBytes } from '../../src/authoring/model-plan.ts';
import type { QuantType } from '../../src/authoring/quantize/index.ts';
import { realModelFromTokenizerGguf, reencodeGguf } from '../../src/authoring/reencode.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { fixturePath } from './fixtures-dir.ts';

export type LlamaVectorRecipe = RealModelRecipe | { reencode: string; type: QuantType } | { fixture: string };

export interface LlamaVector {
  name: string;
  model: { recipe: LlamaVectorRecipe; sha256: string; size: number };
  runtime: {
    nodeLlamaCpp: string;
    llamaCppRelease?: string;
    threads: number;
    contextSize: number;
    batchSize: number;
    flashAttention: boolean;
    kvType: 'F16' | 'F32';
  };
  prompt: string;
  promptIds: number[];
  /** 32 greedy ids (argmax of the logits row before each). */
  greedyIds: number[];
  greedyText: string;
  vocab: number;
  /** logits[p]: after token p of promptIds ++ greedyIds; promptIds.length + 31 rows of `vocab`, 6 significant digits. */
  logits: number[][];
}

const DIR = new URL('../vectors/llama/', import.meta.url);

export function llamaVectorNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadLlamaVector(name: string): LlamaVector {
  return JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as LlamaVector;
}

const fixtureBytes = (rel: string) => new Uint8Array(readFileSync(fixturePath(rel)));

/** The GGUF bytes the vector was recorded on. */
export async function llamaVectorModel(v: LlamaVector): Promise<Uint8Array> {
  const r = v.model.recipe;
  if ('fixture' in r) return fixtureBytes(r.fixture);
  if ('reencode' in r) return planBytes(await reencodeGguf(fixtureBytes(r.reencode), r.type, r.reencode));
  return planBytes(await realModelFromTokenizerGguf(r, fixtureBytes(r.tokenizer)));
}
