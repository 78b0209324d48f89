/**
 * llama.cpp's own tokenizer vectors: every case of every vocab fixture encodes
 * (no BOS/EOS, no special parsing) to the ids llama.cpp's test-tokenizer-0 wrote.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { FileSource } from '../../src/sources/file.ts';
import { createTokenizer, type Tokenizer } from '../../src/text/index.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';
import { parseVocabVectors, VOCAB_FIXTURES } from '../cases/text-vocab.ts';

export async function vocabTokenizer(name: string): Promise<Tokenizer> {
  const source = await FileSource.open(fixturePath(`vocab/ggml-vocab-${name}.gguf`));
  try {
    return createTokenizer(await parseGguf(source));
  } finally {
    await source.close?.();
  }
}

describe('llama.cpp tokenizer vectors in Node', () => {
  for (const name of VOCAB_FIXTURES) {
    it(`${name}: every case encodes to llama.cpp's ids`, async () => {
      const tok = await vocabTokenizer(name);
      const path = fixturePath(`vocab/ggml-vocab-${name}.gguf`);
      const cases = parseVocabVectors(readFileSync(`${path}.inp`, 'utf8'), readFileSync(`${path}.out`, 'utf8'));
      expect(cases.length).toBe(46);
      const failed = cases
        .map((c) => ({ text: c.text, want: c.ids, got: tok.encode(c.text, { addSpecial: false }) }))
        .filter((r) => JSON.stringify(r.want) !== JSON.stringify(r.got));
      expect(failed).toEqual([]);
    });
  }
});
