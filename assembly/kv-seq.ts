// Per-sequence page tables: a sequence owns an ordered chain of KV pages
// (linked through the pages' `next` records, kv.ts) and appends one token's K
// and V at a time.
//
//  one page of a sequence, T = tokensPerPage = floor(pageElems / (2 · kvDim))
//  ┌─────────────────────────────────┬─────────────────────────────────┬───────┐
//  │ K[0] K[1] … K[T-1]              │ V[0] V[1] … V[T-1]              │ (pad) │
//  │ T × kvDim elements              │ T × kvDim elements, at T·kvDim  │       │
//  └─────────────────────────────────┴─────────────────────────────────┴───────┘
//  token t lives on the (t / T)-th page of the chain, slot s = t % T:
//  K at element s·kvDim, V at element (T + s)·kvDim. Unwritten slots stay zero.
//
//  sequence record (SEQ_REC = 24 bytes × maxSeqs at seqBase)
//  ┌────────┬────────┬────────┬────────┬────────┬─────────────────────────┐
//  │ first  │ last   │ tokens │ pages  │ kvDim  │ tag: gen (31-1) │ live 0│
//  └────────┴────────┴────────┴────────┴────────┴─────────────────────────┘
//  first/last: page chain ends (NONE while empty); kvDim: 0 until the first append.
//  seq id = gen << SEQ_INDEX_BITS | slot, gen >= 1, so ids are > 0 and < 2^30.
//
//  slot stack (u32 × maxSeqs at slotBase): free slots, [0, slotTop) in use.
//
//  scratch (f32 × pageElems at scratchBase): the caller writes K then V (2·kvDim f32) here.

import { DEBUG, NONE, OK, E_KV_EXHAUSTED, E_KV_BAD_SEQ, E_KV_BAD_DIM, E_CORRUPT } from './common';
import { PAGE_SEQ, pageCount, pageElems, elemBytes, takePage, givePage, pageState, pageNext, setPageNext, pageAddr } from './kv';
import { f32ToF16 } from './f16';

// @ts-ignore: decorator
@inline export const SEQ_REC: u32 = 24;
// @ts-ignore: decorator
@inline const S_FIRST: u32 = 0;
// @ts-ignore: decorator
@inline const S_LAST: u32 = 4;
// @ts-ignore: decorator
@inline const S_TOKENS: u32 = 8;
// @ts-ignore: decorator
@inline const S_PAGES: u32 = 12;
// @ts-ignore: decorator
@inline const S_DIM: u32 = 16;
// @ts-ignore: decorator
@inline const S_TAG: u32 = 20;
// @ts-ignore: decorator
@inline export const SEQ_INDEX_BITS: u32 = 16;
// @ts-ignore: decorator
@inline export const MAX_SEQS: u32 = (1 << SEQ_INDEX_BITS) - 1;
// @ts-ignore: decorator
@inline const SEQ_GEN_MAX: u32 = (1 << (30 - SEQ_INDEX_BITS)) - 1;

let seqBase: usize = 0;
let slotBase: usize = 0;
let scratchBase: usize = 0;
let seqCount: u32 = 0;
let slotTop: u32 = 0;

export function seqMetaBytesFor(maxSeqs: u32, elems: u32): u64 {
  return <u64>maxSeqs * (SEQ_REC + 4) + <u64>elems * 4;
}

/** The sequence table's place in this instance's globals, without touching memory (a compute thread's attach). */
export function seqPlace(base: usize, maxSeqs: u32): void {
  seqBase = base;
  seqCount = maxSeqs;
  slotBase = base + <usize>maxSeqs * SEQ_REC;
  scratchBase = slotBase + <usize>maxSeqs * 4;
}

export function seqSetup(base: usize, maxSeqs: u32): void {
  seqPlace(base, maxSeqs);
  memory.fill(seqBase, 0, <usize>maxSeqs * SEQ_REC);
  slotTop = 0;
  for (let i = maxSeqs; i > 0; i--) store<u32>(slotBase + (<usize>(slotTop++) << 2), i - 1);
}

// @ts-ignore: decorator
@inline function rec(s: u32, field: u32): usize { return seqBase + <usize>s * SEQ_REC + field; }

/** The slot of a live sequence id, or NONE. */
function resolveSeq(id: i32): u32 {
  const s = <u32>id & ((1 << SEQ_INDEX_BITS) - 1);
  if (id <= 0 || s >= seqCount) return NONE;
  const tag = load<u32>(rec(s, S_TAG));
  return (tag & 1) != 0 && (tag >>> 1) == (<u32>id >>> SEQ_INDEX_BITS) ? s : NONE;
}

