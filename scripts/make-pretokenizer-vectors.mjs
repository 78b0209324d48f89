#!/usr/bin/env node
/**
 * Dev script (run by hand; tests only read what it writes): reference vectors
 * from llama.cpp itself, through node-llama-cpp, for what the shared fixtures
 * do not cover.
 *
 * 1. Pre-tokenizers without a vocab fixture (llama-bpe, qwen2, smollm): the
 *    gpt-2 vocab fixture is rewritten by the project's GGUF writer with that
 *    `tokenizer.ggml.pre`, and llama.cpp tokenizes the 46 shared inputs plus a
 *    few that separate the regexes → test/vectors/text/pretokenizer-<pre>.json.
 * 2. Detokenization: llama.cpp's llama_detokenize (remove_special = false) of
 *    every fixture case's ids → test/vectors/text/detokenize.json.
 * 3. Special tokens: texts holding control and user-defined tokens, tokenized
 *    with and without parse_special → test/vectors/text/special.json.
 *
 * Needs node-llama-cpp 3.22.1 installed OUTSIDE the repository (see
 * ../shared/TOOLCHAIN.md):
 *   NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --omit=optional node-llama-cpp@3.22.1 @node-llama-cpp/linux-x64@3.22.1
 * then: NODE_LLAMA_CPP_DIR=<that folder> node scripts/make-pretokenizer-vectors.mjs
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FIXTURES = process.env.GGUF_PAGER_FIXTURES ? resolve(process.env.GGUF_PAGER_FIXTURES) : resolve(ROOT, '../shared/fixtures');
const OUT = join(ROOT, 'test/vectors/text');
const NLC = process.env.NODE_LLAMA_CPP_DIR;
if (!NLC) {
  console.error('set NODE_LLAMA_CPP_DIR to the folder where node-llama-cpp is installed');
  process.exit(2);
}
const BASE = 'gpt-2';
const PRES = ['llama-bpe', 'qwen2', 'smollm'];
const VOCABS = ['llama-spm', 'phi-3', 'gpt-2', 'deepseek-llm', 'deepseek-coder', 'falcon', 'mpt', 'starcoder', 'bert-bge'];
/** Inputs that tell the pre-tokenizers apart (contractions in capitals, digit runs, newlines, Unicode spaces). */
const EXTRA = [
  "I'M SURE YOU'LL SEE, DON'T WE'VE",
  "they're 'RE 'Ll",
  '1234567 89 0',
  '12345abc 678',
  'a\n\nb\r\n\r\nc  \n d',
  'tab\tsep\t\tx',
  ' \u00a0non-break\u3000ideographic\u2003em',
  'x    y     z',
  '  leading and trailing  ',
  'αβγ ΔΕΖ Ünïcödé naïve',
  '中文字符 和 日本語 カタカナ 한국어',
  '🦙🦙 llama 🚀 emoji',
  '$100+200=<300>^~|`',
  '...!!!???',
  'snake_case_name = f(x, y)',
  '\u2581 sentencepiece mark',
  'one\u2028two\u2029three',
  '\ufeffbom',
];

/** Pretty enough to review: one case (or one decoded string) per line. */
function stringify(obj, listKey) {
  const { [listKey]: list, ...head } = obj;
  const body = Array.isArray(list)
    ? `[\n${list.map((x) => '  ' + JSON.stringify(x)).join(',\n')}\n ]`
    : `{\n${Object.entries(list)
        .map(([k, v]) => `  ${JSON.stringify(k)}: [\n${v.map((x) => '   ' + JSON.stringify(x)).join(',\n')}\n  ]`)
        .join(',\n')}\n }`;
  return `${JSON.stringify(head, null, 1).slice(0, -2)},\n ${JSON.stringify(listKey)}: ${body}\n}\n`;
}

