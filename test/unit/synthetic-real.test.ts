import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { realModelFromTokenizerGguf, reencodeGguf } from '../../src/authoring/reencode.ts';
import { mixType, normalish, type RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';

const stories = () => new Uint8Array(readFileSync(fixturePath('models/stories260K.gguf')));
const recipe = (extra: Partial<RealModelRecipe> = {}): RealModelRecipe => ({
  arch: 'llama',
  blocks: 2,
  embd: 64,
  ff: 128,
  heads: 4,
  headsKv: 2,
  weights: 'Q8_0',
  seed: 5,
  tokenizer: 'models/stories260K.gguf',
  ...extra,
});
const parse = async (plan: Parameters<typeof planBytes>[0]) => parseGguf(new MemorySource(planBytes(plan)));

describe('synthetic models with realistic weights', () => {
  it('draws normal-ish values: mean 0, the asked std, bounded tails, the same for the same seed', () => {
    const x = normalish(42, 100_000, 0.5);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeCloseTo(0.5, 2);
    expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(0.5 * 2 * Math.sqrt(3));
    expect(normalish(42, 8, 1)).toEqual(normalish(42, 8, 1));
    expect(normalish(43, 8, 1)).not.toEqual(normalish(42, 8, 1));
  });

  it('writes a llama model with the tokenizer of stories260K and weights of the asked type (norms in F32)', async () => {
    const m = await parse(await realModelFromTokenizerGguf(recipe(), stories()));
    expect(m.metadata.get('general.architecture')).toBe('llama');
    expect(m.metadata.get('llama.attention.head_count_kv')).toBe(2);
    expect((m.metadata.get('tokenizer.ggml.tokens') as string[]).length).toBe(512);
    expect(m.tensors.find((t) => t.name === 'blk.1.ffn_down.weight')).toMatchObject({ typeName: 'Q8_0', dims: [128, 64] });
    expect(m.tensors.find((t) => t.name === 'output_norm.weight')?.typeName).toBe('F32');
    expect(m.tensors.map((t) => t.name)).toContain('output.weight');
  });

  it('mixes Q4_K with Q6_K for attn_v, ffn_down and output in Q4_K_M', async () => {
    expect(
      ['blk.0.attn_q.weight', 'blk.0.attn_v.weight', 'blk.3.ffn_down.weight', 'output.weight', 'token_embd.weight'].map((n) => mixType('Q4_K_M', n)),
    ).toEqual(['Q4_K', 'Q6_K', 'Q6_K', 'Q6_K', 'Q4_K']);
    const m = await parse(await realModelFromTokenizerGguf(recipe({ embd: 256, ff: 512, weights: 'Q4_K_M' }), stories()));
    expect(m.metadata.get('general.file_type')).toBe(15);
    expect(m.tensors.find((t) => t.name === 'blk.0.attn_v.weight')?.typeName).toBe('Q6_K');
    expect(m.tensors.find((t) => t.name === 'blk.0.ffn_up.weight')?.typeName).toBe('Q4_K');
  });

  it('gives qwen2 its q/k/v biases and rope base, and drops output.weight when embeddings are tied', async () => {
    const m = await parse(await realModelFromTokenizerGguf(recipe({ arch: 'qwen2', tiedEmbeddings: true }), stories()));
    expect(m.metadata.get('qwen2.rope.freq_base')).toBe(1e6);
    expect(m.tensors.filter((t) => t.name.startsWith('blk.0.') && t.name.endsWith('.bias')).map((t) => [t.name, t.dims[0]])).toEqual([
      ['blk.0.attn_q.bias', 64],
      ['blk.0.attn_k.bias', 32],
      ['blk.0.attn_v.bias', 32],
    ]);
    expect(m.tensors.map((t) => t.name)).not.toContain('output.weight');
  });

  it('refuses a shape the weight type cannot hold, naming the tensor and the block', async () => {
    await expect(realModelFromTokenizerGguf(recipe({ weights: 'Q4_K' }), stories())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/attn_q\.weight rows of 64 .* Q4_K block \(256\)/),
    });
  });

  it('re-encodes stories260K to Q8_0 keeping the 172-wide ffn_down rows and the norms in F32', async () => {
    const m = await parse(await reencodeGguf(stories(), 'Q8_0'));
    expect(m.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')?.typeName).toBe('F32');
    expect(m.tensors.find((t) => t.name === 'blk.0.ffn_up.weight')?.typeName).toBe('Q8_0');
    expect(m.tensors.find((t) => t.name === 'blk.0.attn_norm.weight')?.typeName).toBe('F32');
    expect(m.metadata.get('general.file_type')).toBe(7);
    const f16 = await parse(await reencodeGguf(stories(), 'F16'));
    expect(f16.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')?.typeName).toBe('F16');
  });
});
