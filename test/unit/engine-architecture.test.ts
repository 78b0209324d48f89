import { describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { findArchitecture } from '../../src/engine/architecture.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { ggufEntries } from '../../src/authoring/reencode.ts';
import type { MetadataEntry } from '../../src/authoring/write.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { openStandalone } from '../../src/engine/standalone.ts';
import { maxAbsDiff, modelBytes, reference, STORIES } from '../cases/gen-models.ts';

/** stories260K with its metadata passed through `edit` and its tensors through `keep`. */
async function variant(edit: (m: MetadataEntry[]) => MetadataEntry[], keep: (name: string) => boolean = () => true): Promise<Uint8Array> {
  const bytes = await modelBytes(reference(STORIES));
  const model = await parseGguf(new MemorySource(bytes));
  return planBytes({
    metadata: edit(await ggufEntries(bytes)),
    tensors: model.tensors
      .filter((t) => keep(t.name))
      .map((t) => ({
        name: t.name,
        type: t.typeName as 'F32',
        dims: t.dims,
        bytes: () => bytes.slice(t.offset, t.offset + t.size),
      })),
  });
}

const asArch =
  (arch: string) =>
  (m: MetadataEntry[]): MetadataEntry[] =>
    m.map(([k, v, t]) => (k === 'general.architecture' ? [k, arch, t] : [k.replace(/^llama\./, `${arch}.`), v, t]) as MetadataEntry);

describe('architectures', () => {
  it('refuses a model of another architecture with UNSUPPORTED_ARCHITECTURE naming it', async () => {
    const bytes = await variant(asArch('gpt2'));
    expect(findArchitecture(await parseGguf(new MemorySource(bytes)))).toBeUndefined();
    const e = await openStandalone([new MemorySource(bytes, 'gpt2.gguf')]).catch((x) => x);
    expect(isGgufPagerError(e, 'UNSUPPORTED_ARCHITECTURE')).toBe(true);
    expect(e.message).toContain("'gpt2'");
  });

  it('refuses a llama block without its tensors at load with MODEL_INCOMPLETE, naming the tensor', async () => {
    const bytes = await variant(
      (m) => m,
      (n) => n !== 'blk.2.ffn_up.weight',
    );
    const e = await openStandalone([new MemorySource(bytes, 'broken.gguf')]).catch((x) => x);
    expect(isGgufPagerError(e, 'MODEL_INCOMPLETE')).toBe(true);
    expect(e.message).toContain('blk.2.ffn_up.weight');
  });

  it('refuses a tensor whose shape is not the one the declaration derives from the hyper-parameters, naming both', async () => {
    const bytes = await variant((m) => m.map(([k, v, t]) => (k === 'llama.feed_forward_length' ? [k, 176, t] : [k, v, t]) as MetadataEntry));
    const e = await openStandalone([new MemorySource(bytes, 'shape.gguf')]).catch((x) => x);
    expect(isGgufPagerError(e, 'MODEL_INCOMPLETE')).toBe(true);
    expect(e.message).toMatch(/blk\.0\.ffn_gate\.weight is 64×172, the hyper-parameters make it 64×176/);
  });

  it('uses the embeddings as the output head when output.weight is absent (tied embeddings)', async () => {
    const bytes = await variant(
      (m) => m,
      (n) => n !== 'output.weight',
    );
    const s = await openStandalone([new MemorySource(bytes, 'tied.gguf')]);
    const r = await s.engine.generate([1, 403, 407, 261, 378], { maxTokens: 4, temperature: 0, ignoreEog: true });
    expect(r.tokens).toHaveLength(4);
    await s.dispose();
  });
});

describe('llama 3 RoPE frequency factors (rope_freqs.weight)', () => {
  /** stories260K with a rope_freqs tensor of `factors` (nRot / 2 = 4 of them) and extra metadata. */
  async function withRope(extra: MetadataEntry[], factors?: number[]): Promise<Uint8Array> {
    const bytes = await modelBytes(reference(STORIES));
    const model = await parseGguf(new MemorySource(bytes));
    const tensors = model.tensors.map((t) => ({
      name: t.name,
      type: t.typeName as 'F32',
      dims: t.dims,
      bytes: () => bytes.slice(t.offset, t.offset + t.size),
    }));
    if (factors) tensors.push({ name: 'rope_freqs.weight', type: 'F32', dims: [4], bytes: () => new Uint8Array(new Float32Array(factors).buffer) });
    return planBytes({ metadata: [...(await ggufEntries(bytes)), ...extra], tensors });
  }
  async function logitsOf(bytes: Uint8Array): Promise<Float32Array> {
    const s = await openStandalone([new MemorySource(bytes, 'rope.gguf')]);
    try {
      return await s.engine.forward.run([1, 403, 407, 261, 378, 432, 383, 286]);
    } finally {
      await s.dispose();
    }
  }

  it("divides each pair's frequency by its factor: factors of 2 equal linear scaling by 2, factors of 1 change nothing", async () => {
    const plain = await logitsOf(await withRope([]));
    const ones = await logitsOf(await withRope([], [1, 1, 1, 1]));
    const twos = await logitsOf(await withRope([], [2, 2, 2, 2]));
    const linear = await logitsOf(
      await withRope([
        ['llama.rope.scaling.type', 'linear'],
        ['llama.rope.scaling.factor', 2, 6],
      ]),
    );
    expect(maxAbsDiff(ones, plain)).toBe(0);
    expect(maxAbsDiff(twos, plain)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(twos, linear)).toBeLessThan(1e-4);
  });
});
