/**
 * Compute threads in a cross-origin-isolated Chromium page (the test server sends COOP/COEP):
 * the page is isolated, the runtime computes on the threads asked for and gives llama.cpp's
 * greedy text; and the engine in the page gives the same logits bit for bit at 1, 2, 3 and 4
 * threads on the synthetic llama and qwen2 models (F32, Q8_0, Q4_0, Q4_K_M; resident, and paged under
 * half the weights: one of these two-block models' blocks is more than a quarter).
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { openStandalone } from '../../src/engine/standalone.ts';
import { realModelFromTokenizerGguf } from '../../src/authoring/reencode.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { unique } from '../servers/urls.ts';
import stories from '../vectors/llama/stories260K-F32-kvf16.json';
import llamaQ8 from '../vectors/llama/llama-Q8_0.json';
import qwenQ8 from '../vectors/llama/qwen2-Q8_0.json';

const MiB = 2 ** 20;
let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.dispose();
  rt = undefined;
});

const storiesUrl = () => `${inject('rangeBase')}/stories260K.gguf?t=${unique()}`;

it("runs in a cross-origin-isolated page: the runtime computes on 2 threads and gives llama.cpp's greedy text", async () => {
  expect(crossOriginIsolated).toBe(true);
  rt = await createRuntime({ budget: 8 * MiB, threads: 2 });
  expect(rt.threadsReason).toBeNull();
  expect(rt.threads).toBe(2);
  const model = await rt.load(storiesUrl(), { cache: 'none' });
  const r = await model.generate(stories.prompt, { maxTokens: 32, temperature: 0, ignoreEog: true });
  expect(r.tokens).toEqual(stories.greedyIds);
  expect(r.text).toBe(stories.greedyText);
}, 60_000);

it("'auto' computes on one thread per core (at most 8) in an isolated page", async () => {
  rt = await createRuntime({ budget: 8 * MiB });
  expect(rt.threads).toBe(Math.min(navigator.hardwareConcurrency, 8));
}, 60_000);

let tokenizer: Uint8Array | undefined;
async function modelBytes(recipe: RealModelRecipe, weights: string): Promise<Uint8Array> {
  tokenizer ??= new Uint8Array(await (await fetch(storiesUrl(), { cache: 'no-store' })).arrayBuffer());
  return planBytes(await realModelFromTokenizerGguf({ ...recipe, weights } as RealModelRecipe, tokenizer));
}

/** Every position's logits of the prompt and 2 fed-back greedy ids, on `threads` threads (every op split, every share left to its worker). */
async function logitsAt(bytes: Uint8Array, threads: number, ramBytes?: number): Promise<{ bits: Uint8Array[]; count: number }> {
  const s = await openStandalone([new MemorySource(bytes, 'm.gguf')], {
    threads,
    threadOptions: { minSplitBytes: 0, claimWaitMs: 2000 },
    ...(ramBytes ? { ramBytes } : {}),
  });
  const bits: Uint8Array[] = [];
  const sink = (_: number, l: Float32Array) => {
    bits.push(new Uint8Array(l.slice().buffer));
  };
  let last = await s.engine.forward.run(qwenQ8.promptIds, undefined, sink);
  for (let i = 0; i < 2; i++) {
    let best = 0;
    for (let j = 1; j < last.length; j++) if (last[j] > last[best]) best = j;
    last = await s.engine.forward.run([best], undefined, sink);
  }
  const count = s.core.threads.count;
  await s.dispose();
  return { bits, count };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe.each([
  ['llama', llamaQ8],
  ['qwen2', qwenQ8],
] as const)('%s in the page', (_, ref) => {
  for (const weights of ['F32', 'Q8_0', 'Q4_0', 'Q4_K_M']) {
    it(`${weights}: the same logits bit for bit at 1, 2, 3 and 4 threads, resident and paged`, async () => {
      const bytes = await modelBytes(ref.model.recipe as RealModelRecipe, weights);
      for (const budget of [undefined, Math.ceil(bytes.length / 2)]) {
        const one = await logitsAt(bytes, 1, budget);
        for (const n of [2, 3, 4]) {
          const many = await logitsAt(bytes, n, budget);
          expect(many.count).toBe(n);
          expect(many.bits.length).toBe(one.bits.length);
          many.bits.forEach((b, p) => expect(same(b, one.bits[p]), `${weights} at ${n} threads, position ${p}, budget ${budget ?? 'resident'}`).toBe(true));
        }
      }
    }, 120_000);
  }
});
