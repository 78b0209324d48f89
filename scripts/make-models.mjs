#!/usr/bin/env node
// Writes models for references and benchmarks with the project's own GGUF writer and quantizers
// (src/authoring/synthetic-real.ts, src/authoring/reencode.ts). Needs `npm run build:node` (imports dist/).
//
//   node scripts/make-models.mjs recipe '<RealModelRecipe or {"reencode": "models/stories260K.gguf", "type": "Q8_0"} JSON>' --out m.gguf
//   node scripts/make-models.mjs reencode <in.gguf> --type F16|Q8_0|Q4_0|… --out m.gguf
//   node scripts/make-models.mjs bench q8_0|q4_k_m [--out m.gguf]   (the ~100 MiB bench models)
//
// Fixture names in recipes (`models/stories260K.gguf`, `vocab/ggml-vocab-llama-spm.gguf`) resolve under
// $GGUF_PAGER_FIXTURES or ../shared/fixtures beside the repository, as the tests do.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist/src/authoring');

export const FIXTURES = process.env.GGUF_PAGER_FIXTURES ? resolve(process.env.GGUF_PAGER_FIXTURES) : resolve(ROOT, '../shared/fixtures');

/** The bench models: 12 blocks, 768 wide, ff 2048, the llama 2 SPM vocabulary (32000). */
export const BENCH_RECIPES = {
  q8_0: {
    arch: 'llama',
    blocks: 12,
    embd: 768,
    ff: 2048,
    heads: 12,
    headsKv: 12,
    weights: 'Q8_0',
    seed: 10,
    tokenizer: 'vocab/ggml-vocab-llama-spm.gguf',
    context: 4096,
    name: 'bench-llama-12x768-Q8_0',
  },
  q4_k_m: {
    arch: 'llama',
    blocks: 12,
    embd: 768,
    ff: 2048,
    heads: 12,
    headsKv: 12,
    weights: 'Q4_K_M',
    seed: 10,
    tokenizer: 'vocab/ggml-vocab-llama-spm.gguf',
    context: 4096,
    name: 'bench-llama-12x768-Q4_K_M',
  },
  // gemma3-shaped (262 k vocabulary, tied head: 89 MB of the ~100 MB; heads of 64 ≠ 320 / 4, window 512 on 5 of 6 layers)
  gemma3_q8_0: {
    arch: 'gemma3',
    blocks: 6,
    embd: 320,
    ff: 1280,
    heads: 4,
    headsKv: 1,
    headDim: 64,
    weights: 'Q8_0',
    seed: 11,
    tokenizer: 'vocab/ggml-vocab-llama-spm.gguf',
    vocabSize: 262144,
    tiedEmbeddings: true,
    embdStd: 0.03,
    context: 4096,
    meta: { 'attention.sliding_window': 512 },
    name: 'bench-gemma3-6x320-262k-Q8_0',
  },
  // qwen3-shaped (151 936 vocabulary, tied head, heads of 128 ≠ 384 / 6)
  qwen3_q8_0: {
    arch: 'qwen3',
    blocks: 12,
    embd: 384,
    ff: 1536,
    heads: 6,
    headsKv: 2,
    headDim: 128,
    weights: 'Q8_0',
    seed: 12,
    tokenizer: 'vocab/ggml-vocab-gpt-2.gguf',
    vocabSize: 151936,
    tiedEmbeddings: true,
    embdStd: 0.1,
    context: 4096,
    name: 'bench-qwen3-12x384-152k-Q8_0',
  },
  // bert, bge-base-shaped (12 × 768, FFN 3072, 512 positions, the bge WordPiece vocabulary): ~115 MB
  bert_q8_0: {
    arch: 'bert',
    blocks: 12,
    embd: 768,
    ff: 3072,
    heads: 12,
    headsKv: 12,
    weights: 'Q8_0',
    seed: 13,
    tokenizer: 'vocab/ggml-vocab-bert-bge.gguf',
    context: 512,
    optionalGlobals: true,
    optionalBlockTensors: true,
    meta: { pooling_type: 2 },
    name: 'bench-bert-12x768-Q8_0',
  },
};

