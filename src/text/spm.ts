/**
 * SentencePiece BPE with scores (llama.cpp's llm_tokenizer_spm): every
 * character starts as a symbol, the adjacent pair forming the vocabulary token
 * of highest score merges first (ties: leftmost), and a symbol that is no token
 * falls back to its UTF-8 bytes (`<0xNN>` tokens). Text is split before each
 * run of "▁" when no token could span that point (checked once per vocabulary),
 * so words can be cached without changing the result.
 */
import { PairTable } from './pair-table.ts';
import { utf8 } from './unicode.ts';
import type { Vocab } from './vocab.ts';
import { MergeSymbols, WordCache } from './merge-symbols.ts';

export class SpmEncoder {
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly splittable: boolean;
  private readonly cache = new WordCache((word, out) => this.encodeWord(word, out));
  private readonly sym = new MergeSymbols();
  /** The word being merged on the string path. */
  private word = '';
  /** (left id, right id) → id of the token their texts form; null for very large vocabularies. */
  private readonly pairs: PairTable | null;
  /** Token id + 1 of each one-unit character already looked up (0: not yet, -1: not a token). */
  private readonly charIds = new Int32Array(65536);

  constructor(private readonly vocab: Vocab) {
    for (let b = 0; b < 256; b++) {
      const id = vocab.tokenToId.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? vocab.tokenToId.get(String.fromCharCode(b));
      if (id !== undefined) this.byteIds[b] = id;
    }
    this.splittable = !vocab.tokens.some((t) => /[^\u2581]\u2581/.test(t));
    this.pairs = this.idPairs();
    this.charIds[0x20] = (vocab.tokenToId.get('\u2581') ?? -2) + 1; // a space is "▁"
  }

  /**
   * Every way to cut a token in two tokens, by ids, so merging needs no string
   * building: exact for words whose characters are all tokens (a merged symbol
   * always is one); other words take the string path.
   */
  private idPairs(): PairTable | null {
    const { tokenToId } = this.vocab;
    let splits = 0;
    for (const text of tokenToId.keys()) splits += Math.max(0, text.length - 1);
    if (splits > 4_000_000) return null;
    const pairs = new PairTable(splits);
    for (const [text, id] of tokenToId) {
      for (let k = 1; k < text.length; k++) {
        const c = text.charCodeAt(k);
        if (c >= 0xdc00 && c <= 0xdfff) continue; // inside a surrogate pair
        const a = tokenToId.get(text.slice(0, k));
        if (a === undefined) continue;
        const b = tokenToId.get(text.slice(k));
        if (b !== undefined) pairs.setIfAbsent(a, b, id);
      }
    }
    return pairs;
  }

  /** Pushes a candidate that makes token `id`, best score first. */
  private push(id: number, l: number, r: number, size: number): void {
    this.sym.heap.push(-(this.vocab.scores ? this.vocab.scores[id] : 0), l, r, size);
  }

  private readonly tryPair = (l: number, r: number): void => {
    const { ids, len } = this.sym;
    const id = this.pairs!.get(ids[l], ids[r]);
    if (id >= 0) this.push(id, l, r, len[l] + len[r]);
  };

  private readonly mergeIds = (l: number, r: number): void => {
    const { ids } = this.sym;
    ids[l] = this.pairs!.get(ids[l], ids[r]);
  };

  private readonly tryBigram = (l: number, r: number): void => {
    const { start, len } = this.sym;
    const size = len[l] + len[r];
    const id = this.vocab.tokenToId.get(this.word.substr(start[l], size));
    if (id !== undefined) this.push(id, l, r, size);
  };

  /** The merge loop on token ids; false (nothing written) when a character is not a token. */
  private encodeById(word: string, n: number, out: number[]): boolean {
    const { start, len, next, ids } = this.sym;
    const { tokenToId } = this.vocab;
    const charIds = this.charIds;
    for (let i = 0; i < n; i++) {
      let id: number;
      if (len[i] === 1) {
        const c = word.charCodeAt(start[i]);
        let k = charIds[c];
        if (k === 0) charIds[c] = k = (tokenToId.get(word[start[i]]) ?? -2) + 1; // (0x20 is preset to "▁")
        id = k - 1;
      } else id = tokenToId.get(word.substr(start[i], len[i])) ?? -1;
      if (id < 0) return false;
      ids[i] = id;
    }
    this.sym.merge(n, this.tryPair, this.mergeIds);
    for (let i = 0; i !== -1; i = next[i]) out.push(ids[i]);
    return true;
  }

  /**
   * Encodes text carrying its prefix space. Spaces stand for "▁" (the escaped
   * form llama.cpp tokenizes): the id path maps them to the "▁" token, the
   * string path escapes the word first, so the text itself is never copied.
   */
  encode(text: string, out: number[]): void {
    if (!this.splittable) {
      this.encodeWord(text, out);
      return;
    }
    let from = 0;
    let prevMark = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const mark = c === 0x20 || c === 0x2581;
      if (mark && !prevMark && i > from) {
        this.cache.encode(text.substring(from, i), out);
        from = i;
      }
      prevMark = mark;
    }
    this.cache.encode(text.substring(from), out);
  }

  private encodeWord(word: string, out: number[]): void {
    if (word.length === 0) return;
    if (!this.pairs) word = word.replaceAll(' ', '\u2581');
    this.sym.ensure(word.length);
    const { start, len, next } = this.sym;
    let n = 0;
    for (let i = 0; i < word.length; n++) {
      const c = word.charCodeAt(i);
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < word.length ? 2 : 1;
      start[n] = i;
      len[n] = w;
      i += w;
    }
    for (let i = 0; i < n; i++) this.sym.link(i, n);
    if (this.pairs) {
      if (this.encodeById(word, n, out)) return;
      word = word.replaceAll(' ', '\u2581'); // the string path works on the escaped text
    }
    this.word = word;
    this.sym.merge(n, this.tryBigram);
    for (let i = 0; i !== -1; i = next[i]) {
      const text = word.substr(start[i], len[i]);
      const id = this.vocab.tokenToId.get(text);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const b of utf8(text)) {
        const bid = this.byteIds[b];
        if (bid >= 0) out.push(bid);
        else if (this.vocab.unk !== null) out.push(this.vocab.unk);
      }
    }
  }
}
