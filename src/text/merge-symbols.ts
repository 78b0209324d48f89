/**
 * What the BPE and SPM encoders share: the symbols of one word as a doubly
 * linked list over typed arrays (reused across words), the merge loop that
 * joins the best adjacent pair until no candidate is left, and a bounded cache
 * of encoded words.
 */
import { MergeHeap } from './heap.ts';

const CACHE_LIMIT = 50_000;

/** Offers the pair of adjacent symbols (l, r) to the heap when it can merge. */
type PairCandidate = (l: number, r: number) => void;

export class MergeSymbols {
  readonly heap = new MergeHeap();
  /** Offset in the word where each symbol starts, its length in UTF-16 units (0: merged away), its token id. */
  start = new Int32Array(256);
  len = new Int32Array(256);
  prev = new Int32Array(256);
  next = new Int32Array(256);
  ids = new Int32Array(256);

  /** Room for n symbols. */
  ensure(n: number): void {
    if (this.start.length >= n) return;
    const size = Math.max(n, this.start.length * 2);
    this.start = new Int32Array(size);
    this.len = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.next = new Int32Array(size);
    this.ids = new Int32Array(size);
  }

  /** Symbol i is chained to i - 1 and i + 1 (-1 at the ends). */
  link(i: number, n: number): void {
    this.prev[i] = i - 1;
    this.next[i] = i + 1 < n ? i + 1 : -1;
  }

  /**
   * Offers the n first symbols' adjacent pairs, then merges the heap's best
   * pair while one is left, skipping stale candidates (a side already merged,
   * or grown since). `merged` runs before the right symbol joins the left one.
   */
  merge(n: number, candidate: PairCandidate, merged?: PairCandidate): void {
    const { len, prev, next, heap } = this;
    heap.clear();
    for (let i = 1; i < n; i++) candidate(i - 1, i);
    while (heap.length > 0) {
      heap.pop();
      const l = heap.topLeft;
      const r = heap.topRight;
      if (len[l] === 0 || len[r] === 0 || len[l] + len[r] !== heap.topSize) continue;
      merged?.(l, r);
      len[l] += len[r];
      len[r] = 0;
      next[l] = next[r];
      if (next[r] >= 0) prev[next[r]] = l;
      if (prev[l] >= 0) candidate(prev[l], l);
      if (next[l] >= 0) candidate(l, next[l]);
    }
  }
}

/** Encoded words by their text, cleared when full. */
export class WordCache {
  private readonly words = new Map<string, number[]>();

  constructor(private readonly encodeWord: (word: string, out: number[]) => void) {}

  /** Appends the ids of `word` to `out`, encoding it on a miss. */
  encode(word: string, out: number[]): void {
    let ids = this.words.get(word);
    if (ids === undefined) {
      ids = [];
      this.encodeWord(word, ids);
      if (this.words.size >= CACHE_LIMIT) this.words.clear();
      this.words.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }
}
