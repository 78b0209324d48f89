/**
 * The references exercise real features: the same model with one feature switched off (through its metadata)
 * is far from llama.cpp's logits, while the model as recorded is within the float tolerance
 * (test/unit/engine-families.test.ts). So the windows, the soft-caps, gemma3's local RoPE base and the LongRoPE
 * attention factor all change the result, and are computed as llama.cpp does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openStandalone, type Standalone } from '../../src/engine/standalone.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { ggufEntries } from '../../src/authoring/reencode.ts';
import type { MetadataEntry } from '../../src/authoring/write.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { familyReference } from '../cases/family-vectors.ts';
import { maxAbsDiff, modelBytes } from '../cases/gen-models.ts';

const open: Standalone[] = [];
afterAll(async () => {
  for (const s of open) await s.dispose();
});

/** The worst |Δ logit| from the reference of `name` with metadata keys `edits` (arch prefix added) changed. */
async function distance(name: string, edits: Record<string, number>): Promise<number> {
  const ref = familyReference(name);
  const bytes = await modelBytes(ref);
  const model = await parseGguf(new MemorySource(bytes));
  const arch = String(model.metadata.get('general.architecture'));
  const meta = (await ggufEntries(bytes)).map(
    ([k, v, t]) => [k, k.startsWith(`${arch}.`) && k.slice(arch.length + 1) in edits ? edits[k.slice(arch.length + 1)] : v, t] as MetadataEntry,
  );
  const edited = planBytes({
    metadata: meta,
    tensors: model.tensors.map((t) => ({ name: t.name, type: t.typeName as 'F32', dims: t.dims, bytes: () => bytes.slice(t.offset, t.offset + t.size) })),
  });
  const s = await openStandalone([new MemorySource(edited, `${name}-edited.gguf`)], { contextLength: 256, kvType: 'f32' });
  open.push(s);
  const logits: Float32Array[] = [];
  await s.engine.forward.run([...ref.promptIds, ...ref.greedyIds.slice(0, -1)], undefined, (p, l) => {
    logits[p] = l;
  });
  return Math.max(...ref.logits.map((want, p) => maxAbsDiff(logits[p], want)));
}

describe("the reference models' features bind", () => {
  it("gemma2: without the window, or without either soft-cap, the logits leave llama.cpp's", async () => {
    expect(await distance('gemma2-F32-kvf32', {})).toBeLessThan(1e-3);
    expect(await distance('gemma2-F32-kvf32', { 'attention.sliding_window': 4096 })).toBeGreaterThan(0.02);
    expect(await distance('gemma2-F32-kvf32', { attn_logit_softcapping: 1e6 })).toBeGreaterThan(0.02);
    expect(await distance('gemma2-F32-kvf32', { final_logit_softcapping: 1e6 })).toBeGreaterThan(0.1);
  });

  it("gemma3: without the window, or with the sliding layers' RoPE base as the global one, the logits leave llama.cpp's", async () => {
    expect(await distance('gemma3-F32-kvf32', { 'attention.sliding_window': 4096 })).toBeGreaterThan(0.02);
    expect(await distance('gemma3-F32-kvf32', { 'rope.freq_base_swa': 1e6 })).toBeGreaterThan(0.02);
  });

  it("phi3: without the LongRoPE attention factor the logits leave llama.cpp's", async () => {
    expect(await distance('phi3-F32-kvf32', {})).toBeLessThan(1e-4);
    expect(await distance('phi3-F32-kvf32', { 'rope.scaling.attn_factor': 1 })).toBeGreaterThan(0.02);
  });
});
