/**
 * Embedding throughput in Node, one thread, the whole model resident: by
 * default on a ~115 MB bge-base-shaped bert in Q8_0 (scripts/make-models.mjs
 * bench bert_q8_0, written to the model cache on first use), or on the GGUF
 * given (a decoder's pooled embeddings too):
 *
 *   npm run bench:embed                                   # the bert model
 *   node --experimental-wasm-relaxed-simd dist/bench/embed.js <model.gguf>
 *
 * Tokens per second over `--inputs` (8) inputs of `--length` (64) tokens, mean pooling, median of `--runs` (3), `--batch` tokens per batch;
 * an encoder runs the inputs together in batches (Forward.encode). `--smoke`: a tiny bert built in memory, one run.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openStandalone } from '../src/engine/standalone.ts';
import { planBytes } from '../src/authoring/model-plan.ts';
import { realModelFromTokenizerGguf } from '../src/authoring/reencode.ts';
import { FileSource } from '../src/sources/file.ts';
import { MemorySource } from '../src/sources/memory.ts';
import type { PagerSource } from '../src/sources/source.ts';
import { SMOKE, sized } from './smoke.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    inputs: { type: 'string', default: sized('8', '2') },
    length: { type: 'string', default: sized('64', '8') },
    runs: { type: 'string', default: sized('3', '1') },
    batch: { type: 'string' },
    json: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
  },
});
// dist/bench/ → the repository root
const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const TINY_BERT = {
  arch: 'bert',
  blocks: 2,
  embd: 64,
  ff: 256,
  heads: 4,
  headsKv: 4,
  weights: 'Q8_0',
  seed: 1,
  tokenizer: 'vocab/ggml-vocab-bert-bge.gguf',
  context: 64,
  optionalGlobals: true,
  optionalBlockTensors: true,
} as const;

/** The model to measure: the path given, a tiny bert in memory (--smoke), or the bench bert from the model cache. */
async function modelSource(): Promise<{ source: PagerSource; label: string }> {
  if (positionals[0]) return { source: await FileSource.open(positionals[0]), label: positionals[0] };
  const models = (await import(pathToFileURL(`${ROOT}/scripts/make-models.mjs`).href)) as {
    BENCH_RECIPES: Record<string, { name: string }>;
    MODEL_CACHE: string;
    fixtureFile(rel: string): string;
    makeModel(r: unknown, out: string): Promise<{ path: string }>;
  };
  if (SMOKE) {
    const plan = await realModelFromTokenizerGguf({ ...TINY_BERT }, new Uint8Array(await readFile(models.fixtureFile(TINY_BERT.tokenizer))));
    return { source: new MemorySource(planBytes(plan), 'tiny-bert.gguf'), label: 'tiny bert (smoke)' };
  }
  const recipe = models.BENCH_RECIPES.bert_q8_0;
  const { path } = await models.makeModel(recipe, `${models.MODEL_CACHE}/${recipe.name}.gguf`);
  return { source: await FileSource.open(path), label: path };
}

const { source, label } = await modelSource();
const s = await openStandalone([source], { contextLength: sized(512, 64), ...(values.batch ? { batchSize: Number(values.batch) } : {}) });
const vocab = s.engine.tokenizer.vocabSize;
const inputs = Array.from({ length: Number(values.inputs) }, (_, i) =>
  Array.from({ length: Number(values.length) }, (_, j) => 1000 + ((i * 7919 + j * 104729) % (vocab - 2000))),
);
const rates: number[] = [];
try {
  for (let r = 0; r < Number(values.runs); r++) {
    const t0 = performance.now();
    const { tokens } = await s.engine.embed(inputs, { pooling: 'mean' });
    rates.push((tokens * 1000) / (performance.now() - t0));
  }
} finally {
  await s.dispose();
  await (source as { close?: () => Promise<void> }).close?.();
}
const median = [...rates].sort((a, b) => a - b)[rates.length >> 1];
if (values.json) process.stdout.write(JSON.stringify({ model: label, inputs: inputs.length, length: inputs[0].length, tokensPerSecond: median }) + '\n');
else
  console.log(
    `embeddings of ${label}: ${inputs.length} inputs × ${inputs[0].length} tokens, mean pooling: ${median.toFixed(1)} tokens/s (median of ${rates.length})`,
  );
