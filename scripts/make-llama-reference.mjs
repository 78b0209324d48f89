#!/usr/bin/env node
// Records llama.cpp's own outputs (through node-llama-cpp, CPU, one thread) for the engine's tests:
// for each model and prompt, the prompt's token ids, 32 greedy ids and the logits at every position,
// into test/vectors/llama/<case>.json. Dev script, run by hand; the tests need neither it nor llama.cpp.
//
//   npm run build:node
//   mkdir -p /tmp/llama && cd /tmp/llama && npm init -y && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
//     npm install --omit=optional node-llama-cpp@3.22.1 @node-llama-cpp/linux-x64@3.22.1
//   node scripts/make-llama-reference.mjs --llama-dir /tmp/llama [--only <substring>]
//
// Models are never committed: each JSON stores the model's recipe (a RealModelRecipe for
// scripts/make-models.mjs / src/authoring/synthetic-real.ts, `{ reencode, type }`, or `{ fixture }`) and the
// sha256 of its bytes, so a test rebuilds the exact file (test/unit/llama-vectors.test.ts checks that).
// Logits are rounded to 6 significant digits. logits[p] are the logits after token p of
// promptIds ++ greedyIds (promptIds.length + 31 positions; the last greedy id is not fed back).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fixtureFile, makeModel, MODEL_CACHE } from './make-models.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VECTORS = join(ROOT, 'test/vectors');
const { values: args } = parseArgs({ options: { 'llama-dir': { type: 'string', default: join(tmpdir(), 'gguf-pager-llama') }, only: { type: 'string' } } });

const STORY = 'Once upon a time';
const LONG = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her mom.';
const TOK = 'models/stories260K.gguf';
const small = (weights, extra = {}) => ({ arch: 'llama', blocks: 2, embd: 256, ff: 512, heads: 4, headsKv: 2, weights, seed: 1, tokenizer: TOK, ...extra });

