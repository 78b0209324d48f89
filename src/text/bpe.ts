/**
 * Byte-level BPE (llama.cpp's llm_tokenizer_bpe): the pre-tokenizer's regexes
 * cut the text into words, each word's UTF-8 bytes become GPT-2 byte characters,
 * and the adjacent pair of lowest merge rank merges first (ties: leftmost),
 * through a priority queue. Words are cached.
 */
import { MergeHeap } from './heap.ts';
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

  constructor(private readonly vocab: Vocab) {
    if (!vocab.pre || !vocab.mergeRanks) throw new Error('BpeEncoder needs a gpt2 vocabulary');
    this.regexes = vocab.pre.regexes.map(compileSplitRegex);
    this.ranks = vocab.mergeRanks;
    this.ignoreMerges = vocab.pre.ignoreMerges ?? false;
  }

  /** The pre-tokenizer's words of a text (exposed for tests). */
  words(text: string): string[] {
    return regexSplit(text, this.regexes);
  }

  encode(text: string, out: number[]): void {
    for (const word of regexSplit(text, this.regexes)) {
      const w = byteEncode(word);
      let ids = this.cache.get(w);
      if (ids === undefined) {
        ids = [];
        this.encodeWord(w, ids);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(w, ids);
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
    }
    const { len, prev, next, heap } = this;
    for (let i = 0; i < n; i++) {
      len[i] = 1; prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1;
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
        if (c >= 0x80) { j += 0; continue; }
        const bid = tokenToId.get(text[j]);
        if (bid !== undefined) out.push(bid);
      }
    }
  }
}
