/**
 * KV-cache pages in the Wasm memory (assembly/kv.ts, assembly/kv-seq.ts): the
 * seed's KvCachePool without its flaws (a double free is KV_BAD_PAGE, a page
 * is zeroed when handed out), with f16 storage as an option and per-sequence
 * page tables.
 *
 * Page layout of a sequence (T = tokensPerPage(kvDim) = floor(pageSize / (2·kvDim))):
 *   [ K of tokens 0..T-1 | V of tokens 0..T-1 | pad ], token t on page t / T of
 *   seqPages(seq), slot s = t % T: K at element s·kvDim, V at (T + s)·kvDim.
 */
import { GgufPagerError } from '../errors.ts';
import type { CoreExports } from './exports.ts';
import { Status } from './status.ts';
import { f32At, u16At } from './view.ts';

export type KvDtype = 'f32' | 'f16';

export class KvCachePool {
  /** Pages in the pool (fixed at init). */
  readonly totalPages: number;
  /** Elements per page. */
  readonly pageSize: number;
  readonly dtype: KvDtype;

  /** @internal Made by createCore once `init` has succeeded. */
  constructor(private readonly ex: CoreExports) {
    this.totalPages = ex.kvTotalPages();
    this.pageSize = ex.kvPageElems();
    this.dtype = ex.kvElemBytes() === 2 ? 'f16' : 'f32';
  }

  get freePages(): number {
    return this.ex.kvFreePages();
  }

  get usedPages(): number {
    return this.totalPages - this.ex.kvFreePages();
  }

  /** A zeroed page's index, or -1 when none is free. */
  tryAlloc(): number {
    const p = this.ex.kvAlloc();
    return p >= 0 ? p : -1;
  }

  /** A zeroed page's index; throws KV_EXHAUSTED when none is free. */
  alloc(): number {
    const p = this.tryAlloc();
    if (p < 0) throw new GgufPagerError('KV_EXHAUSTED', `KV pool: all ${this.totalPages} pages are in use`, { totalPages: this.totalPages });
    return p;
  }

  /** Returns a page from alloc(). Throws KV_BAD_PAGE on a double free, a page out of range, or a sequence's page. */
  free(page: number): void {
    const r = this.ex.kvFree(asIndex(page));
    if (r === Status.OK) return;
    const why =
      r === Status.E_KV_PAGE_OWNED
        ? 'a sequence owns it (use seqFree)'
        : !isIndex(page, this.totalPages)
          ? `out of range (${this.totalPages} pages)`
          : 'it is free already';
    throw new GgufPagerError('KV_BAD_PAGE', `KV pool: cannot free page ${page}: ${why}`, { page, totalPages: this.totalPages });
  }

  /** A view of an allocated page: Float32Array for f32 pages, Uint16Array (f16 bits) for f16. */
  page(i: number): Float32Array | Uint16Array {
    const ptr = this.ex.kvPagePtr(asIndex(i)) >>> 0;
    if (ptr === 0) {
      const why = isIndex(i, this.totalPages) ? 'it is free' : `out of range (${this.totalPages} pages)`;
      throw new GgufPagerError('KV_BAD_PAGE', `KV pool: no view of page ${i}: ${why}`, { page: i, totalPages: this.totalPages });
    }
    return this.dtype === 'f16' ? u16At(this.ex.memory, ptr, this.pageSize) : f32At(this.ex.memory, ptr, this.pageSize);
  }

  /** Tokens one page holds for a K/V width (0 if one token's K and V do not fit a page). */
  tokensPerPage(kvDim: number): number {
    return isIndex(kvDim, 2 ** 31) ? this.ex.kvTokensPerPage(kvDim) : 0;
  }

  /** A new, empty sequence; throws KV_EXHAUSTED when every sequence slot is live. */
  seqCreate(): number {
    const s = this.ex.kvSeqCreate();
    if (s < 0) throw new GgufPagerError('KV_EXHAUSTED', 'KV pool: every sequence slot is live', {});
    return s;
  }

