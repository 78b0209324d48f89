/**
 * Every pre-tokenizer in the table compiles, and splits text into pieces that
 * join back to the text (the regexes only cut, never drop or add). Their
 * llama.cpp equivalence is checked by the vectors (text-vocab-vectors.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { PRE_TOKENIZERS } from '../../src/text/pretokenizers.ts';
import { compileSplitRegex, regexSplit } from '../../src/text/regex-split.ts';
import { randomStrings } from '../cases/text-vocab.ts';
import { wellFormed } from '../../src/text/unicode.ts';

const SAMPLES = [
  "Hello, world! It's 2024: 1234567 apples cost $3.50 (USD).",
  'snake_case = f(x)\n\n\tindented\r\n  trailing  ',
  'Ünïcödé naïve café — 中文字符 和 日本語 カタカナ 한국어 🦙🚀 ١٢٣ ½',
  "I'M DON'T we've THEY'LL",
  '',
  ' ',
];

describe('the pre-tokenizer table', () => {
  for (const [name, pre] of Object.entries(PRE_TOKENIZERS)) {
    it(`${name} (${pre.type}) splits text into pieces that join back to it`, () => {
      const regexes = pre.regexes.map(compileSplitRegex);
      for (const text of [...SAMPLES, ...randomStrings(3, 40).map(wellFormed)]) {
        const words = regexSplit(text, regexes);
        expect(words.join('')).toBe(text);
        expect(words.every((w) => w.length > 0)).toBe(true);
      }
    });
  }

  it("gpt-2's regex splits words, numbers, punctuation and spaces as llama.cpp's does", () => {
    const words = regexSplit("Hello world's  3.14!!\n", PRE_TOKENIZERS['gpt-2'].regexes.map(compileSplitRegex));
    expect(words).toEqual(['Hello', ' world', "'s", ' ', ' 3', '.', '14', '!!', '\n']);
  });

  it("llama 3's regex groups digits by three and keeps newlines apart", () => {
    const words = regexSplit("abc 1234567\n\nDON'T", PRE_TOKENIZERS['llama-bpe'].regexes.map(compileSplitRegex));
    expect(words).toEqual(['abc', ' ', '123', '456', '7', '\n\n', 'DON', "'T"]);
  });
});