async function lib() {
  if (!existsSync(join(DIST, 'reencode.js'))) throw new Error('dist/ is missing: run `npm run build:node` first');
  const [reencode, plan] = await Promise.all([import(join(DIST, 'reencode.js')), import(join(DIST, 'model-plan.js'))]);
  return { ...reencode, ...plan };
}

export function fixtureFile(rel) {
  const p = join(FIXTURES, rel);
  if (!existsSync(p)) throw new Error(`fixture ${rel} not found under ${FIXTURES} (set GGUF_PAGER_FIXTURES)`);
  return p;
}

/**
 * The plan of a recipe: a RealModelRecipe, `{ reencode: <fixture>, type }`, or `{ twinOf: <recipe> }` (the F32 twin of
 * a quantized model: every matrix dequantized to F32, so it holds exactly the numbers the quantized file stands for).
 */
export async function planOf(recipe) {
  const L = await lib();
  if (recipe.twinOf) return L.reencodeGguf(L.planBytes(await planOf(recipe.twinOf)), 'F32', 'twin');
  if (recipe.reencode) return L.reencodeGguf(new Uint8Array(readFileSync(fixtureFile(recipe.reencode))), recipe.type, recipe.reencode);
  return L.realModelFromTokenizerGguf(recipe, new Uint8Array(readFileSync(fixtureFile(recipe.tokenizer))));
}

/** Streams a plan to `out` (through a .partial file); returns { path, size, sha256 }. */
export async function writePlan(plan, out) {
  const L = await lib();
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.partial`;
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  let size = 0;
  try {
    for (const chunk of L.planChunks(plan)) {
      writeSync(fd, chunk);
      hash.update(chunk);
      size += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, out);
  return { path: out, size, sha256: hash.digest('hex') };
}

/** Writes the model of `recipe` to `out` unless a file of that name already carries the sidecar sha256. */
export async function makeModel(recipe, out) {
  const side = `${out}.recipe.json`;
  const key = JSON.stringify(recipe);
  if (existsSync(out) && existsSync(side)) {
    const s = JSON.parse(readFileSync(side, 'utf8'));
    if (s.key === key && statSync(out).size === s.size) return { path: out, size: s.size, sha256: s.sha256 };
  }
  const res = await writePlan(await planOf(recipe), out);
  const fd = openSync(side, 'w');
  writeSync(fd, JSON.stringify({ key, size: res.size, sha256: res.sha256 }));
  closeSync(fd);
  return res;
}

/** Where on-demand models are cached between runs (never in the repository). */
export const MODEL_CACHE = process.env.GGUF_PAGER_MODEL_CACHE ?? join(tmpdir(), 'gguf-pager-models');

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, type: { type: 'string' } } });
  const [cmd, arg] = positionals;
  let recipe;
  if (cmd === 'recipe') recipe = JSON.parse(arg);
  else if (cmd === 'reencode') {
    const L = await lib();
    if (!values.type || !values.out) throw new Error('reencode needs --type and --out');
    const res = await writePlan(await L.reencodeGguf(new Uint8Array(readFileSync(arg)), values.type, arg), values.out);
    process.stdout.write(`${JSON.stringify(res)}\n`);
    return;
  } else if (cmd === 'bench') recipe = BENCH_RECIPES[arg];
  if (!recipe) {
    process.stderr.write(
      'usage: make-models.mjs recipe <json> --out f | reencode <in> --type T --out f | bench q8_0|q4_k_m|gemma3_q8_0|qwen3_q8_0|bert_q8_0 [--out f]\n',
    );
    process.exit(2);
  }
  const out = values.out ?? join(MODEL_CACHE, `${recipe.name ?? cmd}.gguf`);
  const t0 = performance.now();
  const res = await makeModel(recipe, out);
  process.stdout.write(`${JSON.stringify({ ...res, seconds: +((performance.now() - t0) / 1000).toFixed(1) })}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
