/**
 * An output head larger than the budget (a gemma2 model whose 8192-token tied head is 8 MiB of F32, over a
 * 4 MiB weight budget): it is read from the source chunk by chunk instead of failing with
 * PAGER_TENSOR_TOO_LARGE, and gives the very logits (every bit, final soft-cap included) of the resident head.
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { openStandalone, type Standalone } from '../../src/engine/standalone.ts';
import { planBytes } from '../../src/authoring/model-plan.ts';
import { realModelFromTokenizerGguf } from '../../src/authoring/reencode.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';
import { familyReference } from '../cases/family-vectors.ts';
import { greedy } from '../cases/gen-models.ts';

const open: Standalone[] = [];
afterAll(async () => {
  for (const s of open) await s.dispose();
});

it("streams a head larger than the budget, with the resident head's logits bit for bit", async () => {
  const base = familyReference('gemma2-F32-kvf32');
  const recipe = { ...(base.model.recipe as RealModelRecipe), vocabSize: 8192 };
  const bytes = planBytes(await realModelFromTokenizerGguf(recipe, new Uint8Array(readFileSync(fixturePath(recipe.tokenizer)))));
  const opts = { contextLength: 256, kvType: 'f32' as const };
  const resident = await openStandalone([new MemorySource(bytes, 'head.gguf')], opts);
  const paged = await openStandalone([new MemorySource(bytes, 'head.gguf')], { ...opts, ramBytes: 4 * 2 ** 20 });
  open.push(resident, paged);
  expect(resident.engine.forward.head).toBeUndefined();
  const head = paged.engine.forward.head!;
  expect(head).toBeDefined();
  const embd = paged.model.tensors.find((t) => t.name === 'token_embd.weight')!;
  expect(embd.size).toBeGreaterThan(4 * 2 ** 20);
  const a = await greedy(resident, base.promptIds, 8);
  const b = await greedy(paged, base.promptIds, 8);
  expect(b.ids).toEqual(a.ids);
  a.logits.forEach((l, p) => expect([p, Array.from(b.logits[p])]).toEqual([p, Array.from(l)]));
  expect(head.bytesRead).toBe(embd.size * a.logits.length);
  expect(paged.pager.stats().maxResidentBytes).toBeLessThanOrEqual(4 * 2 ** 20);
});