/** A new, empty sequence id, or E_KV_EXHAUSTED when every slot is live. */
export function kvSeqCreate(): i32 {
  if (slotTop == 0) return E_KV_EXHAUSTED;
  const s = load<u32>(slotBase + (<usize>(--slotTop) << 2));
  let gen = (load<u32>(rec(s, S_TAG)) >>> 1) + 1;
  if (gen > SEQ_GEN_MAX) gen = 1;
  store<u32>(rec(s, S_FIRST), NONE);
  store<u32>(rec(s, S_LAST), NONE);
  store<u32>(rec(s, S_TOKENS), 0);
  store<u32>(rec(s, S_PAGES), 0);
  store<u32>(rec(s, S_DIM), 0);
  store<u32>(rec(s, S_TAG), (gen << 1) | 1);
  return <i32>((gen << SEQ_INDEX_BITS) | s);
}

/** Address of the scratch area the caller fills with K then V (2·kvDim f32). */
export function kvScratchPtr(): usize { return scratchBase; }

/** Tokens per page for a K/V width, 0 if the width does not fit a page. */
export function kvTokensPerPage(kvDim: u32): u32 {
  return kvDim == 0 || kvDim > pageElems / 2 ? 0 : pageElems / (2 * kvDim);
}

/**
 * Append one token whose K and V (kvDim f32 each) are in the scratch area.
 * Takes a new zeroed page when the last one is full. On any error nothing changes.
 */
export function kvSeqAppend(id: i32, kvDim: u32): i32 {
  const s = resolveSeq(id);
  if (s == NONE) return E_KV_BAD_SEQ;
  const dim = load<u32>(rec(s, S_DIM));
  const perPage = kvTokensPerPage(kvDim);
  if (perPage == 0 || (dim != 0 && dim != kvDim)) return E_KV_BAD_DIM;
  const tokens = load<u32>(rec(s, S_TOKENS));
  const slot = tokens % perPage;
  if (slot == 0) {
    const p = takePage(PAGE_SEQ);
    if (p == NONE) return E_KV_EXHAUSTED;
    const last = load<u32>(rec(s, S_LAST));
    if (last == NONE) store<u32>(rec(s, S_FIRST), p);
    else setPageNext(last, p);
    store<u32>(rec(s, S_LAST), p);
    store<u32>(rec(s, S_PAGES), load<u32>(rec(s, S_PAGES)) + 1);
  }
  const page = pageAddr(load<u32>(rec(s, S_LAST)));
  writeRow(page + <usize>slot * kvDim * elemBytes, scratchBase, kvDim);
  writeRow(page + <usize>(perPage + slot) * kvDim * elemBytes, scratchBase + (<usize>kvDim << 2), kvDim);
  store<u32>(rec(s, S_DIM), kvDim);
  store<u32>(rec(s, S_TOKENS), tokens + 1);
  return OK;
}

/** Copy `n` f32 from `src` to `dst`, converting to f16 when the pool stores f16. */
function writeRow(dst: usize, src: usize, n: u32): void {
  if (elemBytes == 4) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  let i: usize = 0;
  // 8 at a time in SIMD where all 8 are normal halves once rounded from below (f32 exponent 113..142): there the
  // conversion is the exponent rebiased and 13 bits rounded away to nearest even (m + 0xfff + bit 13) >> 13, a
  // carry running into the exponent as f32ToF16's does; any other group (zero, subnormal, overflow, inf, NaN)
  // takes f32ToF16 element by element. Same bits either way (test/cases/kv-f16.ts).
  const absMask = i32x4.splat(0x7fffffff), lo = i32x4.splat(113 << 23), hi = i32x4.splat(143 << 23);
  const rebias = i32x4.splat(112 << 23), roundBias = i32x4.splat(0xfff), one = i32x4.splat(1);
  for (; i + 8 <= <usize>n; i += 8) {
    const b0 = v128.load(src + (i << 2)), b1 = v128.load(src + (i << 2) + 16);
    const a0 = v128.and(b0, absMask), a1 = v128.and(b1, absMask);
    const inRange = v128.and(v128.and(i32x4.ge_s(a0, lo), i32x4.lt_s(a0, hi)), v128.and(i32x4.ge_s(a1, lo), i32x4.lt_s(a1, hi)));
    if (!i32x4.all_true(inRange)) {
      for (let j: usize = 0; j < 8; j++) store<u16>(dst + ((i + j) << 1), f32ToF16(load<f32>(src + ((i + j) << 2))));
      continue;
    }
    const m0 = i32x4.sub(a0, rebias), m1 = i32x4.sub(a1, rebias);
    const r0 = i32x4.shr_u(i32x4.add(i32x4.add(m0, roundBias), v128.and(i32x4.shr_u(m0, 13), one)), 13);
    const r1 = i32x4.shr_u(i32x4.add(i32x4.add(m1, roundBias), v128.and(i32x4.shr_u(m1, 13), one)), 13);
    const h0 = v128.or(r0, i32x4.shr_u(v128.andnot(b0, absMask), 16)), h1 = v128.or(r1, i32x4.shr_u(v128.andnot(b1, absMask), 16));
    v128.store(dst + (i << 1), i16x8.narrow_i32x4_u(h0, h1));
  }
  for (; i < <usize>n; i++) store<u16>(dst + (i << 1), f32ToF16(load<f32>(src + (i << 2))));
}

