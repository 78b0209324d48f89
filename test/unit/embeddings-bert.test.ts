/**
 * The bert encoder against llama.cpp's embedding context (recorded by
 * scripts/make-embedding-reference.mjs on synthetic bert models of the
 * project's writer with the bge WordPiece vocabulary): cosine ≥ 0.9999 for
 * F32 (cls and mean pooling, from `bert.pooling_type`) and Q8_0; several
 * inputs share a batch without seeing each other; the same vectors at a
 * quarter of the weights' bytes as budget; embeddings through the OpenAI-style
 * API while generation is refused with a reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineBackend } from '../../src/api/engine-backend.ts';
import { createOpenAiApi } from '../../src/api/index.ts';
import { packInputs } from '../../src/engine/forward.ts';
import { openStandalone, type Standalone } from '../../src/engine/standalone.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { modelBytes, type LlamaReference } from '../cases/gen-models.ts';
import { REPO_ROOT } from '../cases/fixtures-dir.ts';

interface BertCase {
  name: string;
  model: { base: RealModelRecipe; sha256: string };
  pooling: 'mean' | 'cls';
  inputs: Array<{ text: string; ids: number[]; embedding: number[] }>;
}
const DIR = `${REPO_ROOT}/test/vectors/embeddings`;
const CASES: BertCase[] = readdirSync(DIR)
  .filter((f) => f.startsWith('bert-') && f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`${DIR}/${f}`, 'utf8')) as BertCase);

const bytesOf = (c: BertCase): Promise<Uint8Array> =>
  modelBytes({ name: c.name, model: { recipe: c.model.base, sha256: c.model.sha256 } } as unknown as LlamaReference);
const open = async (c: BertCase, opts: { ramBytes?: number; batchSize?: number; contextLength?: number } = {}): Promise<Standalone> =>
  openStandalone([new MemorySource(await bytesOf(c), `${c.name}.gguf`)], { kvType: 'f32', ...opts });

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
const byName = (n: string): BertCase => CASES.find((c) => c.name === n)!;
const idsOf = (c: BertCase): number[][] => c.inputs.map((i) => i.ids);

describe('bert embeddings match llama.cpp', () => {
  expect(CASES.map((c) => c.name).sort()).toEqual(['bert-F32-cls', 'bert-F32-mean', 'bert-Q8_0-mean']);
  for (const c of CASES) {
    it(`${c.name}: cosine ≥ 0.9999 for every input, the pooling from bert.pooling_type, the tokenizer's [CLS] … [SEP]`, async () => {
      const s = await open(c);
      try {
        const { vectors } = await s.engine.embed(idsOf(c));
        for (let i = 0; i < c.inputs.length; i++) {
          const cos = cosine(vectors[i], c.inputs[i].embedding);
          expect(cos, `${c.name} input ${i}: cosine ${cos}`).toBeGreaterThanOrEqual(0.9999);
          expect(Math.hypot(...vectors[i])).toBeCloseTo(1, 6);
        }
        expect(c.inputs.map((i) => s.engine.tokenize(i.text))).toEqual(idsOf(c));
        expect(s.engine.cachedTokens).toHaveLength(0);
      } finally {
        await s.dispose();
      }
    });
  }

  it('inputs packed into one batch do not see each other: the same vectors as batches of one input each', async () => {
    expect(packInputs([[1, 2], [3], [4, 5, 6], [7]], 4)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    const c = byName('bert-F32-mean');
    const together = await open(c);
    const alone = await open(c, { batchSize: 23 }); // the longest input: every batch holds one input, or two short ones
    const short = await open(c, { contextLength: 32 }); // a context below the packing size bounds the batches
    try {
      const a = (await together.engine.embed(idsOf(c))).vectors;
      const b = (await alone.engine.embed(idsOf(c))).vectors;
      const d = (await short.engine.embed(idsOf(c))).vectors;
      const solo = [];
      for (const ids of idsOf(c)) solo.push((await together.engine.embed([ids])).vectors[0]);
      for (let i = 0; i < a.length; i++) {
        expect(cosine(a[i], solo[i])).toBeGreaterThan(0.999999);
        expect(cosine(a[i], b[i])).toBeGreaterThan(0.999999);
        expect(cosine(a[i], d[i])).toBeGreaterThan(0.999999);
      }
      await expect(alone.engine.embed([new Array<number>(24).fill(1000)])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'input[0]' } });
    } finally {
      await together.dispose();
      await alone.dispose();
      await short.dispose();
    }
  });

  it("gives the same vectors at a quarter of the weights' bytes as budget (paging)", async () => {
    const c = byName('bert-Q8_0-mean');
    const full = await open(c);
    const total = full.model.totalTensorBytes;
    const want = await full.engine.embed(idsOf(c));
    await full.dispose();
    // a quarter of the bytes: token_embd is most of them and its rows are read from the source, never paged in
    const quarter = await open(c, { ramBytes: Math.ceil(total / 4) });
    try {
      expect((await quarter.engine.embed(idsOf(c))).vectors).toEqual(want.vectors);
    } finally {
      await quarter.dispose();
    }
    // and a budget that really pages: the global tables and one and a half blocks, for three blocks
    const t = full.model.tensors;
    const bytes = (f: (n: string) => boolean): number => t.filter((x) => f(x.name)).reduce((a, x) => a + x.size, 0);
    const globals = bytes((n) => !n.startsWith('blk.') && n !== 'token_embd.weight');
    const block = bytes((n) => n.startsWith('blk.0.'));
    expect(globals + 1.5 * block).toBeLessThan(total / 4);
    const small = await open(c, { ramBytes: Math.ceil(globals + 1.5 * block) });
    try {
      const got = await small.engine.embed(idsOf(c));
      expect(got.vectors).toEqual(want.vectors);
      expect(small.pager.stats().evictions).toBeGreaterThan(0);
    } finally {
      await small.dispose();
    }
  });

  it('embeddings.create works while generation is refused with the reason', async () => {
    const c = byName('bert-F32-cls');
    const s = await open(c);
    try {
      expect(s.engine.canGenerate).toBe(false);
      await expect(s.engine.generate('hello', { maxTokens: 2 })).rejects.toMatchObject({
        code: 'UNSUPPORTED_ARCHITECTURE',
        message: expect.stringContaining('encoder'),
      });
      const api = createOpenAiApi(engineBackend(s.engine));
      const r = await api.embeddings.create({ input: c.inputs.map((i) => i.text) });
      for (let i = 0; i < c.inputs.length; i++) expect(cosine(r.data[i].embedding, c.inputs[i].embedding)).toBeGreaterThanOrEqual(0.9999);
      const n = c.inputs.reduce((a, i) => a + i.ids.length, 0);
      expect(r.usage).toEqual({ prompt_tokens: n, total_tokens: n });
    } finally {
      await s.dispose();
    }
  });
});
