/**
 * A model's KV cache: one sequence of the core's KV pool per layer (pages of
 * f16 or f32, taken as tokens are appended, counted in the budget), the token
 * ids whose K and V they hold, and the context length that bounds them.
 * Truncating to a prefix (prefix reuse after the token lists diverge) copies
 * the kept tokens into fresh sequences: the pool has no truncate, and a copy of
 * K/V is far cheaper than recomputing them.
 *
 * A sliding-window layer (window W > 0) keeps its KV in a ring of pages: after
 * each batch, every first page whose tokens no later query can see (all before
 * position length + 1 − W) is freed, so between batches the layer holds at most
 * W − 1 + tokensPerPage tokens (and a batch more while it is computed), and
 * token t of the layer is at index t − dropped(layer) of its sequence.
 */
import { GgufPagerError } from '../errors.ts';
import type { KvCachePool } from '../core/kv-pool.ts';

export class KvCache {
  /** Token ids whose K and V are in the sequences, in order. */
  readonly tokens: number[] = [];
  private seqs: number[];
  /** Tokens freed from the front of each layer's sequence (always 0 on a layer without a window). */
  private drops: number[];
  private disposed = false;
  readonly tokensPerPage: number;

  constructor(
    private readonly pool: KvCachePool,
    private readonly memory: WebAssembly.Memory,
    readonly nLayer: number,
    readonly kvDim: number,
    readonly contextLength: number,
    private readonly label: string,
    /** Per layer: its attention window in tokens, 0 for a layer that sees the whole context. */
    readonly windows: readonly number[] = [],
  ) {
    this.tokensPerPage = pool.tokensPerPage(kvDim);
    if (this.tokensPerPage === 0) {
      throw new GgufPagerError('INVALID_ARGUMENT', `${label}: one token's K and V (2 × ${kvDim}) do not fit a KV page of ${pool.pageSize} elements`, {
        kvDim,
        pageSize: pool.pageSize,
      });
    }
    this.seqs = [];
    this.drops = new Array<number>(nLayer).fill(0);
    try {
      for (let l = 0; l < nLayer; l++) this.seqs.push(pool.seqCreate());
    } catch (e) {
      for (const s of this.seqs) pool.seqFree(s);
      throw e;
    }
  }

  get length(): number {
    return this.tokens.length;
  }

  seq(layer: number): number {
    return this.seqs[layer];
  }

  /** Tokens dropped from the front of layer `layer`'s sequence (a sliding window's ring), so stored index = position − dropped. */
  dropped(layer: number): number {
    return this.drops[layer];
  }

  /** Pages a context of `n` tokens takes over all layers at most (rings: W − 1 + a page + a batch of `batch`), and one layer's most (the rebuild spare). */
  static pagesFor(windows: readonly number[], nLayer: number, tokensPerPage: number, n: number, batch: number): { total: number; layer: number } {
    const per = (l: number): number => {
      const w = windows[l] ?? 0;
      return Math.ceil((w > 0 ? Math.min(n, w - 1 + tokensPerPage + batch) : n) / tokensPerPage);
    };
    let total = 0;
    let layer = 0;
    for (let l = 0; l < nLayer; l++) {
      total += per(l);
      layer = Math.max(layer, per(l));
    }
    return { total, layer };
  }

  /** Pages one layer's sequence needs for `n` tokens. */
  pagesFor(n: number): number {
    return Math.ceil(n / this.tokensPerPage);
  }

  /** Throws CONTEXT_FULL or KV_EXHAUSTED before a batch of `n` tokens would overflow (nothing is appended then). */
  reserve(n: number): void {
    const len = this.length;
    if (len + n > this.contextLength) {
      throw new GgufPagerError('CONTEXT_FULL', `${this.label}: ${len} tokens cached + ${n} new exceed the context length ${this.contextLength}`, {
        cached: len,
        adding: n,
        contextLength: this.contextLength,
      });
    }
    let need = 0;
    for (let l = 0; l < this.nLayer; l++) need += this.pagesFor(len - this.drops[l] + n) - this.pagesFor(len - this.drops[l]);
    if (need > this.pool.freePages) {
      throw new GgufPagerError('KV_EXHAUSTED', `${this.label}: ${n} more tokens need ${need} KV pages, ${this.pool.freePages} are free`, {
        need,
        free: this.pool.freePages,
      });
    }
  }