  /**
   * Appends one token's K and V (equal widths; the first append fixes the
   * sequence's width). f16 pools round to nearest even. Takes a new zeroed page
   * when the last is full; on KV_EXHAUSTED the sequence is unchanged.
   */
  seqAppend(seq: number, k: Float32Array, v: Float32Array): void {
    const kvDim = k.length;
    if (v.length !== kvDim || this.tokensPerPage(kvDim) === 0) {
      throw new GgufPagerError(
        'INVALID_ARGUMENT',
        `KV sequence ${seq}: K (${k.length}) and V (${v.length}) must have one width, at most ${this.pageSize >>> 1}`,
        { seq, k: k.length, v: v.length },
      );
    }
    const scratch = f32At(this.ex.memory, this.ex.kvScratchPtr() >>> 0, 2 * kvDim);
    scratch.set(k);
    scratch.set(v, kvDim);
    const r = this.ex.kvSeqAppend(asIndex(seq), kvDim);
    if (r === Status.OK) return;
    if (r === Status.E_KV_EXHAUSTED) {
      throw new GgufPagerError('KV_EXHAUSTED', `KV sequence ${seq}: no free page for token ${this.seqLength(seq)} (${this.totalPages} pages in use)`, {
        seq,
        totalPages: this.totalPages,
      });
    }
    if (r === Status.E_KV_BAD_DIM) {
      throw new GgufPagerError('INVALID_ARGUMENT', `KV sequence ${seq}: width ${kvDim} differs from its first append (${this.ex.kvSeqKvDim(seq)})`, {
        seq,
        kvDim,
      });
    }
    throw badSequence(seq);
  }

  /** Tokens appended so far. */
  seqLength(seq: number): number {
    const n = this.ex.kvSeqLength(asIndex(seq));
    if (n < 0) throw badSequence(seq);
    return n;
  }

  /** K/V width fixed by the first append (0 before it). */
  seqKvDim(seq: number): number {
    const d = this.ex.kvSeqKvDim(asIndex(seq));
    if (d < 0) throw badSequence(seq);
    return d;
  }

  /** The sequence's pages, in token order. */
  seqPages(seq: number): number[] {
    const count = this.ex.kvSeqPageCount(asIndex(seq));
    if (count < 0) throw badSequence(seq);
    const pages: number[] = [];
    for (let p = this.ex.kvSeqFirstPage(asIndex(seq)); p >= 0 && pages.length < count; p = this.ex.kvNextPage(p)) pages.push(p);
    return pages;
  }

  /** Frees every page of the sequence, then the sequence id. */
  /** Frees the sequence's first page and its tokens (a sliding window's ring); token t becomes t − tokensPerPage. The first page must be full. */
  seqDropFirst(seq: number): void {
    const r = this.ex.kvSeqDropFirst(asIndex(seq));
    if (r === Status.E_KV_BAD_SEQ) throw badSequence(seq);
    if (r !== Status.OK) throw new GgufPagerError('INVALID_ARGUMENT', `KV sequence ${seq}: its first page is its last, so it cannot be dropped`, { seq });
  }

  seqFree(seq: number): void {
    if (this.ex.kvSeqFree(asIndex(seq)) !== Status.OK) throw badSequence(seq);
  }

  /** Verifies the free stack and every sequence's page chain; throws ARENA_CORRUPT. */
  check(): void {
    const r = this.ex.kvPoolCheck() || this.ex.kvSeqCheck();
    if (r !== Status.OK) {
      throw new GgufPagerError('ARENA_CORRUPT', `KV pool: invariant ${Status.E_CORRUPT - r} broken`, { invariant: Status.E_CORRUPT - r });
    }
  }
}

/** An index as the i32 the core takes; anything not an int32 becomes -1, which is never valid. */
const asIndex = (i: number): number => ((i | 0) === i ? i : -1);

const isIndex = (i: number, n: number): boolean => Number.isInteger(i) && i >= 0 && i < n;

const badSequence = (seq: number): GgufPagerError => new GgufPagerError('KV_BAD_SEQUENCE', `KV pool: sequence ${seq} is unknown or freed`, { seq });
