import { afterAll, describe, expect, it } from 'vitest';
import type { Standalone } from '../../src/engine/standalone.ts';
import { greedy, openReference, reference } from '../cases/gen-models.ts';

/**
 * Compute threads split work, not meaning: on the engine reference tests' llama and qwen2 models,
 * 2, 3 and 4 threads give the ids and every position's logits of 1 thread, bit for bit, with every
 * matmul and attention split (minSplitBytes 0), the weights resident and at a 25 % weight budget.
 */
const CASES = ['llama-F32', 'llama-Q8_0', 'llama-Q4_0', 'llama-Q4_K_M', 'qwen2-F32-kvf32', 'qwen2-Q8_0', 'qwen2-Q4_K'];
const THREADS = [2, 3, 4];
const GENERATE = 6;

const open: Standalone[] = [];
afterAll(async () => { for (const s of open) await s.dispose(); });

async function run(name: string, threads: number, quarter: boolean): Promise<{ ids: number[]; logits: Float32Array[]; count: number }> {
  const ref = reference(name);
  const full = ref.model.size;
  const s = await openReference(ref, { threads, threadOptions: { minSplitBytes: 0 }, ...(quarter ? { weightBudget: Math.ceil(full / 4) } : {}) });
  open.push(s);
  const out = await greedy(s, ref.promptIds, GENERATE);
  const count = s.core.threads.count;
  await s.dispose();
  return { ...out, count };
}

describe.each(CASES)('%s', (name) => {
  for (const quarter of [false, true]) {
    it(`computes the same ids and logits bit for bit at 1..4 threads (${quarter ? '25 % budget' : 'resident'})`, async () => {
      const one = await run(name, 1, quarter);
      for (const n of THREADS) {
        const many = await run(name, n, quarter);
        expect(many.count, `threads computing at ${n}`).toBe(n);
        expect(many.ids).toEqual(one.ids);
        expect(many.logits.length).toBe(one.logits.length);
        for (let p = 0; p < one.logits.length; p++) {
          const a = new Uint32Array(one.logits[p].buffer), b = new Uint32Array(many.logits[p].buffer);
          expect(Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer)), `${name} at ${n} threads, position ${p}`).toBe(0);
        }
      }
    });
  }
});
