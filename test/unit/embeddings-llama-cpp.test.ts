/**
 * Pooled sentence embeddings against llama.cpp's embedding context (recorded
 * by scripts/make-embedding-reference.mjs): cosine ≥ 0.9999 on F32 models
 * (stories260K with last, mean and cls pooling; a synthetic llama with mean
 * pooling), the pooling taken from `llama.pooling_type`, the same vectors at a
 * quarter of the weights' bytes as budget, and through the OpenAI-style API.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineBackend } from '../../src/api/engine-backend.ts';
import { createOpenAiApi } from '../../src/api/index.ts';
import { openStandalone, type Standalone } from '../../src/engine/standalone.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { withMetadata } from '../../src/authoring/with-metadata.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { modelBytes, reference } from '../cases/gen-models.ts';
import { fixturePath, REPO_ROOT } from '../cases/fixtures-dir.ts';

interface EmbedCase {
  name: string;
  model: { base: { fixture?: string }; poolingType: number | null; sha256: string };
  pooling: 'mean' | 'cls' | 'last';
  inputs: Array<{ text: string; ids: number[]; embedding: number[] }>;
}
const DIR = `${REPO_ROOT}/test/vectors/embeddings`;
// the bert encoders' cases have their own test (embeddings-bert.test.ts)
const CASES: EmbedCase[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.startsWith('bert-'))
  .map((f) => JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8')) as EmbedCase);

async function bytesOf(c: EmbedCase): Promise<Uint8Array> {
  const base = c.model.base.fixture ? new Uint8Array(readFileSync(fixturePath(c.model.base.fixture))) : await modelBytes(reference('llama-F32'));
  const bytes = c.model.poolingType === null ? base : planBytes(await withMetadata(base, [['llama.pooling_type', c.model.poolingType, 4]]));
  expect(createHash('sha256').update(bytes).digest('hex'), `${c.name}: rebuilt model differs from the one llama.cpp read`).toBe(c.model.sha256);
  return bytes;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

const open = async (bytes: Uint8Array, ramBytes?: number): Promise<Standalone> =>
  openStandalone([new MemorySource(bytes, 'embed.gguf')], { kvType: 'f16', contextLength: 256, ...(ramBytes ? { ramBytes } : {}) });

describe('pooled embeddings match llama.cpp', () => {
  expect(CASES.map((c) => c.name).sort()).toEqual(['llama-F32-mean', 'stories260K-F32-cls', 'stories260K-F32-last', 'stories260K-F32-mean']);
  for (const c of CASES) {
    it(`${c.name}: cosine ≥ 0.9999 for every input, unit length, pooling from the metadata`, async () => {
      const s = await open(await bytesOf(c));
      try {
        // without a pooling_type the default is mean: llama.cpp's last-token case is asked for explicitly
        const opts = c.model.poolingType === null ? { pooling: c.pooling } : {};
        const { vectors, tokens } = await s.engine.embed(
          c.inputs.map((i) => i.ids),
          opts,
        );
        expect(tokens).toBe(c.inputs.reduce((a, i) => a + i.ids.length, 0));
        for (let i = 0; i < c.inputs.length; i++) {
          const cos = cosine(vectors[i], c.inputs[i].embedding);
          expect(cos, `${c.name} input ${i} (${c.inputs[i].ids.length} tokens): cosine ${cos}`).toBeGreaterThanOrEqual(0.9999);
          expect(Math.hypot(...vectors[i])).toBeCloseTo(1, 6);
        }
        // text in: the tokenizer gives llama.cpp's ids, so the same vectors
        const fromText = await s.engine.embed(
          c.inputs.map((i) => i.text),
          opts,
        );
        for (let i = 0; i < c.inputs.length; i++) expect(cosine(fromText.vectors[i], vectors[i])).toBeGreaterThan(0.999999);
        expect(s.engine.cachedTokens).toHaveLength(0);
      } finally {
        await s.dispose();
      }
    });
  }

  it("gives the same vectors at a quarter of the weights' bytes as budget", async () => {
    const c = CASES.find((x) => x.name === 'stories260K-F32-mean')!;
    const bytes = await bytesOf(c);
    const full = await open(bytes);
    const total = full.model.totalTensorBytes;
    const want = await full.engine.embed(c.inputs.map((i) => i.ids));
    await full.dispose();
    const small = await open(bytes, Math.ceil(total / 4));
    try {
      const got = await small.engine.embed(c.inputs.map((i) => i.ids));
      expect(got.vectors).toEqual(want.vectors);
      // it really paged: weights were evicted and loaded again (a quarter of the bytes cannot hold them all)
      expect(small.pager.stats().evictions).toBeGreaterThan(0);
      expect(small.pager.stats().bytesLoaded).toBeGreaterThan(total / 2);
    } finally {
      await small.dispose();
    }
  });

  it("embeddings.create returns OpenAI's list shape with usage, and generation still works after it", async () => {
    const c = CASES.find((x) => x.name === 'stories260K-F32-mean')!;
    const s = await open(await bytesOf(c));
    try {
      const api = createOpenAiApi(engineBackend(s.engine));
      const before = await s.engine.generate('Once upon a time', { maxTokens: 8, temperature: 0 });
      const r = await api.embeddings.create({ input: c.inputs.map((i) => i.text) });
      expect(r.object).toBe('list');
      expect(r.data.map((d) => [d.object, d.index])).toEqual(c.inputs.map((_, i) => ['embedding', i]));
      for (let i = 0; i < c.inputs.length; i++) expect(cosine(r.data[i].embedding, c.inputs[i].embedding)).toBeGreaterThanOrEqual(0.9999);
      const n = c.inputs.reduce((a, i) => a + i.ids.length, 0);
      expect(r.usage).toEqual({ prompt_tokens: n, total_tokens: n });
      const one = await api.embeddings.create({ input: c.inputs[0].ids, pooling: 'last' });
      expect(one.data).toHaveLength(1);
      const after = await s.engine.generate('Once upon a time', { maxTokens: 8, temperature: 0 });
      expect(after.text).toBe(before.text);
      await expect(api.embeddings.create({ input: 'a', dimensions: 8 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'dimensions' } });
      await expect(api.embeddings.create({ input: 'a', encoding_format: 'base64' })).rejects.toMatchObject({ details: { field: 'encoding_format' } });
    } finally {
      await s.dispose();
    }
  });
});
