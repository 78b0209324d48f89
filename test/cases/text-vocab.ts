/**
 * llama.cpp's tokenizer vectors (../shared/fixtures/vocab/*.gguf.inp/.out, see its
 * SOURCES.md): the names of the vocab fixtures and the parsing of their files,
 * shared by the Node and the Chromium tests.
 */
export const VOCAB_FIXTURES = ['llama-spm', 'phi-3', 'gpt-2', 'deepseek-llm', 'deepseek-coder', 'falcon', 'mpt', 'starcoder', 'bert-bge'] as const;
export type VocabFixture = (typeof VOCAB_FIXTURES)[number];

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
