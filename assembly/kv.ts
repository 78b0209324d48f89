// The KV page pool: the seed's KvCachePool in linear memory, carved from the
// top of the budget at init. Fixes the seed's flaws: a double free is an error
// (never a second free-list entry), and a page is zeroed when handed out.
//
//  pages (pageCount × pageBytes at pagesBase; pageBytes = pageElems × elemBytes, rounded up to ALIGN)
//  ┌──────────┬──────────┬─────┬──────────────┐
//  │ page 0   │ page 1   │ ... │ page P-1     │   elements are f32 (elemBytes 4) or f16 (2)
//  └──────────┴──────────┴─────┴──────────────┘
//
//  page records (PAGE_REC = 8 bytes × P at recBase)     free stack (u32 × P at stackBase)
//  ┌─────────────┬──────────────────────────┐           ┌──────┬──────┬─────┬──────────┐
//  │ state u32   │ next u32                 │           │ p    │ p'   │ ... │ (unused) │
//  │ FREE/RAW/SEQ│ next page of its sequence│           └──────┴──────┴─────┴──────────┘
//  └─────────────┴──────────────────────────┘            [0, freeTop) are the free pages
//  RAW = handed out by kvAlloc; SEQ = owned by a sequence (kv-seq.ts).

import { ALIGN_MASK, DEBUG, NONE, OK, E_KV_EXHAUSTED, E_KV_BAD_PAGE, E_KV_PAGE_OWNED, E_CORRUPT } from './common';

// @ts-ignore: decorator
@inline export const PAGE_REC: u32 = 8;
// @ts-ignore: decorator
@inline export const PAGE_FREE: u32 = 0;
// @ts-ignore: decorator
@inline export const PAGE_RAW: u32 = 1;
// @ts-ignore: decorator
@inline export const PAGE_SEQ: u32 = 2;

export let pageCount: u32 = 0;
export let pageElems: u32 = 0;
export let elemBytes: u32 = 4;
export let pageBytes: usize = 0;
let pagesBase: usize = 0;
let recBase: usize = 0;
let stackBase: usize = 0;
let freeTop: u32 = 0;

/** Bytes of one page: whole ALIGN units, so every page is 64-byte aligned. */
export function kvPageBytesFor(elems: u32, bytesPerElem: u32): u64 {
  return (<u64>elems * bytesPerElem + ALIGN_MASK) & ~(<u64>ALIGN_MASK);
}

/** Bytes of the page records and the free stack. */
export function kvMetaBytesFor(pages: u32): u64 {
  return <u64>pages * (PAGE_REC + 4);
}

/** The pool's geometry in this instance's globals, without touching memory (a compute thread's attach). */
export function kvPlace(pages: usize, meta: usize, count: u32, elems: u32, bytesPerElem: u32): void {
  pagesBase = pages;
  pageCount = count;
  pageElems = elems;
  elemBytes = bytesPerElem;
  pageBytes = <usize>kvPageBytesFor(elems, bytesPerElem);
  recBase = meta;
  stackBase = meta + <usize>count * PAGE_REC;
}

export function kvSetup(pages: usize, meta: usize, count: u32, elems: u32, bytesPerElem: u32): void {
  kvPlace(pages, meta, count, elems, bytesPerElem);
  freeTop = 0;
  // the stack's top is page 0, so pages are handed out from 0 up
  for (let i = count; i > 0; i--) {
    setPageState(i - 1, PAGE_FREE);
    setPageNext(i - 1, NONE);
    store<u32>(stackBase + (<usize>(freeTop++) << 2), i - 1);
  }
}

// @ts-ignore: decorator
@inline export function pageState(p: u32): u32 { return load<u32>(recBase + <usize>p * PAGE_REC); }
// @ts-ignore: decorator
@inline function setPageState(p: u32, s: u32): void { store<u32>(recBase + <usize>p * PAGE_REC, s); }
// @ts-ignore: decorator
@inline export function pageNext(p: u32): u32 { return load<u32>(recBase + <usize>p * PAGE_REC, 4); }
// @ts-ignore: decorator
@inline export function setPageNext(p: u32, n: u32): void { store<u32>(recBase + <usize>p * PAGE_REC, n, 4); }
// @ts-ignore: decorator
@inline export function pageAddr(p: u32): usize { return pagesBase + <usize>p * pageBytes; }

