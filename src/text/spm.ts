/**
 * SentencePiece BPE with scores (llama.cpp's llm_tokenizer_spm): every
 * character starts as a symbol, the adjacent pair forming the vocabulary token
 * of highest score merges first (ties: leftmost), and a symbol that is no token
 * falls back to its UTF-8 bytes (`<0xNN>` tokens). Text is split before each
 * run of "▁" when no token could span that point (checked once per vocabulary),
 * so words can be cached without changing the result.
 */
import { MergeHeap } from './heap.ts';
import { PairTable } from './pair-table.ts';
import { utf8 } from './unicode.ts';
import type { Vocab } from './vocab.ts';

const CACHE_LIMIT = 50_000;

export class SpmEncoder {
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly splittable: boolean;
  private readonly cache = new Map<string, number[]>();
  private readonly heap = new MergeHeap();
  private start = new Int32Array(256);
  private len = new Int32Array(256);
  private prev = new Int32Array(256);
  private next = new Int32Array(256);
  private ids = new Int32Array(256);
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

  private tryPair(l: number, r: number): void {
    if (l < 0 || r < 0) return;
    const id = this.pairs!.get(this.ids[l], this.ids[r]);
    if (id < 0) return;
    this.heap.push(-(this.vocab.scores ? this.vocab.scores[id] : 0), l, r, this.len[l] + this.len[r]);
  }

  /** The merge loop on token ids; false (nothing written) when a character is not a token. */
  private encodeById(word: string, n: number, out: number[]): boolean {
    const { start, len, next, prev, ids, heap } = this;
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
    heap.clear();
    for (let i = 1; i < n; i++) this.tryPair(i - 1, i);
    while (heap.length > 0) {
      heap.pop();
      const l = heap.topLeft;
      const r = heap.topRight;
      if (len[l] === 0 || len[r] === 0 || len[l] + len[r] !== heap.topSize) continue;
      ids[l] = this.pairs!.get(ids[l], ids[r]);
      len[l] += len[r];
      len[r] = 0;
      next[l] = next[r];
      if (next[r] >= 0) prev[next[r]] = l;
      this.tryPair(prev[l], l);
      this.tryPair(l, next[l]);
    }
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
        this.cached(text.substring(from, i), out);
        from = i;
      }
      prevMark = mark;
    }
    this.cached(text.substring(from), out);
  }

  private cached(word: string, out: number[]): void {
    let ids = this.cache.get(word);
    if (ids === undefined) {
      ids = [];
      this.encodeWord(word, ids);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  private ensure(n: number): void {
    if (this.start.length >= n) return;
    const size = Math.max(n, this.start.length * 2);
    this.start = new Int32Array(size);
    this.len = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.next = new Int32Array(size);
    this.ids = new Int32Array(size);
  }

  private tryBigram(word: string, l: number, r: number): void {
    if (l < 0 || r < 0) return;
    const size = this.len[l] + this.len[r];
    const id = this.vocab.tokenToId.get(word.substr(this.start[l], size));
    if (id === undefined) return;
    this.heap.push(-(this.vocab.scores ? this.vocab.scores[id] : 0), l, r, size);
  }

  private encodeWord(word: string, out: number[]): void {
    if (word.length === 0) return;
    if (!this.pairs) word = word.replaceAll(' ', '\u2581');
    this.ensure(word.length);
    const { start, len, prev, next, heap } = this;
    let n = 0;
    for (let i = 0; i < word.length; n++) {
      const c = word.charCodeAt(i);
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < word.length ? 2 : 1;
      start[n] = i;
      len[n] = w;
      prev[n] = n - 1;
      next[n] = i + w < word.length ? n + 1 : -1;
      i += w;
    }
    if (this.pairs) {
      if (this.encodeById(word, n, out)) return;
      word = word.replaceAll(' ', '\u2581'); // the string path works on the escaped text
    }
    heap.clear();
    for (let i = 1; i < n; i++) this.tryBigram(word, i - 1, i);
    while (heap.length > 0) {
      heap.pop();
      const l = heap.topLeft;
      const r = heap.topRight;
      if (len[l] === 0 || len[r] === 0 || len[l] + len[r] !== heap.topSize) continue;
      len[l] += len[r];
      len[r] = 0;
      next[l] = next[r];
      if (next[r] >= 0) prev[next[r]] = l;
      this.tryBigram(word, prev[l], l);
      this.tryBigram(word, l, next[l]);
    }
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
