/**
 * The bert encoder through the worker in real Chromium: the synthetic bert of
 * test/vectors/embeddings/bert-F32-cls.json (served by the range server) gives
 * llama.cpp's vectors through embeddings.create, text in (the WordPiece
 * tokenizer's [CLS] … [SEP]) and ids in, while the model says it cannot
 * generate and why.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRuntime, type ModelHandle, type Runtime } from '../../src/index.ts';
import { unique } from '../servers/urls.ts';
import ref from '../vectors/embeddings/bert-F32-cls.json';

const MiB = 2 ** 20;
let rt: Runtime;
let model: ModelHandle;
beforeAll(async () => {
  rt = await createRuntime({ budget: 32 * MiB, kvType: 'f32' });
  model = await rt.load(`${inject('rangeBase')}/bert-F32-cls.gguf?t=${unique()}`, { cache: 'none' });
}, 60_000);
afterAll(async () => {
  await rt?.dispose();
});

function cosine(a: readonly number[], b: readonly number[]): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let j = 0; j < a.length; j++) {
    ab += a[j] * b[j];
    aa += a[j] * a[j];
    bb += b[j] * b[j];
  }
  return ab / Math.sqrt(aa * bb);
}

it("a bert model computes llama.cpp's embeddings in the worker and says it cannot generate", async () => {
  expect(model.info.architecture).toBe('bert');
  expect(model.info.canGenerate).toBe(false);
  expect(model.info.generateError).toMatchObject({ code: 'UNSUPPORTED_ARCHITECTURE' });
  for (const input of [ref.inputs.map((i) => i.text), ref.inputs.map((i) => i.ids)]) {
    const r = await model.embeddings.create({ input });
    expect(r.data).toHaveLength(ref.inputs.length);
    for (let i = 0; i < r.data.length; i++) expect(cosine(r.data[i].embedding, ref.inputs[i].embedding)).toBeGreaterThanOrEqual(0.9999);
    const n = ref.inputs.reduce((x, i) => x + i.ids.length, 0);
    expect(r.usage).toEqual({ prompt_tokens: n, total_tokens: n });
  }
}, 60_000);
