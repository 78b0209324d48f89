/**
 * Generation through the worker runtime in real Chromium: stories260K gives
 * llama.cpp's text, streamed; abort and prefix reuse work across the worker
 * boundary; and the memory invariant holds while a model four times the
 * budget generates (Wasm memory constant, resident ≤ budget, flat page heap).
 */
import { afterEach, expect, inject, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { unique } from '../servers/urls.ts';
import { GENERATING_MODEL } from '../servers/model-list.ts';
import { SAMPLED } from '../cases/gen-sampled.ts';
import stories from '../vectors/llama/stories260K-F32-kvf16.json';

const MiB = 2 ** 20;
let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.dispose();
  rt = undefined;
});

async function pageHeapUsed(): Promise<number> {
  const session = cdp();
  await session.send('HeapProfiler.collectGarbage');
  const { metrics } = (await session.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
}

const storiesUrl = () => `${inject('rangeBase')}/stories260K.gguf?t=${unique()}`;

it("streams llama.cpp's greedy text for stories260K from the worker, in batches of pieces", async () => {
  rt = await createRuntime({ budget: 8 * MiB });
  const model = await rt.load(storiesUrl(), { cache: 'none' });
  expect(model.info.canGenerate).toBe(true);
  expect(model.info.architecture).toBe('llama');
  const run = model.generate(stories.prompt, { maxTokens: 32, temperature: 0, ignoreEog: true });
  const pieces: string[] = [];
  for await (const p of run) pieces.push(p.text);
  const r = await run.result;
  expect(r.tokens).toEqual(stories.greedyIds);
  expect(r.text).toBe(stories.greedyText);
  expect(pieces.join('')).toBe(stories.greedyText);
  expect(r.stopReason).toBe('maxTokens');
  expect(await model.tokenize(stories.prompt)).toEqual(stories.promptIds);
  const s = await model.stats();
  expect(s.generatedTokens).toBe(32);
  expect(s.tokensPerSecond).toBeGreaterThan(0);
}, 60_000);

it('samples the same ids as Node for the same seed', async () => {
  rt = await createRuntime({ budget: 8 * MiB });
  const model = await rt.load(storiesUrl(), { cache: 'none' });
  const r = await model.generate(SAMPLED.prompt, { ...SAMPLED.options });
  expect(r.tokens).toEqual(SAMPLED.ids);
}, 60_000);

it('stops on an AbortSignal with the reason abort, and reuses the cached prefix in a second chat turn', async () => {
  rt = await createRuntime({ budget: 8 * MiB });
  const model = await rt.load(storiesUrl(), { cache: 'none' });
  const ac = new AbortController();
  let seen = 0;
  const aborted = await model.generate(stories.prompt, {
    maxTokens: 1000,
    temperature: 0.8,
    seed: 3,
    ignoreEog: true,
    signal: ac.signal,
    onToken: () => {
      if (++seen === 1) ac.abort();
    },
  });
  expect(aborted.stopReason).toBe('abort');
  expect(aborted.generatedTokens).toBeLessThan(1000);

  await model.reset();
  const history = [{ role: 'user', content: 'Tell me about Lily.' }];
  const first = await model.chat(history, { maxTokens: 8, temperature: 0 });
  expect(first.promptTokensProcessed).toBe(first.promptTokens);
  const second = await model.chat([...history, { role: 'assistant', content: first.text }, { role: 'user', content: 'And then?' }], {
    maxTokens: 8,
    temperature: 0,
  });
  expect(second.promptTokensProcessed).toBeLessThan(second.promptTokens);
  expect(second.promptTokens - second.promptTokensProcessed).toBeGreaterThanOrEqual(first.promptTokens - 1);
}, 60_000);

it('generates 16 tokens from a model four times the budget: constant Wasm memory, resident <= budget, flat page heap', async () => {
  const size = inject('models').synthetic[GENERATING_MODEL.name];
  const BUDGET = Math.floor(size / 4);
  await cdp().send('Performance.enable');
  rt = await createRuntime({ budget: BUDGET, kvBytes: 256 * 1024 });
  const memoryAtStart = (await rt.stats()).memoryBytes;
  const heapBefore = await pageHeapUsed();
  const model = await rt.load(`${inject('rangeBase')}/${GENERATING_MODEL.name}?t=${unique()}`, { cache: 'none', policy: { kind: 'budget', ramBytes: BUDGET } });
  expect(model.info.canGenerate).toBe(true);
  expect(model.info.totalBytes).toBeGreaterThan(3.9 * BUDGET);
  const memorySeen = new Set<number>();
  let maxResident = 0;
  const poll = setInterval(
    () =>
      void rt!.stats().then((s) => {
        memorySeen.add(s.memoryBytes);
        for (const m of s.models) maxResident = Math.max(maxResident, m.residentBytes + m.loadingBytes);
      }),
    20,
  );
  const r = await model.generate('Once upon a time', { maxTokens: 16, temperature: 0, ignoreEog: true });
  clearInterval(poll);
  memorySeen.add((await rt.stats()).memoryBytes);
  const st = await model.stats();
  const heapAfter = await pageHeapUsed();
  expect(r.generatedTokens).toBe(16);
  expect(r.bytesLoadedPerToken).toBeGreaterThan(size / 2); // every token streams most of the model again
  expect([...memorySeen]).toEqual([memoryAtStart]);
  expect(maxResident).toBeLessThanOrEqual(BUDGET);
  expect(st.maxResidentBytes).toBeLessThanOrEqual(BUDGET);
  expect(heapAfter - heapBefore, `page JS heap grew from ${heapBefore} to ${heapAfter}`).toBeLessThan(32 * MiB);
}, 120_000);
