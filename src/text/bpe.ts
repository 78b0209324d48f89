/**
 * Byte-level BPE (llama.cpp's llm_tokenizer_bpe): the pre-tokenizer's regexes
 * cut the text into words, each word's UTF-8 bytes become GPT-2 byte characters,
 * and the adjacent pair of lowest merge rank merges first (ties: leftmost),
 * through a priority queue. Words are cached (by their text before byte encoding).
 */
import { MergeHeap } from './heap.ts';
import { PairTable } from './pair-table.ts';
import { compileSplitRegex, regexSplit, type SplitRegex } from './regex-split.ts';
import { byteEncode } from './unicode.ts';
import type { Vocab } from './vocab.ts';

const CACHE_LIMIT = 50_000;

export class BpeEncoder {
  private readonly regexes: SplitRegex[];
  private readonly ranks: Map<string, number>;
  private readonly ignoreMerges: boolean;
  private readonly cache = new Map<string, number[]>();
  private readonly heap = new MergeHeap();
  private len = new Int32Array(256);
  private prev = new Int32Array(256);
  private next = new Int32Array(256);
  private ids = new Int32Array(256);
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
    for (const word of regexSplit(text, this.regexes)) {
      let ids = this.cache.get(word);
      if (ids === undefined) {
        ids = [];
        this.encodeWord(byteEncode(word), ids);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(word, ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    }
  }

  private addBigram(w: string, l: number, r: number): void {
    if (l < 0 || r < 0) return;
    const rank = this.ranks.get(w.substr(l, this.len[l]) + ' ' + w.substr(r, this.len[r]));
    if (rank === undefined) return;
    this.heap.push(rank, l, r, this.len[l] + this.len[r]);
  }

  private addPair(l: number, r: number): void {
    if (l < 0 || r < 0) return;
    const a = this.ids[l];
    const b = this.ids[r];
    if (a < 0 || b < 0) return;
    const v = this.pairs!.get(a, b);
    if (v < 0) return;
    this.heap.push(Math.floor(v / 4194304), l, r, this.len[l] + this.len[r]);
  }

  private encodeWordById(w: string, out: number[]): void {
    const n = w.length;
    const { len, prev, next, ids, heap, charIds } = this;
    const pairs = this.pairs!;
    for (let i = 0; i < n; i++) {
      const c = w.charCodeAt(i);
      len[i] = 1;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      ids[i] = c < charIds.length ? charIds[c] : -1;
    }
    heap.clear();
    for (let i = 1; i < n; i++) this.addPair(i - 1, i);
    while (heap.length > 0) {
      heap.pop();
      const l = heap.topLeft;
      const r = heap.topRight;
      if (len[l] === 0 || len[r] === 0 || len[l] + len[r] !== heap.topSize) continue;
      ids[l] = pairs.get(ids[l], ids[r]) % 4194304;
      len[l] += len[r];
      len[r] = 0;
      next[l] = next[r];
      if (next[r] >= 0) prev[next[r]] = l;
      this.addPair(prev[l], l);
      this.addPair(l, next[l]);
    }
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
    if (this.len.length < n) {
      const size = Math.max(n, this.len.length * 2);
      this.len = new Int32Array(size);
      this.prev = new Int32Array(size);
      this.next = new Int32Array(size);
      this.ids = new Int32Array(size);
    }
    if (this.pairs) {
      this.encodeWordById(w, out);
      return;
    }
    const { len, prev, next, heap } = this;
    for (let i = 0; i < n; i++) {
      len[i] = 1;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    heap.clear();
    for (let i = 1; i < n; i++) this.addBigram(w, i - 1, i);
    while (heap.length > 0) {
      heap.pop();
      const l = heap.topLeft;
      const r = heap.topRight;
      if (len[l] === 0 || len[r] === 0 || len[l] + len[r] !== heap.topSize) continue;
      len[l] += len[r];
      len[r] = 0;
      next[l] = next[r];
      if (next[r] >= 0) prev[next[r]] = l;
      this.addBigram(w, prev[l], l);
      this.addBigram(w, l, next[l]);
    }
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
