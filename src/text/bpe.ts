/**
 * Byte-level BPE (llama.cpp's llm_tokenizer_bpe): the pre-tokenizer's regexes
 * cut the text into words, each word's UTF-8 bytes become GPT-2 byte characters,
 * and the adjacent pair of lowest merge rank merges first (ties: leftmost),
 * through a priority queue. Words are cached (by their text before byte encoding).
 */
import { PairTable } from './pair-table.ts';
import { compileSplitRegex, regexSplit, type SplitRegex } from './regex-split.ts';
import { byteEncode } from './unicode.ts';
import type { Vocab } from './vocab.ts';
import { MergeSymbols, WordCache } from './merge-symbols.ts';

export class BpeEncoder {
  private readonly regexes: SplitRegex[];
  private readonly ranks: Map<string, number>;
  private readonly ignoreMerges: boolean;
  private readonly cache = new WordCache((word, out) => this.encodeWord(byteEncode(word), out));
  private readonly sym = new MergeSymbols();
  /** The word being merged on the string path. */
  private word = '';
  /** Merges by token ids: (left id, right id) → rank × 2^22 + merged id; null when some merge is not between tokens. */
  private readonly pairs: PairTable | null;
  /** Token id of each GPT-2 byte character (by char code), or -1. */
  private readonly charIds = new Int32Array(0x144).fill(-1);

  constructor(private readonly vocab: Vocab) {
    if (!vocab.pre || !vocab.mergeRanks) throw new Error('BpeEncoder needs a gpt2 vocabulary');
    this.regexes = vocab.pre.regexes.map(compileSplitRegex);
    this.ranks = vocab.mergeRanks;
    this.ignoreMerges = vocab.pre.ignoreMerges ?? false;
    for (let c = 0; c < this.charIds.length; c++) this.charIds[c] = vocab.tokenToId.get(String.fromCharCode(c)) ?? -1;
    this.pairs = this.idPairs();
  }

  /**
   * When every merge joins two tokens into a token, merging by ids is the same
   * as merging by strings (a symbol's text and id determine each other), and
   * needs no string building or hashing.
   */
  private idPairs(): PairTable | null {
    const n = this.vocab.tokens.length;
    if (n >= 1 << 22) return null;
    const pairs = new PairTable(this.ranks.size);
    for (const [m, rank] of this.ranks) {
      const sp = m.indexOf(' ', 1);
      const a = this.vocab.tokenToId.get(m.slice(0, sp));
      const b = this.vocab.tokenToId.get(m.slice(sp + 1));
      const r = this.vocab.tokenToId.get(m.slice(0, sp) + m.slice(sp + 1));
      if (a === undefined || b === undefined || r === undefined) return null;
      pairs.setIfAbsent(a, b, rank * 4194304 + r);
    }
    return pairs;
  }

  /** The pre-tokenizer's words of a text (exposed for tests). */
  words(text: string): string[] {
    return regexSplit(text, this.regexes);
  }

  encode(text: string, out: number[]): void {
    for (const word of regexSplit(text, this.regexes)) this.cache.encode(word, out);
  }

  private readonly addBigram = (l: number, r: number): void => {
    const { len } = this.sym;
    const rank = this.ranks.get(this.word.substr(l, len[l]) + ' ' + this.word.substr(r, len[r]));
    if (rank === undefined) return;
    this.sym.heap.push(rank, l, r, len[l] + len[r]);
  };

  private readonly addPair = (l: number, r: number): void => {
    const { ids, len } = this.sym;
    const a = ids[l];
    const b = ids[r];
    if (a < 0 || b < 0) return;
    const v = this.pairs!.get(a, b);
    if (v < 0) return;
    this.sym.heap.push(Math.floor(v / 4194304), l, r, len[l] + len[r]);
  };

  private readonly mergeIds = (l: number, r: number): void => {
    const { ids } = this.sym;
    ids[l] = this.pairs!.get(ids[l], ids[r]) % 4194304;
  };

  private encodeWordById(w: string, out: number[]): void {
    const { ids, next } = this.sym;
    const { charIds } = this;
    for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      ids[i] = c < charIds.length ? charIds[c] : -1;
    }
    this.sym.merge(w.length, this.addPair, this.mergeIds);
    for (let i = 0; i !== -1; i = next[i]) {
      if (ids[i] >= 0) out.push(ids[i]);
      // an unmapped byte character: llama.cpp's per-byte lookup only finds ASCII ones, and those are mapped
    }
  }

  /** Symbols are indexed by their start offset in `w` (every byte character is one UTF-16 unit). */
  private encodeWord(w: string, out: number[]): void {
    const n = w.length;
    if (n === 0) return;
    const { tokenToId } = this.vocab;
    if (this.ignoreMerges) {
      const whole = tokenToId.get(w);
      if (whole !== undefined) {
        out.push(whole);
        return;
      }
    }
    this.sym.ensure(n);
    const { len, next } = this.sym;
    for (let i = 0; i < n; i++) {
      len[i] = 1;
      this.sym.link(i, n);
    }
    if (this.pairs) {
      this.encodeWordById(w, out);
      return;
    }
    this.word = w;
    this.sym.merge(n, this.addBigram);
    for (let i = 0; i !== -1; i = next[i]) {
      const text = w.substr(i, len[i]);
      const id = tokenToId.get(text);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      // llama.cpp looks each UTF-8 byte of the symbol up alone: only ASCII byte characters can match.
      for (let j = 0; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (c >= 0x80) continue;
        const bid = tokenToId.get(text[j]);
        if (bid !== undefined) out.push(bid);
      }
    }
  }
}