/** Take a free page, zeroed, into state `st`; NONE when none is free. */
export function takePage(st: u32): u32 {
  if (freeTop == 0) return NONE;
  const p = load<u32>(stackBase + (<usize>(--freeTop) << 2));
  if (DEBUG) assert(pageState(p) == PAGE_FREE);
  memory.fill(pageAddr(p), 0, pageBytes);
  setPageState(p, st);
  setPageNext(p, NONE);
  return p;
}

/** Give page `p` (known to be in use) back. */
export function givePage(p: u32): void {
  if (DEBUG) assert(pageState(p) != PAGE_FREE && freeTop < pageCount);
  setPageState(p, PAGE_FREE);
  setPageNext(p, NONE);
  store<u32>(stackBase + (<usize>(freeTop++) << 2), p);
}

/** A zeroed page index, or E_KV_EXHAUSTED. */
export function kvAlloc(): i32 {
  const p = takePage(PAGE_RAW);
  return p == NONE ? E_KV_EXHAUSTED : <i32>p;
}

/** OK; E_KV_BAD_PAGE if out of range or already free; E_KV_PAGE_OWNED if a sequence owns it. */
export function kvFree(page: i32): i32 {
  if (page < 0 || <u32>page >= pageCount) return E_KV_BAD_PAGE;
  const st = pageState(page);
  if (st == PAGE_FREE) return E_KV_BAD_PAGE;
  if (st == PAGE_SEQ) return E_KV_PAGE_OWNED;
  givePage(page);
  return OK;
}

/** Address of an allocated page, or 0 (out of range or free). */
export function kvPagePtr(page: i32): usize {
  if (page < 0 || <u32>page >= pageCount || pageState(page) == PAGE_FREE) return 0;
  return pageAddr(page);
}

export function kvTotalPages(): u32 { return pageCount; }
export function kvFreePages(): u32 { return freeTop; }
export function kvPageElems(): u32 { return pageElems; }
export function kvElemBytes(): u32 { return elemBytes; }

// Broken pool invariants, reported as E_CORRUPT - k.
// @ts-ignore: decorator
@inline const BAD_FREE_TOP: i32 = 20;
// @ts-ignore: decorator
@inline const BAD_PAGE_STATE: i32 = 21;
// @ts-ignore: decorator
@inline const FREE_NOT_STACKED: i32 = 22; // free pages and stack entries differ in number
// @ts-ignore: decorator
@inline const BAD_STACK_ENTRY: i32 = 23;  // a stacked page out of range, in use, or stacked twice
// @ts-ignore: decorator
@inline const SEEN: u32 = NONE - 1;

/** Model check of the pool: OK or E_CORRUPT - k. Sequences are checked in kv-seq.ts. */
export function kvPoolCheck(): i32 {
  if (freeTop > pageCount) return E_CORRUPT - BAD_FREE_TOP;
  let free: u32 = 0;
  for (let p: u32 = 0; p < pageCount; p++) {
    const st = pageState(p);
    if (st > PAGE_SEQ) return E_CORRUPT - BAD_PAGE_STATE;
    if (st == PAGE_FREE) free++;
  }
  if (free != freeTop) return E_CORRUPT - FREE_NOT_STACKED;
  // mark each stacked page through its (unused) next link, then restore the links
  let status = OK;
  let i: u32 = 0;
  for (; i < freeTop; i++) {
    const p = load<u32>(stackBase + (<usize>i << 2));
    if (p >= pageCount || pageState(p) != PAGE_FREE || pageNext(p) == SEEN) { status = E_CORRUPT - BAD_STACK_ENTRY; break; }
    setPageNext(p, SEEN);
  }
  for (let j: u32 = 0; j < i; j++) setPageNext(load<u32>(stackBase + (<usize>j << 2)), NONE);
  return status;
}
