#!/usr/bin/env node
/**
 * Records llama.cpp's sentence embeddings (node-llama-cpp's embedding context,
 * CPU, one thread) into test/vectors/embeddings/<case>.json for the engine's
 * pooled embeddings: stories260K as it is (no pooling type: llama.cpp takes the
 * last token), and stories260K and the synthetic llama of
 * test/vectors/llama/llama-F32.json given `llama.pooling_type` mean (1) or cls (2);
 * and synthetic `bert` encoders (the project's writer, the bge WordPiece vocabulary,
 * F32 and Q8_0, `bert.pooling_type` in the recipe), their inputs tokenized as
 * llama.cpp does for an embedding ([CLS] … [SEP]).
 * Each case stores how its model is built and the model's sha256; inputs are
 * token ids as llama.cpp read them. Dev script, run by hand:
 *
 *   npm run build:node
 *   node scripts/make-embedding-reference.mjs --llama-dir <dir where node-llama-cpp is installed>
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fixtureFile, makeModel, MODEL_CACHE } from './make-models.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'test/vectors/embeddings');
const { values: args } = parseArgs({ options: { 'llama-dir': { type: 'string' } } });
const require = createRequire(join(resolve(args['llama-dir']), 'package.json'));
const { getLlama } = await import(pathToFileURL(require.resolve('node-llama-cpp')).href);
const { withMetadata } = await import(join(ROOT, 'dist/src/authoring/with-metadata.js'));
const { planBytes } = await import(join(ROOT, 'dist/src/authoring/model-plan.js'));

const TEXTS = ['Once upon a time', 'The cat sat on the mat.', 'A', 'Lily and Ben went to the park. They played with a big red ball and laughed all day long.'];
const synthetic = JSON.parse(readFileSync(join(ROOT, 'test/vectors/llama/llama-F32.json'), 'utf8')).model.recipe;
/** [case, base ('fixture' | recipe), pooling_type to set or null, pooling llama.cpp applies] */
const CASES = [
  ['stories260K-F32-last', { fixture: 'models/stories260K.gguf' }, null, 'last'],
  ['stories260K-F32-mean', { fixture: 'models/stories260K.gguf' }, 1, 'mean'],
  ['stories260K-F32-cls', { fixture: 'models/stories260K.gguf' }, 2, 'cls'],
  ['llama-F32-mean', synthetic, 1, 'mean'],
  ['bert-F32-cls', bertRecipe('F32', 2), null, 'cls'],
  ['bert-F32-mean', bertRecipe('F32', 1), null, 'mean'],
  ['bert-Q8_0-mean', bertRecipe('Q8_0', 1), null, 'mean'],
];

/** A small bge-shaped encoder: 3 blocks of 64 wide (4 heads), FFN 256, 512 positions, all of its optional tensors (biases, token types). */
function bertRecipe(weights, poolingType) {
  return {
    arch: 'bert',
    blocks: 3,
    embd: 64,
    ff: 256,
    heads: 4,
    headsKv: 4,
    weights,
    seed: 20,
    tokenizer: 'vocab/ggml-vocab-bert-bge.gguf',
    context: 512,
    optionalGlobals: true,
    optionalBlockTensors: true,
    meta: { pooling_type: poolingType },
  };
}

/** llama.cpp's tokens for an embedding (common_tokenize with add_special): BOS ([CLS]) when the vocabulary adds it, the text, then [SEP] when it has one (WordPiece adds it). */
function idsOf(model, text) {
  const t = model.tokens;
  const bos = t.bos !== null && t.shouldPrependBosToken ? [t.bos] : [];
  const sep = t.sep !== null && t.sep !== undefined ? [t.sep] : [];
  return [...bos, ...model.tokenize(text), ...sep];
}

const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true, logLevel: 'error' });
mkdirSync(OUT, { recursive: true });
for (const [name, base, poolingType, pooling] of CASES) {
  const baseBytes = base.fixture
    ? readFileSync(fixtureFile(base.fixture))
    : readFileSync(
        (await makeModel(base, join(MODEL_CACHE, 'ref', `${createHash('sha256').update(JSON.stringify(base)).digest('hex').slice(0, 16)}.gguf`))).path,
      );
  const bytes = poolingType === null ? baseBytes : planBytes(await withMetadata(new Uint8Array(baseBytes), [['llama.pooling_type', poolingType, 4]]));
  const path = join(tmpdir(), `gguf-pager-embed-${name}.gguf`);
  writeFileSync(path, bytes);
  const model = await llama.loadModel({ modelPath: path });
  const ctx = await model.createEmbeddingContext({ contextSize: 256, batchSize: 256, threads: 1 });
  const inputs = [];
  for (const text of TEXTS) {
    const ids = idsOf(model, text);
    ctx._prepareInput(ids);
    const e = await ctx.getEmbeddingFor(ids);
    inputs.push({ text, ids, embedding: e.vector.map((x) => Number(x.toPrecision(7))) });
  }
  const record = {
    name,
    by: 'scripts/make-embedding-reference.mjs',
    runtime: { nodeLlamaCpp: '3.22.1', llamaCppRelease: llama.llamaCppRelease?.release, threads: 1, contextSize: 256 },
    model: { base, poolingType, sha256: createHash('sha256').update(bytes).digest('hex') },
    pooling,
    inputs,
  };
  writeFileSync(join(OUT, `${name}.json`), JSON.stringify(record) + '\n');
  console.log(`${name}: ${inputs.map((i) => i.ids.length).join(', ')} tokens, width ${inputs[0].embedding.length}`);
  await ctx.dispose();
  await model.dispose();
}
await llama.dispose();