/** [case name, recipe, kv type, prompt] */
const CASES = [];
for (const kv of ['f16', 'f32']) {
  CASES.push([`stories260K-F32-kv${kv}`, { fixture: TOK }, kv, STORY]);
  for (const t of ['F16', 'Q8_0', 'Q4_0']) CASES.push([`stories260K-${t}-kv${kv}`, { reencode: TOK, type: t }, kv, STORY]);
}
for (const t of ['F32', 'F16', 'BF16', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q4_K_M']) {
  CASES.push([`llama-${t}`, small(t), 'f16', STORY]);
}
CASES.push(['llama-F32-kvf32', small('F32'), 'f32', STORY]);
CASES.push(['llama-Q8_0-long-prompt', small('Q8_0'), 'f16', LONG]);
CASES.push(['llama-Q8_0-tied', small('Q8_0', { tiedEmbeddings: true, seed: 2 }), 'f16', STORY]);
CASES.push(['qwen2-Q8_0', small('Q8_0', { arch: 'qwen2', seed: 3 }), 'f16', STORY]);
CASES.push(['qwen2-Q4_K', small('Q4_K', { arch: 'qwen2', seed: 3 }), 'f16', STORY]);
CASES.push(['qwen2-F32-kvf32', small('F32', { arch: 'qwen2', seed: 3 }), 'f32', STORY]);

// The qwen3, gemma2, gemma3 and phi3 families, into test/vectors/families/: each in F32 (f32 KV), and in Q8_0 and Q4_K judged
// against llama.cpp on the F32 twin (the dequantized weights), with llama.cpp's own distance from it recorded.
// Real features: head size ≠ embd/heads (qwen3, gemma3), windows of 8 < the 59 positions, soft-caps that bind
// (gemma2), rotary dims < head size and LongRoPE factors with an attention factor (phi3).
const FAMILIES = {
  qwen3: small('F32', { arch: 'qwen3', seed: 4, blocks: 6, headDim: 128, tiedEmbeddings: true, embdStd: 0.125 }),
  gemma2: small('F32', {
    arch: 'gemma2',
    seed: 5,
    blocks: 6,
    tiedEmbeddings: true,
    embdStd: 0.03,
    meta: { 'attention.sliding_window': 8, attn_logit_softcapping: 4, final_logit_softcapping: 1.5 },
  }),
  gemma3: small('F32', {
    arch: 'gemma3',
    seed: 6,
    heads: 8,
    headsKv: 4,
    headDim: 32,
    tiedEmbeddings: true,
    embdStd: 0.03,
    blocks: 6,
    meta: { 'attention.sliding_window': 8, 'attention.sliding_window_pattern': 3, 'rope.freq_base_swa': 10000 },
  }),
  phi3: small('F32', {
    arch: 'phi3',
    seed: 7,
    blocks: 6,
    name: 'synthetic-longrope-6x256', // not "phi3": llama.cpp then marks phi-3 vocabulary tokens
    rot: 48,
    optionalGlobals: true,
    context: 4096,
    meta: { 'rope.scaling.attn_factor': 1.19, 'rope.scaling.original_context_length': 1024 },
  }),
};
for (const [arch, recipe] of Object.entries(FAMILIES)) {
  CASES.push([`${arch}-F32-kvf32`, recipe, 'f32', LONG, { dir: 'families' }]);
  for (const t of ['Q8_0', 'Q4_K']) CASES.push([`${arch}-${t}-kvf32`, { ...recipe, weights: t }, 'f32', LONG, { dir: 'families', twin: true }]);
}
// gemma3's global layers with the file's linear rope scaling (sliding ones keep theirs unscaled), and phi3 past its
// original context (256 > 128): LongRoPE's long factors.
const gemma3Scaled = { ...FAMILIES.gemma3, seed: 8, meta: { ...FAMILIES.gemma3.meta, 'rope.scaling.type': 'linear', 'rope.scaling.factor': 8 } };
CASES.push(['gemma3-F32-rope-linear8-kvf32', gemma3Scaled, 'f32', LONG, { dir: 'families' }]);
const phi3Long = { ...FAMILIES.phi3, seed: 9, meta: { ...FAMILIES.phi3.meta, 'rope.scaling.original_context_length': 128 } };
CASES.push(['phi3-F32-longrope-kvf32', phi3Long, 'f32', LONG, { dir: 'families' }]);

const require = createRequire(join(resolve(args['llama-dir']), 'package.json'));
let entry;
try {
  entry = require.resolve('node-llama-cpp');
} catch {
  throw new Error(`node-llama-cpp is not installed in ${args['llama-dir']}: see the recipe at the top of this script`);
}
const { getLlama } = await import(pathToFileURL(entry).href);
const nodeLlamaCppVersion = JSON.parse(readFileSync(join(entry.slice(0, entry.lastIndexOf('node-llama-cpp') + 14), 'package.json'), 'utf8')).version;
const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true, logLevel: 'error' });

const sig6 = (x) => Number(x.toPrecision(6));
function logitsArray(map, vocab) {
  const out = new Array(vocab).fill(null);
  for (const [id, v] of map) out[id] = sig6(v);
  if (out.some((v) => v === null)) throw new Error('llama.cpp returned logits for part of the vocabulary only');
  return out;
}
function argmax(row) {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** The model file of a recipe (built into the cache unless it is a fixture). */
async function modelFile(recipe) {
  let path;
  let sha256;
  let size;
  if (recipe.fixture) {
    path = fixtureFile(recipe.fixture);
    const bytes = readFileSync(path);
    sha256 = createHash('sha256').update(bytes).digest('hex');
    size = bytes.length;
  } else {
    const key = createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 16);
    ({ path, sha256, size } = await makeModel(recipe, join(MODEL_CACHE, 'ref', `${key}.gguf`)));
  }
  return { path, sha256, size };
}

/**
 * llama.cpp on one model: the prompt in one batch, then each id fed back one at a time (the greedy ids it picks, or
 * `feed` when given: then the logits are those of another model's sequence). Returns the prompt ids, the ids and the logits.
 */
