/**
 * Invariants 1, 2 and 4 of DESIGN.md, measured in real Chromium: a model four
 * times the budget (256 MiB over HTTP, 64 MiB budget) streams through the
 * pager in the worker for several tokens; the Wasm memory never changes size,
 * resident bytes never pass the budget, and the page's JS heap stays flat.
 */
import { afterAll, expect, inject, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { unique } from '../servers/urls.ts';

const MiB = 2 ** 20;
const BUDGET = 64 * MiB;
let rt: Runtime | undefined;
afterAll(() => rt?.dispose());

async function pageHeapUsed(): Promise<number> {
  const session = cdp();
  await session.send('HeapProfiler.collectGarbage');
  const { metrics } = (await session.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
}

it('streams a model 4x the budget through the worker: constant Wasm memory, resident <= budget, flat page heap', async () => {
  const models = inject('models');
  const size = models.synthetic['big.gguf'];
  expect(size).toBeGreaterThanOrEqual(4 * BUDGET);
  await cdp().send('Performance.enable');

  rt = await createRuntime({ budget: BUDGET });
  const memoryAtStart = (await rt.stats()).memoryBytes;
  expect(memoryAtStart).toBeGreaterThanOrEqual(BUDGET);
  expect(memoryAtStart).toBeLessThan(BUDGET + 16 * MiB); // budget + the module's own tables
  const heapBefore = await pageHeapUsed();

  const model = await rt.load(`${inject('rangeBase')}/big.gguf?t=${unique()}`, { cache: 'none', policy: { kind: 'budget', ramBytes: BUDGET } });
  expect(model.info.totalBytes).toBeGreaterThan(3.9 * BUDGET);

  let samples = 0;
  let maxResident = 0;
  const memorySeen = new Set<number>();
  const poll = setInterval(() => void rt!.stats().then((s) => memorySeen.add(s.memoryBytes)), 100);
  const final = await model.pagingDryRun({ tokens: 3 }, (s) => {
    samples++;
    maxResident = Math.max(maxResident, s.residentBytes);
    expect(s.residentBytes).toBeLessThanOrEqual(BUDGET);
  });
  clearInterval(poll);
  memorySeen.add((await rt.stats()).memoryBytes);
  const heapAfter = await pageHeapUsed();

  expect(samples).toBe(3 * (model.info.blockCount + 2)); // groups: embeddings, each block, the rest
  expect(final.bytesLoaded).toBeGreaterThan(2.5 * size); // every token streamed most of the model again
  expect(final.maxResidentBytes).toBeLessThanOrEqual(BUDGET);
  expect(maxResident).toBeGreaterThan(BUDGET / 2);
  expect([...memorySeen]).toEqual([memoryAtStart]);
  expect(heapAfter - heapBefore, `page JS heap grew from ${heapBefore} to ${heapAfter}`).toBeLessThan(32 * MiB);
}, 180_000);
