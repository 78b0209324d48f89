import { afterAll, describe, expect, it } from 'vitest';
import type { Standalone } from '../../src/engine/standalone.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { realModelFromTokenizerGguf } from '../../src/authoring/reencode.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { openStandalone, type StandaloneOptions } from '../../src/engine/standalone.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';
import { readFileSync } from 'node:fs';
import { greedy, modelBytes, reference } from '../cases/gen-models.ts';
import { FAMILY_REFERENCES, familyReference } from '../cases/family-vectors.ts';

/**
 * Compute threads split work, not meaning: on the engine reference tests' llama and qwen2 models and the gemma2 and phi3 references,
 * 2, 3 and 4 threads give the ids and every position's logits of 1 thread, bit for bit, with every
 * matmul and attention split (minSplitBytes 0) and every share left to its worker (claimWaitMs), the weights resident and paged under a quarter of
 * their bytes (these models are 2 blocks, so where one block's tensors are more than a quarter, the
 * budget is that block: the pager then evicts and reloads every block on every token).
 */
const CASES = [
  'llama-F32',
  'llama-Q8_0',
  'llama-Q4_0',
  'llama-Q4_K_M',
  'qwen2-F32-kvf32',
  'qwen2-Q8_0',
  'qwen2-Q4_0',
  'qwen2-Q4_K_M',
  // the families added since: windows, soft-caps and GeGLU (gemma2), fused qkv, partial rotary and LongRoPE (phi3)
  'gemma2-Q4_K-kvf32',
  'phi3-F32-kvf32',
];

/** The reference's model, or (qwen2 Q4_0 / Q4_K_M, which have no llama.cpp reference) qwen2-Q8_0's recipe with those weights. */
async function bytesOf(name: string): Promise<Uint8Array> {
  if (FAMILY_REFERENCES.includes(name)) return modelBytes(familyReference(name));
  const m = /^qwen2-(Q4_0|Q4_K_M)$/.exec(name);
  if (!m) return modelBytes(reference(name));
  const recipe = { ...(reference('qwen2-Q8_0').model.recipe as RealModelRecipe), weights: m[1] } as RealModelRecipe;
  return planBytes(await realModelFromTokenizerGguf(recipe, new Uint8Array(readFileSync(fixturePath(recipe.tokenizer)))));
}

/** The reference's prompt (a family model's vocabulary differs from llama's and qwen2's). */
const promptOf = (name: string): number[] => (FAMILY_REFERENCES.includes(name) ? familyReference(name) : reference('qwen2-Q8_0')).promptIds;
const THREADS = [2, 3, 4];
const GENERATE = 3;

const open: Standalone[] = [];
afterAll(async () => {
  for (const s of open) await s.dispose();
});

async function run(
  name: string,
  threads: number,
  quarter: boolean,
): Promise<{ ids: number[]; logits: Float32Array[]; count: number; paged: number; workerShares: number }> {
  const opts: StandaloneOptions = {
    threads,
    threadOptions: { minSplitBytes: 0, claimWaitMs: 2000, spinMs: 0 },
    ...(quarter ? { ramBytes: await quarterBudget(name) } : {}),
  };
  const s = await openStandalone([new MemorySource(await bytesOf(name), `${name}.gguf`)], { kvType: name.includes('kvf32') ? 'f32' : 'f16', ...opts });
  open.push(s);
  const out = await greedy(s, promptOf(name), GENERATE);
  const count = s.core.threads.count;
  const c = s.core.threads.parallel?.pool.counts;
  const workerShares = c ? c.chunks - c.ownChunks : 0;
  const paged = s.pager.stats().bytesLoaded;
  await s.dispose();
  return { ...out, count, paged, workerShares };
}

/** A quarter of the weights' bytes, or the largest block's tensors when they are more. */
async function quarterBudget(name: string): Promise<number> {
  const model = await parseGguf(new MemorySource(await bytesOf(name), `${name}.gguf`));
  const blocks = new Map<string, number>();
  let total = 0;
  for (const t of model.tensors) {
    total += t.size;
    const b = /^blk\.(\d+)\./.exec(t.name)?.[1];
    if (b !== undefined) blocks.set(b, (blocks.get(b) ?? 0) + t.size + 64);
  }
  return Math.max(Math.ceil(total / 4), ...blocks.values());
}

describe.each(CASES)('%s', (name) => {
  for (const quarter of [false, true]) {
    it(`computes the same ids and logits bit for bit at 1..4 threads (${quarter ? '25 % budget' : 'resident'})`, async () => {
      const one = await run(name, 1, quarter);
      for (const n of THREADS) {
        const many = await run(name, n, quarter);
        expect(many.count, `threads computing at ${n}`).toBe(n);
        expect(many.workerShares, 'shares the compute workers ran').toBeGreaterThan(0);
        expect(many.paged, 'bytes the pager loaded').toBe(one.paged);
        expect(many.ids).toEqual(one.ids);
        expect(many.logits.length).toBe(one.logits.length);
        for (let p = 0; p < one.logits.length; p++) {
          const a = new Uint32Array(one.logits[p].buffer),
            b = new Uint32Array(many.logits[p].buffer);
          expect(Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer)), `${name} at ${n} threads, position ${p}`).toBe(0);
        }
      }
    }, 300_000); // 4 thread counts × a model each: ~10 s on a quiet machine, several times that on a loaded one
  }
});