const build = mkdtempSync(join(tmpdir(), 'pretok-vectors-'));
try {
  const tsc = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node.json', '--outDir', join(build, 'dist')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  writeFileSync(join(build, 'dist/package.json'), '{ "type": "module" }\n');
  const gguf = await import(pathToFileURL(join(build, 'dist/src/gguf/index.js')).href);
  const { FileSource } = await import(pathToFileURL(join(build, 'dist/src/sources/file.js')).href);
  const { getLlama } = await import(pathToFileURL(join(resolve(NLC), 'node_modules/node-llama-cpp/dist/index.js')).href);
  const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, usePrebuiltBinaries: true });

  const inputs = (name) =>
    readFileSync(join(FIXTURES, `vocab/ggml-vocab-${name}.gguf.inp`), 'utf8')
      .split('\n__ggml_vocab_test__\n')
      .filter((s, i, a) => i < a.length - 1 || s !== '');
  const parsed = async (path) => {
    const src = await FileSource.open(path);
    try {
      return await gguf.parseGguf(src);
    } finally {
      await src.close?.();
    }
  };
  mkdirSync(OUT, { recursive: true });

  // 1. pre-tokenizers on a rewritten vocab
  const base = await parsed(join(FIXTURES, `vocab/ggml-vocab-${BASE}.gguf`));
  const texts = [...inputs(BASE), ...EXTRA];
  for (const pre of PRES) {
    const entries = [...base.metadata].map(([k, v]) => [k, k === 'tokenizer.ggml.pre' ? pre : v, base.metadataArrayTypes?.get(k) ?? base.metadataTypes.get(k)]);
    const file = join(build, `vocab-${pre}.gguf`);
    writeFileSync(file, gguf.writeGguf({ metadata: entries }));
    const model = await llama.loadModel({ modelPath: file, vocabOnly: true });
    const cases = texts.map((text) => ({ text, ids: Array.from(model.tokenize(text, false)) }));
    await model.dispose();
    const out = {
      source: `ggml-vocab-${BASE}.gguf with tokenizer.ggml.pre = '${pre}'`,
      base: `vocab/ggml-vocab-${BASE}.gguf`,
      pre,
      reference: 'llama.cpp via node-llama-cpp 3.22.1, model.tokenize(text, false): no BOS/EOS, no special parsing',
      cases,
    };
    writeFileSync(join(OUT, `pretokenizer-${pre}.json`), stringify(out, 'cases'));
    console.log(`pretokenizer-${pre}.json: ${cases.length} cases`);
  }

  // 2. llama.cpp's decode of each fixture case
  const detok = {
    reference: 'llama.cpp llama_detokenize(remove_special = false, unparse_special = false) via node-llama-cpp 3.22.1 model.detokenize(ids)',
    vocabs: {},
  };
  for (const name of VOCABS) {
    const path = join(FIXTURES, `vocab/ggml-vocab-${name}.gguf`);
    const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
    const lines = readFileSync(`${path}.out`, 'utf8')
      .split('\n')
      .filter((l, i, a) => i < a.length - 1 || l !== '');
    detok.vocabs[name] = lines.map((l) => model.detokenize(l.trim() ? l.trim().split(' ').map(Number) : [], false));
    await model.dispose();
  }
  writeFileSync(join(OUT, 'detokenize.json'), stringify(detok, 'vocabs'));
  console.log('detokenize.json written');
  // 3. special tokens, with and without parse_special (never BOS/EOS)
  const SPECIAL_TEXTS = {
    'phi-3': ['<|user|>\nHello<|end|>\n<|assistant|>\n', '<s> <|system|>  x </s>', 'a<|endoftext|>b', '<|placeholder1|>  <unk>'],
    'llama-spm': ['<s>Hi</s>', ' <s> x', '<unk><0x41>'],
    'gpt-2': ['a<|endoftext|>b', '<|endoftext|><|endoftext|>', ' <|endoftext|> '],
    starcoder: ['<fim_prefix>def f():<fim_suffix>\n<fim_middle>', '<|endoftext|>x', '<filename>a.py\n'],
    'deepseek-coder': ['<｜fim▁begin｜>x<｜fim▁hole｜>y<｜fim▁end｜>', '<｜begin▁of▁sentence｜>Hi', 'øö ú'],
    mpt: ['a    b', '<|endoftext|>  x', '<|padding|>'],
  };
  const special = { reference: 'llama.cpp via node-llama-cpp 3.22.1, model.tokenize(text, specialTokens): no BOS/EOS', vocabs: {} };
  for (const [name, texts] of Object.entries(SPECIAL_TEXTS)) {
    const model = await llama.loadModel({ modelPath: join(FIXTURES, `vocab/ggml-vocab-${name}.gguf`), vocabOnly: true });
    special.vocabs[name] = texts.map((text) => ({ text, plain: Array.from(model.tokenize(text, false)), parsed: Array.from(model.tokenize(text, true)) }));
    await model.dispose();
  }
  writeFileSync(join(OUT, 'special.json'), stringify(special, 'vocabs'));
  console.log('special.json written');
  await llama.dispose();
} finally {
  rmSync(build, { recursive: true, force: true });
}