  /** Appends `n` tokens' K and V (f32, n × kvDim each, at byte pointers) to layer `layer`. */
  append(layer: number, kPtr: number, vPtr: number, n: number): void {
    const d = this.kvDim;
    const buf = this.memory.buffer;
    for (let i = 0; i < n; i++) {
      this.pool.seqAppend(this.seqs[layer], new Float32Array(buf, kPtr + i * d * 4, d), new Float32Array(buf, vPtr + i * d * 4, d));
    }
  }

  /** Records the ids of tokens appended to every layer, then frees the pages that left every window. */
  commit(ids: readonly number[]): void {
    this.tokens.push(...ids);
    const T = this.tokensPerPage;
    for (let l = 0; l < this.nLayer; l++) {
      const w = this.windows[l] ?? 0;
      if (w <= 0) continue;
      while (this.drops[l] + T <= this.length + 1 - w && this.pool.seqLength(this.seqs[l]) > T) {
        this.pool.seqDropFirst(this.seqs[l]);
        this.drops[l] += T;
      }
    }
  }

  /**
   * Keeps the first n tokens. A sliding layer that no longer holds the window the next position needs
   * (its ring freed them) cannot be cut back that far: then every token is dropped (length 0), and the
   * caller computes the prompt again.
   */
  truncate(n: number): void {
    if (n >= this.length) return;
    const lost = this.windows.some((w, l) => w > 0 && this.drops[l] > Math.max(0, n + 1 - w));
    if (n === 0 || lost) return this.clear();
    this.rebuild((t) => t < n);
    this.tokens.length = n;
  }

  /**
   * Rebuilds each layer's sequence with the tokens `keep` accepts, in order (K
   * passed through `edit` first), one layer at a time so that only one layer's
   * pages are needed beside the cache. On a failure the cache is cleared (the
   * layers would otherwise hold different tokens).
   */
  private rebuild(keep: (t: number) => boolean, edit?: (t: number, k: Float32Array, layer: number) => void): void {
    const dim = this.kvDim;
    const T = this.tokensPerPage;
    const n = this.length;
    const k = new Float32Array(dim);
    const v = new Float32Array(dim);
    try {
      for (let l = 0; l < this.nLayer; l++) {
        const s = this.pool.seqCreate();
        const d = this.drops[l];
        let kept = 0;
        try {
          const pages = this.pool.seqPages(this.seqs[l]);
          for (let t = 0; t < n; t++) {
            if (!keep(t)) continue;
            if (t < d) {
              // freed by the ring: still counted, so the kept tokens after it keep their positions
              kept++;
              continue;
            }
            const i = t - d;
            const page = this.pool.page(pages[Math.floor(i / T)]);
            const slot = i % T;
            decode(page, slot * dim, k);
            decode(page, (T + slot) * dim, v);
            edit?.(t, k, l);
            this.pool.seqAppend(s, k, v);
          }
        } catch (e) {
          this.pool.seqFree(s);
          throw e;
        }
        this.pool.seqFree(this.seqs[l]);
        this.seqs[l] = s;
        this.drops[l] = kept;
      }
    } catch (e) {
      this.clear();
      throw e;
    }
  }

  /**
   * Context shift: keeps the first `keep` tokens, drops the `drop` after them,
   * and moves the rest down by `drop` positions; `rotateK` re-rotates each moved
   * token's K (f32, in place) by −drop positions, as llama.cpp does.
   */
  shift(keep: number, drop: number, rotateK: (k: Float32Array, layer: number) => void): void {
    const n = this.length;
    if (drop <= 0 || keep + drop > n) return;
    this.rebuild(
      (t) => t < keep || t >= keep + drop,
      (t, k, l) => {
        if (t >= keep + drop) rotateK(k, l);
      },
    );
    this.tokens.splice(keep, drop);
  }

  /** Drops every token (frees the pages; the sequences stay). */
  clear(): void {
    const fresh: number[] = [];
    for (const s of this.seqs) {
      this.pool.seqFree(s);
      fresh.push(this.pool.seqCreate());
    }
    this.seqs = fresh;
    this.drops.fill(0);
    this.tokens.length = 0;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.seqs) this.pool.seqFree(s);
    this.seqs = [];
    this.tokens.length = 0;
  }
}

function decode(page: Float32Array | Uint16Array, at: number, out: Float32Array): void {
  if (page instanceof Float32Array) {
    out.set(page.subarray(at, at + out.length));
    return;
  }
  for (let i = 0; i < out.length; i++) out[i] = f16ToF32(page[at + i]);
}

export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
