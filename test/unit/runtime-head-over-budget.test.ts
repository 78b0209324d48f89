/**
 * The load-time fit check (src/runtime/fit-check.ts) counts only the tensors the engine leases whole: a
 * tied output head larger than the budget is streamed from the source in row chunks, and the token
 * embeddings are read by rows, so a model whose largest tensor is that head loads and generates the
 * resident model's ids. A budget in which the engine cannot run at all is still refused at load.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { realModelFromTokenizerGguf } from '../../src/authoring/reencode.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { WorkerRuntime } from '../../src/runtime/worker-runtime.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';
import { familyReference } from '../cases/family-vectors.ts';

const MiB = 2 ** 20;
let rt: WorkerRuntime | undefined;
afterEach(() => rt?.dispose());

/** gemma2 with an 8192-token tied head: 8 MiB of F32 head, blocks of a few hundred KiB. */
async function bigHeadModel(): Promise<{ bytes: Uint8Array; prompt: number[] }> {
  const base = familyReference('gemma2-F32-kvf32');
  const recipe = { ...(base.model.recipe as RealModelRecipe), vocabSize: 8192 };
  return { bytes: planBytes(await realModelFromTokenizerGguf(recipe, new Uint8Array(readFileSync(fixturePath(recipe.tokenizer))))), prompt: base.promptIds };
}

async function generateIds(budget: number, bytes: Uint8Array, prompt: number[]): Promise<number[]> {
  rt = new WorkerRuntime();
  await rt.start({ budget, kvBytes: 2 * MiB, kvType: 'f32', threads: 1 });
  const info = await rt.load(new Blob([bytes.slice()]), { contextLength: 256, kvType: 'f32' });
  expect(info.canGenerate).toBe(true);
  const r = await rt.generate(info.id, { kind: 'generate', prompt }, { maxTokens: 8, temperature: 0, ignoreEog: true });
  await rt.dispose();
  rt = undefined;
  return r.tokens;
}

it("loads a model whose tied head is larger than the budget, and generates the resident model's ids", async () => {
  const { bytes, prompt } = await bigHeadModel();
  const resident = await generateIds(64 * MiB, bytes, prompt);
  const paged = await generateIds(10 * MiB, bytes, prompt); // 2 MiB of it KV: the 8 MiB head cannot fit in the 8 MiB left
  expect(paged).toEqual(resident);
  expect(resident).toHaveLength(8);
});

it('still refuses at load a budget in which the engine cannot run at all', async () => {
  const { bytes } = await bigHeadModel();
  rt = new WorkerRuntime();
  await rt.start({ budget: 2 * MiB + 512 * 1024, kvBytes: 2 * MiB, kvType: 'f32', threads: 1 });
  const err = await rt.load(new Blob([bytes.slice()]), { contextLength: 256, kvType: 'f32' }).catch((e: unknown) => e);
  expect(isGgufPagerError(err, 'PAGER_TENSOR_TOO_LARGE')).toBe(true);
  expect((err as Error).message).toMatch(/can never fit/);
});
