#!/usr/bin/env node
/**
 * Dev script (run by hand; tests only read what it writes): llama.cpp's own tokenizer behaviour for the
 * qwen3, gemma2, gemma3 and phi3 families where the shared fixtures have no vocabulary, through node-llama-cpp, into
 * test/vectors/text/families.json:
 * 1. gemma's SentencePiece setting: no space prefix (tokenizer.ggml.add_space_prefix = false), on the llama-spm
 *    vocab fixture rewritten so; llama.cpp tokenizes the 46 shared inputs and a few more (no BOS/EOS, no special
 *    parsing) and detokenizes the ids.
 * 2. End-of-generation tokens: `<end_of_turn>` (gemma), `<|im_end|>` (qwen), `<|end|>` (phi3) written over three
 *    ordinary tokens of the llama-spm (SPM) and gpt-2 (BPE, rewritten to the qwen2 pre-tokenizer) fixtures; llama.cpp says which ids
 *    end a generation (isEogToken) and how a text holding them tokenizes with special parsing.
 *
 *   npm run build:node
 *   NODE_LLAMA_CPP_DIR=<dir where node-llama-cpp is installed> node scripts/make-family-text-vectors.mjs
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FIXTURES = process.env.GGUF_PAGER_FIXTURES ? resolve(process.env.GGUF_PAGER_FIXTURES) : resolve(ROOT, '../shared/fixtures');
const NLC = process.env.NODE_LLAMA_CPP_DIR;
if (!NLC) {
  console.error('set NODE_LLAMA_CPP_DIR to the folder where node-llama-cpp is installed');
  process.exit(2);
}
const EXTRA = ['Hello world', ' Hello world', '  two leading', 'trailing  ', 'a\nb', '\n\nx', 'Ünïcödé naïve 中文 🦙', '<start_of_turn>user\nHi<end_of_turn>'];
/** Keys an edit may set that a fixture lacks: [key, default, GGUF type]. */
const ADDED = [['tokenizer.ggml.add_space_prefix', true, 7]];
const EOG = ['<end_of_turn>', '<|im_end|>', '<|end|>'];
/** Ids whose texts are replaced by the EOG texts (ordinary tokens in both fixtures). */
const EOG_IDS = { 'llama-spm': [1000, 1001, 1002], 'gpt-2': [1000, 1001, 1002] };

const gguf = await import(pathToFileURL(join(ROOT, 'dist/src/gguf/index.js')).href);
const { FileSource } = await import(pathToFileURL(join(ROOT, 'dist/src/sources/file.js')).href);
const { getLlama } = await import(pathToFileURL(join(resolve(NLC), 'node_modules/node-llama-cpp/dist/index.js')).href);
const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true, logLevel: 'error' });

const parsed = async (path) => {
  const src = await FileSource.open(path);
  try {
    return await gguf.parseGguf(src);
  } finally {
    await src.close?.();
  }
};
const inputs = (name) =>
  readFileSync(join(FIXTURES, `vocab/ggml-vocab-${name}.gguf.inp`), 'utf8')
    .split('\n__ggml_vocab_test__\n')
    .filter((s, i, a) => i < a.length - 1 || s !== '');
/** The vocab fixture with metadata entries passed through `edit(key, value)`. */
async function rewritten(name, edit, file) {
  const base = await parsed(join(FIXTURES, `vocab/ggml-vocab-${name}.gguf`));
  const entries = [...base.metadata].map(([k, v]) => [k, edit(k, v), base.metadataArrayTypes?.get(k) ?? base.metadataTypes.get(k)]);
  for (const [k, v, t] of ADDED) if (!base.metadata.has(k) && edit(k, undefined) !== undefined) entries.push([k, edit(k, v), t]);
  writeFileSync(file, gguf.writeGguf({ metadata: entries }));
  return llama.loadModel({ modelPath: file, vocabOnly: true });
}

const dir = mkdtempSync(join(tmpdir(), 'family-text-'));
const out = { reference: 'llama.cpp via node-llama-cpp 3.22.1 (vocab-only models)', spmNoSpacePrefix: {}, eog: {} };
try {
  const m = await rewritten('llama-spm', (k, v) => (k === 'tokenizer.ggml.add_space_prefix' ? false : v), join(dir, 'spm.gguf'));
  out.spmNoSpacePrefix = {
    source: "vocab/ggml-vocab-llama-spm.gguf with tokenizer.ggml.add_space_prefix = false (gemma's setting)",
    base: 'vocab/ggml-vocab-llama-spm.gguf',
    cases: [...inputs('llama-spm'), ...EXTRA].map((text) => {
      const ids = Array.from(m.tokenize(text, false));
      return { text, ids, decoded: m.detokenize(ids, false) };
    }),
  };
  await m.dispose();
  for (const [name, ids] of Object.entries(EOG_IDS)) {
    const pre = name === 'gpt-2' ? 'qwen2' : undefined; // qwen3's BPE setting
    const e = await rewritten(
      name,
      (k, v) => (k === 'tokenizer.ggml.tokens' ? v.map((t, i) => (ids.includes(i) ? EOG[ids.indexOf(i)] : t)) : k === 'tokenizer.ggml.pre' && pre ? pre : v),
      join(dir, `${name}-eog.gguf`),
    );
    const text = `Hi${EOG[0]} there${EOG[1]}!${EOG[2]}`;
    out.eog[name] = {
      source: `vocab/ggml-vocab-${name}.gguf with tokens ${ids.join(', ')} renamed ${EOG.join(', ')}${pre ? ` and tokenizer.ggml.pre = '${pre}'` : ''}`,
      pre,
      base: `vocab/ggml-vocab-${name}.gguf`,
      ids,
      texts: EOG,
      isEog: ids.map((id) => e.isEogToken(id)),
      text,
      parsed: Array.from(e.tokenize(text, true)),
    };
    await e.dispose();
  }
  writeFileSync(join(ROOT, 'test/vectors/text/families.json'), `${JSON.stringify(out, null, 1)}\n`);
  console.log(
    `families.json: ${out.spmNoSpacePrefix.cases.length} SPM cases, EOG ${JSON.stringify(Object.fromEntries(Object.entries(out.eog).map(([k, v]) => [k, v.isEog])))}`,
  );
} finally {
  await llama.dispose();
  rmSync(dir, { recursive: true, force: true });
}
