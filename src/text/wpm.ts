/**
 * WordPiece (llama.cpp's llm_tokenizer_wpm, BERT): lowercase, strip accents,
 * split on whitespace and around punctuation and CJK, then longest-match tokens
 * over each word's UTF-8 bytes after a phantom "▁" (the GGUF writes word-initial
 * pieces with "▁" and continuation pieces without "##"). A word with no match is [UNK].
 */
import { CAT_MARK, CAT_PUNCT, CAT_SYMBOL, categoryOf, codePoints, isControl, isWhitespace, nfdFirst, toLower, utf8 } from './unicode.ts';
import type { Vocab } from './vocab.ts';

function isChinese(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** A string whose characters are the bytes of `s`'s UTF-8 (so substrings are byte ranges). */
function binary(s: string): string {
  let out = '';
  for (const b of utf8(s)) out += String.fromCharCode(b);
  return out;
}

export class WpmEncoder {
  private readonly byBytes = new Map<string, number>();
  private readonly maxLen: number;

  constructor(private readonly vocab: Vocab) {
    let maxLen = 0;
    vocab.tokens.forEach((t, id) => {
      const b = binary(t);
      this.byBytes.set(b, id);
      if (b.length > maxLen) maxLen = b.length;
    });
    this.maxLen = maxLen;
  }

  static words(text: string): string[] {
    const words: string[] = [''];
    for (let cp of codePoints(text)) {
      if (isWhitespace(cp)) {
        if (words[words.length - 1].length) words.push('');
        continue;
      }
      cp = nfdFirst(cp);
      const cat = categoryOf(cp);
      if (cp === 0 || cp === 0xfffd || isControl(cp) || cat === CAT_MARK) continue;
      const s = String.fromCodePoint(toLower(cp));
      if (cat === CAT_PUNCT || (cp < 0x7f && cat === CAT_SYMBOL) || isChinese(cp)) {
        if (words[words.length - 1].length) words.push('');
        words[words.length - 1] = s;
        words.push('');
      } else words[words.length - 1] += s;
    }
    if (!words[words.length - 1].length) words.pop();
    return words;
  }

  encode(text: string, out: number[]): void {
    for (const word of WpmEncoder.words(text)) {
      if (!word.length) continue;
      const w = binary('\u2581' + word);
      const n = w.length;
      const mark = out.length;
      for (let i = 0; i < n; i++) {
        let match = false;
        for (let j = Math.min(n, i + this.maxLen + 1); j > i; j--) {
          const id = this.byBytes.get(w.substring(i, j));
          if (id !== undefined) {
            out.push(id);
            match = true;
            i = j - 1;
            break;
          }
        }
        if (!match) {
          out.length = mark;
          break;
        }
      }
      if (out.length === mark && this.vocab.unk !== null) out.push(this.vocab.unk);
    }
  }
}