export function kvSeqLength(id: i32): i32 {
  const s = resolveSeq(id);
  return s == NONE ? E_KV_BAD_SEQ : <i32>load<u32>(rec(s, S_TOKENS));
}

export function kvSeqPageCount(id: i32): i32 {
  const s = resolveSeq(id);
  return s == NONE ? E_KV_BAD_SEQ : <i32>load<u32>(rec(s, S_PAGES));
}

/** K/V width fixed by the first append, 0 before it. */
export function kvSeqKvDim(id: i32): i32 {
  const s = resolveSeq(id);
  return s == NONE ? E_KV_BAD_SEQ : <i32>load<u32>(rec(s, S_DIM));
}

/** First page of the chain, -1 when empty. */
export function kvSeqFirstPage(id: i32): i32 {
  const s = resolveSeq(id);
  return s == NONE ? E_KV_BAD_SEQ : <i32>load<u32>(rec(s, S_FIRST));
}

/** Next page of a sequence page's chain, -1 at its end or for a page no sequence owns. */
export function kvNextPage(page: i32): i32 {
  if (page < 0 || <u32>page >= pageCount || pageState(page) != PAGE_SEQ) return -1;
  return <i32>pageNext(page);
}

/**
 * Drop the sequence's first page and the tokensPerPage tokens on it (a sliding
 * window's ring: tokens no query can see any more). The page must be full, so
 * the sequence keeps at least one page; E_KV_BAD_DIM otherwise. Token t of the
 * sequence becomes token t - tokensPerPage.
 */
export function kvSeqDropFirst(id: i32): i32 {
  const s = resolveSeq(id);
  if (s == NONE) return E_KV_BAD_SEQ;
  const pages = load<u32>(rec(s, S_PAGES));
  if (pages < 2) return E_KV_BAD_DIM;
  const first = load<u32>(rec(s, S_FIRST));
  store<u32>(rec(s, S_FIRST), pageNext(first));
  givePage(first);
  store<u32>(rec(s, S_PAGES), pages - 1);
  store<u32>(rec(s, S_TOKENS), load<u32>(rec(s, S_TOKENS)) - kvTokensPerPage(load<u32>(rec(s, S_DIM))));
  return OK;
}

/** Free every page of the sequence, then the sequence. */
export function kvSeqFree(id: i32): i32 {
  const s = resolveSeq(id);
  if (s == NONE) return E_KV_BAD_SEQ;
  let p = load<u32>(rec(s, S_FIRST));
  while (p != NONE) {
    const next = pageNext(p);
    givePage(p);
    p = next;
  }
  store<u32>(rec(s, S_TAG), load<u32>(rec(s, S_TAG)) & ~1);
  if (DEBUG) assert(slotTop < seqCount);
  store<u32>(slotBase + (<usize>(slotTop++) << 2), s);
  return OK;
}

// Broken sequence invariants, reported as E_CORRUPT - k.
// @ts-ignore: decorator
@inline const BAD_CHAIN: i32 = 30;     // a chain leaves the pool, cycles, or holds a page not owned
// @ts-ignore: decorator
@inline const BAD_SEQ_COUNTS: i32 = 31; // pages / tokens / last disagree with the chain
// @ts-ignore: decorator
@inline const LOST_PAGES: i32 = 32;    // owned pages != pages on all chains

/** Model check of the sequences: every owned page is on exactly one chain. */
export function kvSeqCheck(): i32 {
  let chained: u32 = 0;
  for (let s: u32 = 0; s < seqCount; s++) {
    if ((load<u32>(rec(s, S_TAG)) & 1) == 0) continue;
    let n: u32 = 0;
    let last = NONE;
    for (let p = load<u32>(rec(s, S_FIRST)); p != NONE; p = pageNext(p)) {
      if (p >= pageCount || pageState(p) != PAGE_SEQ || ++n > pageCount) return E_CORRUPT - BAD_CHAIN;
      last = p;
    }
    const tokens = load<u32>(rec(s, S_TOKENS));
    const perPage = kvTokensPerPage(load<u32>(rec(s, S_DIM)));
    const pagesFor = perPage == 0 ? 0 : (tokens + perPage - 1) / perPage;
    if (n != load<u32>(rec(s, S_PAGES)) || last != load<u32>(rec(s, S_LAST)) || n != pagesFor) return E_CORRUPT - BAD_SEQ_COUNTS;
    chained += n;
  }
  let owned: u32 = 0;
  for (let p: u32 = 0; p < pageCount; p++) if (pageState(p) == PAGE_SEQ) owned++;
  return owned == chained ? OK : E_CORRUPT - LOST_PAGES;
}
