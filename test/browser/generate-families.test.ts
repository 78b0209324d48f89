/**
 * qwen3, gemma2, gemma3 and phi3 in a Chromium worker: each F32 reference
 * model of test/vectors/families/ is rebuilt here from its recipe (same
 * sha256 as the file llama.cpp ran), loaded from a Blob into the worker
 * runtime with f32 KV and llama.cpp's context of 256, and must generate
 * llama.cpp's 32 greedy ids, resident and at a weight budget of 25 %.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/index.ts';
import { planBytes, sha256Hex } from '../../src/authoring/model-plan.ts';
import { realModelFromTokenizerGguf } from '../../src/authoring/reencode.ts';
import type { RealModelRecipe } from '../../src/authoring/synthetic-real.ts';
import qwen3 from '../vectors/families/qwen3-F32-kvf32.json';
import gemma2 from '../vectors/families/gemma2-F32-kvf32.json';
import gemma3 from '../vectors/families/gemma3-F32-kvf32.json';
import phi3 from '../vectors/families/phi3-F32-kvf32.json';
import chats from '../vectors/text/chat-families.json';

let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.dispose();
  rt = undefined;
});

let tokenizer: Promise<Uint8Array> | undefined;
const tok = () =>
  (tokenizer ??= fetch(`${inject('rangeBase')}/stories260K.gguf`, { cache: 'no-store' }).then(async (r) => new Uint8Array(await r.arrayBuffer())));

describe.each([
  ['qwen3', qwen3],
  ['gemma2', gemma2],
  ['gemma3', gemma3],
  ['phi3', phi3],
] as const)('%s in a worker', (arch, ref) => {
  it("generates llama.cpp's 32 greedy ids, resident and at a 25 % budget", async () => {
    const bytes = planBytes(await realModelFromTokenizerGguf(ref.model.recipe as unknown as RealModelRecipe, await tok()));
    expect(await sha256Hex(bytes)).toBe(ref.model.sha256);
    for (const share of [1, 0.25]) {
      const kvBytes = 6 * 2 ** 20;
      rt = await createRuntime({ budget: Math.ceil(bytes.length * share) + kvBytes + 4 * 2 ** 20, kvType: 'f32', kvBytes });
      const model = await rt.load(new Blob([bytes]), {
        cache: 'none',
        contextLength: ref.runtime.contextSize,
        kvType: 'f32',
        policy: { kind: 'budget', ramBytes: Math.ceil(bytes.length * share) },
      });
      expect(model.info.canGenerate).toBe(true);
      expect(model.info.architecture).toBe(arch);
      expect(await model.tokenize(ref.prompt)).toEqual(ref.promptIds);
      const r = await model.generate(ref.prompt, { maxTokens: 32, temperature: 0, ignoreEog: true });
      expect([share, r.tokens]).toEqual([share, ref.greedyIds]);
      await rt.dispose();
      rt = undefined;
    }
  }, 120_000);
});

it("passes templateVars to the chat template across the worker (Qwen3's enable_thinking)", async () => {
  const qwen3Template = chats.templates.find((t) => t.name === 'qwen3')!;
  const c = qwen3Template.cases.find((x) => 'templateVars' in x)!;
  rt = await createRuntime({ budget: 8 * 2 ** 20 });
  const model = await rt.load(`${inject('rangeBase')}/stories260K.gguf?t=${Date.now()}`, { cache: 'none' });
  const vars = (c as { templateVars: Record<string, unknown> }).templateVars;
  expect(await model.applyChatTemplate(c.messages, { template: qwen3Template.template, templateVars: vars })).toBe(c.expected);
  const r = await model.chat(c.messages, { template: qwen3Template.template, templateVars: vars, maxTokens: 1, temperature: 0 });
  expect(r.promptTokens).toBe((await model.tokenize(c.expected, { parseSpecial: true })).length);
}, 60_000);
