/** A GGUF held in memory with some metadata keys set (added or replaced), its tensors unchanged: e.g. a model given `<arch>.pooling_type`. */
import { MemorySource } from '../sources/memory.ts';
import type { ModelPlan } from './model-plan.ts';
import { parseGguf } from '../gguf/parse.ts';
import { metadataEntries, type MetadataEntry } from './write.ts';

export async function withMetadata(bytes: Uint8Array, set: readonly MetadataEntry[], name = 'memory'): Promise<ModelPlan> {
  const model = await parseGguf(new MemorySource(bytes, name));
  const keys = new Set(set.map(([k]) => k));
  return {
    metadata: [...metadataEntries(model).filter(([k]) => !keys.has(k)), ...set],
    tensors: model.tensors.map((t) => ({ name: t.name, type: t.type, dims: t.dims, bytes: () => bytes.subarray(t.offset, t.offset + t.size) })),
  };
}
