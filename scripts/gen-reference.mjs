#!/usr/bin/env node
/**
 * Records llama.cpp's view of a model for the engine's tests (run by hand; the
 * tests read the JSON it writes and need no llama.cpp): the prompt's token ids,
 * the greedy ids and the logits at every position (prompt and generated).
 *
 *   NLC_DIR=/tmp/nlc node scripts/gen-reference.mjs <model.gguf> <out.json> [--prompt TEXT] [--tokens 32] [--kv f16|f32]
 *
 * NLC_DIR is a folder where node-llama-cpp@3.22.1 is installed (TOOLCHAIN.md:
 * `NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --omit=optional node-llama-cpp@3.22.1 @node-llama-cpp/linux-x64@3.22.1`).
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const prompt = opt('prompt', 'Once upon a time');
const n = Number(opt('tokens', '32'));
const kv = opt('kv', 'f16');
const [modelPath, out] = args;
if (!modelPath || !out || !process.env.NLC_DIR) {
  console.error('usage: NLC_DIR=<node-llama-cpp install> node scripts/gen-reference.mjs <model.gguf> <out.json> [--prompt T] [--tokens N] [--kv f16|f32]');
  process.exit(2);
}
const require = createRequire(join(process.env.NLC_DIR, 'package.json'));
const { getLlama } = await import(pathToFileURL(require.resolve('node-llama-cpp')).href);
const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true });
const model = await llama.loadModel({ modelPath });
const kvType = kv === 'f32' ? 'F32' : 'F16';
const ctx = await model.createContext({ contextSize: 256, batchSize: 512, threads: 1, flashAttention: false,
  experimentalKvCacheKeyType: kvType, experimentalKvCacheValueType: kvType });
const seq = ctx.getSequence();
const promptIds = [...model.tokenize(prompt)].map(Number);
if (model.tokens.shouldPrependBosToken && model.tokens.bos != null) promptIds.unshift(Number(model.tokens.bos));
const vocab = model.tokens?.vocabularySize ?? null;

const dense = (map) => {
  const size = vocab ?? Math.max(...map.keys()) + 1;
  const a = new Array(size).fill(null);
  for (const [t, v] of map) a[Number(t)] = Math.round(v * 1e5) / 1e5;
  return a;
};
const argmax = (map) => Number(map.entries().next().value[0]);

const logits = [];
const res = await seq.controlledEvaluate(promptIds.map((t) => [t, { generateNext: { logits: true } }]));
for (const r of res) logits.push(dense(r.next.logits));
let next = argmax(res[res.length - 1].next.logits);
const greedy = [];
for (let i = 0; i < n; i++) {
  greedy.push(next);
  if (i === n - 1) break;
  const [r] = await seq.controlledEvaluate([[next, { generateNext: { logits: true } }]]);
  logits.push(dense(r.next.logits));
  next = argmax(r.next.logits);
}
const text = model.detokenize(greedy);
writeFileSync(out, JSON.stringify({
  model: basename(modelPath), runtime: 'node-llama-cpp 3.22.1 (llama.cpp, CPU, 1 thread, no flash attention)', kv,
  prompt, promptIds, greedy, text, logitsRoundedTo: 1e-5, logits,
}) + '\n');
console.log(`${basename(modelPath)} kv ${kv}: prompt ${JSON.stringify(promptIds)} → ${JSON.stringify(text)}`);
await ctx.dispose();
await model.dispose();