async function run(path, kvType, prompt, feed) {
  const model = await llama.loadModel({ modelPath: path });
  const contextSize = 256;
  const ctx = await model.createContext({
    contextSize,
    batchSize: contextSize,
    threads: 1,
    flashAttention: false,
    experimentalKvCacheKeyType: kvType,
    experimentalKvCacheValueType: kvType,
  });
  const vocab = model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  const seq = ctx.getSequence();
  const promptIds = [...(model.tokens.shouldPrependBosToken ? [model.tokens.bos] : []), ...model.tokenize(prompt)];
  const first = await seq.controlledEvaluate(promptIds.map((t) => [t, { generateNext: { logits: true } }]));
  const logits = first.map((r) => logitsArray(r.next.logits, vocab));
  const greedyIds = [feed ? feed[0] : argmax(logits[logits.length - 1])];
  while (greedyIds.length < 32) {
    const [r] = await seq.controlledEvaluate([[greedyIds[greedyIds.length - 1], { generateNext: { logits: true } }]]);
    logits.push(logitsArray(r.next.logits, vocab));
    greedyIds.push(feed ? feed[greedyIds.length] : argmax(logits[logits.length - 1]));
  }
  const greedyText = model.detokenize(greedyIds);
  const kvMade = `${ctx.kvCacheKeyType === 0 ? 'F32' : ctx.kvCacheKeyType === 1 ? 'F16' : ctx.kvCacheKeyType}`;
  await ctx.dispose();
  await model.dispose();
  if (kvMade !== kvType) throw new Error(`asked for a ${kvType} KV cache, llama.cpp made ${kvMade}`);
  return { promptIds, greedyIds, greedyText, vocab, logits, kvType: kvMade };
}

const maxAbs = (a, b) => Math.max(...a.map((row, p) => Math.max(...row.map((v, i) => Math.abs(v - b[p][i])))));
const rms = (a, b) => Math.sqrt(a.flatMap((row, p) => row.map((v, i) => (v - b[p][i]) ** 2)).reduce((x, y) => x + y, 0) / (a.length * a[0].length));

for (const [name, recipe, kv, prompt, opts = {}] of CASES) {
  if (args.only && !name.includes(args.only)) continue;
  const out = join(VECTORS, opts.dir ?? 'llama');
  mkdirSync(out, { recursive: true });
  const { path, sha256, size } = await modelFile(recipe);
  const kvType = kv === 'f32' ? 'F32' : 'F16';
  const contextSize = 256;
  const own = await run(path, kvType, prompt);
  const { promptIds, greedyIds, vocab } = own;
  let logits = own.logits;
  let twin;
  if (opts.twin) {
    // The reference is llama.cpp on the F32 twin, fed the same ids; llama.cpp's own quantized logits are kept only as their distance.
    const t = await modelFile({ twinOf: recipe });
    const exact = await run(t.path, kvType, prompt, greedyIds);
    if (JSON.stringify(exact.promptIds) !== JSON.stringify(promptIds)) throw new Error(`${name}: the twin tokenizes the prompt differently`);
    twin = {
      recipe: { twinOf: recipe },
      sha256: t.sha256,
      size: t.size,
      llamaCppMaxAbsDiff: sig6(maxAbs(own.logits, exact.logits)),
      llamaCppRmsDiff: sig6(rms(own.logits, exact.logits)),
      llamaCppGreedyIds: exact.greedyIds,
    };
    twin.twinGreedyIds = (await run(t.path, kvType, prompt)).greedyIds;
    logits = exact.logits;
  }
  const record = {
    name,
    model: { recipe, sha256, size },
    runtime: {
      by: 'scripts/make-llama-reference.mjs',
      nodeLlamaCpp: nodeLlamaCppVersion,
      llamaCppRelease: llama.llamaCppRelease?.release,
      gpu: false,
      threads: 1,
      contextSize,
      batchSize: contextSize,
      flashAttention: false,
      kvType: own.kvType,
    },
    prompt,
    promptIds,
    greedyIds,
    greedyText: own.greedyText,
    vocab,
    ...(twin ? { twin } : {}),
    logits,
  };
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(record)}\n`);
  process.stdout.write(
    `${name}: ${promptIds.length} prompt ids, greedy ${JSON.stringify(record.greedyText.slice(0, 40))}, ${(size / 1024).toFixed(0)} KiB model${twin ? `, llama.cpp ${twin.llamaCppMaxAbsDiff} from its F32 twin` : ''}\n`,
  );
}
await llama.dispose();
