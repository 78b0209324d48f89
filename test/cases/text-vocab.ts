/**
 * llama.cpp's tokenizer vectors (../shared/fixtures/vocab/*.gguf.inp/.out, see its
 * SOURCES.md): the names of the vocab fixtures and the parsing of their files,
 * shared by the Node and the Chromium tests.
 */
import { createTokenizer, type Tokenizer } from '../../src/text/index.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { MemorySource } from '../../src/sources/memory.ts';
import { wellFormed } from '../../src/text/unicode.ts';
import { prng } from './prng.ts';

export const VOCAB_FIXTURES = ['llama-spm', 'phi-3', 'gpt-2', 'deepseek-llm', 'deepseek-coder', 'falcon', 'mpt', 'starcoder', 'bert-bge'] as const;

export interface VocabCase {
  text: string;
  ids: number[];
}

/** Pairs the `.inp` strings with the `.out` lines. */
export function parseVocabVectors(inp: string, out: string): VocabCase[] {
  const texts = inp.split('\n__ggml_vocab_test__\n');
  if (texts[texts.length - 1] === '') texts.pop();
  const lines = out.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (texts.length !== lines.length) throw new Error(`${texts.length} inputs but ${lines.length} outputs`);
  return texts.map((text, i) => {
    const line = lines[i].trim();
    return { text, ids: line ? line.split(' ').map(Number) : [] };
  });
}

/** What a vocab check needs, read from disk (Node) or fetched (browser). */
export interface VocabFiles {
  gguf: Uint8Array;
  inp: string;
  out: string;
  /** llama.cpp's decode of each case (test/vectors/text/detokenize.json). */
  detok: readonly string[];
}

export interface VocabReport {
  total: number;
  encodePass: number;
  decodePass: number;
  /** Cases whose text llama.cpp's decode gives back, and how many of those ours gives back. */
  roundTripCases: number;
  roundTripPass: number;
  failures: string[];
}

export async function tokenizerFromBytes(bytes: Uint8Array, name: string, pre?: string): Promise<Tokenizer> {
  const model = await parseGguf(new MemorySource(bytes, name));
  if (pre !== undefined) model.metadata.set('tokenizer.ggml.pre', pre);
  return createTokenizer(model);
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Every case encodes to llama.cpp's ids, and decodes to llama.cpp's text. */
export async function checkVocab(name: string, files: VocabFiles): Promise<VocabReport> {
  const tok = await tokenizerFromBytes(files.gguf, name);
  const cases = parseVocabVectors(files.inp, files.out);
  const r: VocabReport = { total: cases.length, encodePass: 0, decodePass: 0, roundTripCases: 0, roundTripPass: 0, failures: [] };
  cases.forEach((c, i) => {
    const got = tok.encode(c.text, { addSpecial: false });
    if (same(got, c.ids)) r.encodePass++;
    else r.failures.push(`${name} encode ${JSON.stringify(c.text)}: want [${c.ids}] got [${got}]`);
    const text = tok.decode(c.ids);
    if (text === files.detok[i]) r.decodePass++;
    else r.failures.push(`${name} decode [${c.ids}]: llama.cpp ${JSON.stringify(files.detok[i])} ours ${JSON.stringify(text)}`);
    if (files.detok[i] === c.text) {
      r.roundTripCases++;
      if (text === c.text) r.roundTripPass++;
    }
  });
  return r;
}

export interface PretokenizerVectors {
  pre: string;
  base: string;
  cases: { text: string; ids: number[] }[];
}

/** A BPE fixture with another `tokenizer.ggml.pre` encodes as llama.cpp encoded the rewritten file. */
export async function checkPretokenizer(baseBytes: Uint8Array, v: PretokenizerVectors): Promise<{ total: number; pass: number; failures: string[] }> {
  const tok = await tokenizerFromBytes(baseBytes, v.base, v.pre);
  const failures: string[] = [];
  for (const c of v.cases) {
    const got = tok.encode(c.text, { addSpecial: false });
    if (!same(got, c.ids)) failures.push(`${v.pre} ${JSON.stringify(c.text)}: want [${c.ids}] got [${got}]`);
  }
  return { total: v.cases.length, pass: v.cases.length - failures.length, failures };
}

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ' ',
  ' ',
  ' ',
  '\n',
  '\t',
  '\r',
  ...'.,;:!?\'"()[]{}<>/\\|-_=+*&^%$#@~`',
  'é',
  'ß',
  'Ω',
  'ж',
  'ñ',
  '\u0301',
  '中',
  '文',
  '日',
  '本',
  'ー',
  '한',
  '\u00a0',
  '\u3000',
  '\u200d',
  '\ufeff',
  '🦙',
  '🚀',
  '👩‍💻',
  '𝔘',
  '\ud800',
  '\udc00',
  '\udbff',
];

/** Random Unicode strings (lone surrogates included) from a seed. */
export function randomStrings(seed: number, count: number, maxLen = 24): string[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, () => {
    let s = '';
    const n = Math.floor(rnd() * maxLen);
    for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)];
    return s;
  });
}

/** decode(encode(s)) === s with lone surrogates as U+FFFD (llama.cpp's clean-up of " ." and " 's" avoided where it applies). */
export async function checkRoundTrip(name: string, bytes: Uint8Array, seed: number, count: number): Promise<string[]> {
  const tok = await tokenizerFromBytes(bytes, name);
  const cleans = name === 'gpt-2' || name === 'falcon' || name === 'mpt' || name === 'starcoder';
  const failures: string[] = [];
  for (let s of randomStrings(seed, count)) {
    if (cleans) s = s.replace(/ (?=[?!.,'])/g, '_');
    const want = wellFormed(s);
    const got = tok.decode(tok.encode(s, { addSpecial: false }));
    if (got !== want) failures.push(`${name}: ${JSON.stringify(s)} → ${JSON.stringify(got)}`);
  }
  return failures;
}
