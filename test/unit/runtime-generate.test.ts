/** The worker runtime's generation API, run in Node (the same object the worker exposes through comlink). */
import { afterEach, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import type { Piece } from '../../src/engine/generation.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { ggufEntries } from '../../src/authoring/reencode.ts';
import type { MetadataEntry } from '../../src/authoring/write.ts';
import { WorkerRuntime } from '../../src/runtime/worker-runtime.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { modelBytes, reference, STORIES } from '../cases/gen-models.ts';

const ref = reference(STORIES);
const MiB = 2 ** 20;
let rt: WorkerRuntime;
afterEach(() => rt?.dispose());

async function started(maxModels = 2): Promise<WorkerRuntime> {
  rt = new WorkerRuntime();
  await rt.start({ budget: 8 * MiB, maxModels });
  return rt;
}

const storiesBlob = async () => new Blob([(await modelBytes(ref)).slice()]);

it("generates llama.cpp's text, sending the pieces in batches, not one message per token", async () => {
  const w = await started();
  const info = await w.load(await storiesBlob());
  // The default KV pool is an eighth of the budget: 1 MiB of f16 pages (128), 64 tokens each, one layer of them kept spare.
  expect(info).toMatchObject({ canGenerate: true, architecture: 'llama', contextLength: 21 * 64 });
  const batches: Piece[][] = [];
  const r = await w.generate(
    info.id,
    { kind: 'generate', prompt: ref.prompt },
    { maxTokens: 32, temperature: 0, ignoreEog: true },
    (p) => void batches.push(p),
  );
  expect(r.tokens).toEqual(ref.greedyIds);
  expect(
    batches
      .flat()
      .map((p) => p.text)
      .join(''),
  ).toBe(ref.greedyText);
  expect(batches.length).toBeLessThan(32);
  const s = w.modelStats(info.id);
  expect(s).toMatchObject({ promptTokens: 5, promptTokensProcessed: 5, generatedTokens: 32, cachedTokens: 5 + 31 });
});

it('warms up through the engine with a real one-token generation, leaving no cached tokens', async () => {
  const w = await started();
  const info = await w.load(await storiesBlob(), { policy: { kind: 'budget', ramBytes: 600_000 } });
  const r = await w.warmup(info.id);
  expect(r.tensorsLoaded).toBeGreaterThan(0);
  expect(w.modelStats(info.id).cachedTokens).toBe(0);
  expect(w.stats().kv!.freePages).toBe(w.stats().kv!.totalPages);
});

it("frees the model's KV pages when it is unloaded and evicted", async () => {
  const w = await started(1);
  const info = await w.load(await storiesBlob());
  await w.generate(info.id, { kind: 'generate', prompt: ref.promptIds }, { maxTokens: 4 });
  expect(w.stats().kv!.freePages).toBeLessThan(w.stats().kv!.totalPages);
  w.unload(info.id);
  await w.load(await storiesBlob()); // room for one model: the first one is evicted and disposed
  expect(w.stats().kv!.freePages).toBe(w.stats().kv!.totalPages);
});

it('loads a model of another architecture with canGenerate false, and generate names the architecture', async () => {
  const w = await started();
  const bytes = await modelBytes(ref);
  const model = await parseGguf(new MemorySource(bytes));
  const entries = (await ggufEntries(bytes)).map(([k, v, t]): MetadataEntry => (k === 'general.architecture' ? [k, 'mamba', t] : [k, v, t]));
  const other = planBytes({
    metadata: entries,
    tensors: model.tensors.map((t) => ({ name: t.name, type: 'F32', dims: t.dims, bytes: () => bytes.slice(t.offset, t.offset + t.size) })),
  });
  const info = await w.load(new Blob([other]));
  expect(info.canGenerate).toBe(false);
  expect(info.generateError?.code).toBe('UNSUPPORTED_ARCHITECTURE');
  const err = await w.generate(info.id, { kind: 'generate', prompt: 'x' }).catch((x) => x);
  expect(isGgufPagerError(err, 'UNSUPPORTED_ARCHITECTURE')).toBe(true);
  expect(err.message).toContain("'mamba'");
});
