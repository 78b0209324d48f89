/**
 * llama.cpp's own tokenizer vectors, in Node: every case of every vocab fixture
 * encodes (no BOS/EOS, no special parsing) to the ids llama.cpp's
 * test-tokenizer-0 wrote, and decodes to what llama.cpp's llama_detokenize gives;
 * the pre-tokenizers without a fixture match llama.cpp on a rewritten vocab;
 * random Unicode strings survive encode → decode.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, REPO_ROOT } from '../cases/fixtures-dir.ts';
import { checkPretokenizer, checkRoundTrip, checkVocab, VOCAB_FIXTURES, type PretokenizerVectors } from '../cases/text-vocab.ts';

const detokenized = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/text/detokenize.json`, 'utf8')) as { vocabs: Record<string, string[]> };
const vocabBytes = (name: string) => new Uint8Array(readFileSync(fixturePath(`vocab/ggml-vocab-${name}.gguf`)));

describe('llama.cpp tokenizer vectors (Node)', () => {
  for (const name of VOCAB_FIXTURES) {
    it(`${name}: all 46 cases encode to llama.cpp's ids and decode to llama.cpp's text`, async () => {
      const path = fixturePath(`vocab/ggml-vocab-${name}.gguf`);
      const r = await checkVocab(name, {
        gguf: vocabBytes(name),
        inp: readFileSync(`${path}.inp`, 'utf8'),
        out: readFileSync(`${path}.out`, 'utf8'),
        detok: detokenized.vocabs[name],
      });
      expect(r.failures).toEqual([]);
      expect([r.total, r.encodePass, r.decodePass]).toEqual([46, 46, 46]);
      expect(r.roundTripPass).toBe(r.roundTripCases);
    });
  }
});

describe('pre-tokenizers without a fixture, against llama.cpp on the gpt-2 vocab rewritten', () => {
  for (const pre of ['llama-bpe', 'qwen2', 'smollm']) {
    it(`${pre}: every recorded case matches`, async () => {
      const v = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/text/pretokenizer-${pre}.json`, 'utf8')) as PretokenizerVectors;
      const r = await checkPretokenizer(new Uint8Array(readFileSync(fixturePath(v.base))), v);
      expect(r.failures).toEqual([]);
      expect(r.total).toBeGreaterThan(60);
    });
  }
});

describe('decode(encode(s)) gives s back for random Unicode strings', () => {
  for (const name of VOCAB_FIXTURES.filter((n) => n !== 'bert-bge')) {
    it(`${name} (lone surrogates come back as U+FFFD)`, async () => {
      expect(await checkRoundTrip(name, vocabBytes(name), 7, 300)).toEqual([]);
    });
  }
});

describe('special tokens against llama.cpp (test/vectors/text/special.json)', () => {
  const special = JSON.parse(readFileSync(`${REPO_ROOT}/test/vectors/text/special.json`, 'utf8')) as {
    vocabs: Record<string, { text: string; plain: number[]; parsed: number[] }[]>;
  };
  for (const [name, cases] of Object.entries(special.vocabs)) {
    it(`${name}: control tokens only with parseSpecial, user-defined always, phi-3's stripped whitespace`, async () => {
      const { tokenizerFromBytes } = await import('../cases/text-vocab.ts');
      const tok = await tokenizerFromBytes(vocabBytes(name), name);
      const got = cases.map((c) => ({
        text: c.text,
        plain: tok.encode(c.text, { addSpecial: false }),
        parsed: tok.encode(c.text, { addSpecial: false, parseSpecial: true }),
      }));
      expect(got).toEqual(cases);
    });
  }
});
