/**
 * Re-encoding a GGUF held in memory (e.g. stories260K.gguf to F16, Q8_0 or
 * Q4_0): each 2-D tensor whose rows are a multiple of the target's block is
 * dequantized and quantized again by the reference code; 1-D tensors and
 * rows that do not fit (stories260K's ffn_down, 172 wide) stay as they are.
 */
import { MemorySource } from '../sources/memory.ts';
import { parseGguf } from '../gguf/parse.ts';
import { dequantizeRow, type QuantType } from './quantize/index.ts';
import { realModelPlan, reencodePlan, type RealModelRecipe } from './synthetic-real.ts';
import type { ModelPlan } from './model-plan.ts';
import { metadataEntries, type MetadataEntry } from './write.ts';

/** Metadata entries (with their types) of a GGUF in memory. */
export async function ggufEntries(bytes: Uint8Array, name = 'memory'): Promise<MetadataEntry[]> {
  return metadataEntries(await parseGguf(new MemorySource(bytes, name)));
}

export async function reencodeGguf(bytes: Uint8Array, type: QuantType, name = 'memory'): Promise<ModelPlan> {
  const model = await parseGguf(new MemorySource(bytes, name));
  const byName = new Map(model.tensors.map((t) => [t.name, t]));
  const read = (tensor: string): Float32Array => {
    const t = byName.get(tensor)!;
    const n = t.dims.reduce((a, b) => a * b, 1);
    return dequantizeRow(t.type, bytes.subarray(t.offset, t.offset + t.size), n);
  };
  return reencodePlan(metadataEntries(model), model.tensors, read, type);
}

/** The plan of a recipe whose tokenizer comes from the GGUF bytes `tokenizerGguf`. */
export async function realModelFromTokenizerGguf(recipe: RealModelRecipe, tokenizerGguf: Uint8Array): Promise<ModelPlan> {
  return realModelPlan(recipe, await ggufEntries(tokenizerGguf, recipe.tokenizer));
}
