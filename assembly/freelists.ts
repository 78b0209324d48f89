// Segregated free lists over free blocks, as in TLSF (two-level bitmaps), with
// a best-fit scan inside the request's own class.
//
//  size classes of a block of `u` units (ALIGN bytes each), SL_BITS = 4:
//    u <  SL_COUNT:  fl = 0,             sl = u                   (exact classes)
//    u >= SL_COUNT:  fl = msb(u) - SL_BITS + 1, sl = next SL_BITS bits below the msb
//  so a class spans at most 1/SL_COUNT of its sizes (6.25 %).
//
//  static tables (memory.data, below the heap base)
//  heads  FL_COUNT × SL_COUNT × u32  first node of each class list, NONE if empty
//  ┌──────────┬──────────┬─────┬──────────────────┐
//  │ [0][0]   │ [0][1]   │ ... │ [FL-1][SL-1]     │
//  └──────────┴──────────┴─────┴──────────────────┘
//  slMaps FL_COUNT × u32      bit sl set ⇔ heads[fl][sl] != NONE
//  flMap  u32 (a global)      bit fl set ⇔ slMaps[fl] != 0

import { DEBUG, NONE } from './common';
import {
  nUnits, nFprev, nFnext, setFprev, setFnext, nState, ST_FREE, nodeCount,
} from './nodes';

// @ts-ignore: decorator
@inline const SL_BITS: u32 = 4;
// @ts-ignore: decorator
@inline const SL_COUNT: u32 = 1 << SL_BITS;
/** Enough first-level classes for any u32 unit count. */
// @ts-ignore: decorator
@inline const FL_COUNT: u32 = 32 - SL_BITS + 1;

const heads: usize = memory.data(<i32>(FL_COUNT * SL_COUNT * 4));
const slMaps: usize = memory.data(<i32>(FL_COUNT * 4));
let flMap: u32 = 0;

// @ts-ignore: decorator
@inline function flOf(u: u32): u32 {
  return u < SL_COUNT ? 0 : (31 - clz(u)) - SL_BITS + 1;
}

// @ts-ignore: decorator
@inline function slOf(u: u32, fl: u32): u32 {
  return fl == 0 ? u : (u >>> (fl - 1)) & (SL_COUNT - 1);
}

// @ts-ignore: decorator
@inline function headAt(fl: u32, sl: u32): u32 {
  return load<u32>(heads + ((<usize>fl * SL_COUNT + sl) << 2));
}

// @ts-ignore: decorator
@inline function setHead(fl: u32, sl: u32, n: u32): void {
  store<u32>(heads + ((<usize>fl * SL_COUNT + sl) << 2), n);
}

// @ts-ignore: decorator
@inline function slMap(fl: u32): u32 { return load<u32>(slMaps + (<usize>fl << 2)); }
// @ts-ignore: decorator
@inline function setSlMap(fl: u32, v: u32): void { store<u32>(slMaps + (<usize>fl << 2), v); }

export function freeListsReset(): void {
  for (let fl: u32 = 0; fl < FL_COUNT; fl++) {
    setSlMap(fl, 0);
    for (let sl: u32 = 0; sl < SL_COUNT; sl++) setHead(fl, sl, NONE);
  }
  flMap = 0;
}

export function insertFree(n: u32): void {
  if (DEBUG) assert(nState(n) == ST_FREE && nUnits(n) > 0);
  const u = nUnits(n);
  const fl = flOf(u);
  const sl = slOf(u, fl);
  const head = headAt(fl, sl);
  setFprev(n, NONE);
  setFnext(n, head);
  if (head != NONE) setFprev(head, n);
  setHead(fl, sl, n);
  setSlMap(fl, slMap(fl) | (1 << sl));
  flMap |= 1 << fl;
}

export function removeFree(n: u32): void {
  const u = nUnits(n);
  const fl = flOf(u);
  const sl = slOf(u, fl);
  const p = nFprev(n);
  const x = nFnext(n);
  if (x != NONE) setFprev(x, p);
  if (p != NONE) {
    setFnext(p, x);
    return;
  }
  if (DEBUG) assert(headAt(fl, sl) == n);
  setHead(fl, sl, x);
  if (x != NONE) return;
  const m = slMap(fl) & ~(1 << sl);
  setSlMap(fl, m);
  if (m == 0) flMap &= ~(1 << fl);
}

/**
 * A free block of at least `units`, or NONE. First the smallest fitting block
 * of the request's own class (exact fits end the scan), then the head of the
 * first non-empty larger class, whose every block fits: O(1) bitmap steps plus
 * one scan of one class list.
 */
export function findFree(units: u32): u32 {
  if (units == 0) unreachable();
  let fl = flOf(units);
  let sl = slOf(units, fl);
  let best = NONE;
  let bestUnits = u32.MAX_VALUE;
  for (let n = headAt(fl, sl); n != NONE; n = nFnext(n)) {
    const u = nUnits(n);
    if (u >= units && u < bestUnits) {
      best = n;
      bestUnits = u;
      if (u == units) break;
    }
  }
  if (best != NONE) return best;
  let sls = sl + 1 < SL_COUNT ? slMap(fl) & (~0 << (sl + 1)) : 0;
  if (sls == 0) {
    const fls = fl + 1 < FL_COUNT ? flMap & (~0 << (fl + 1)) : 0;
    if (fls == 0) return NONE;
    fl = ctz(fls);
    sls = slMap(fl);
  }
  return headAt(fl, ctz(sls));
}

/** Units of the largest free block (0 if none): the top class, scanned. */
export function largestFree(): u32 {
  if (flMap == 0) return 0;
  const fl = 31 - clz(flMap);
  const sl = 31 - clz(slMap(fl));
  let best: u32 = 0;
  for (let n = headAt(fl, sl); n != NONE; n = nFnext(n)) best = max(best, nUnits(n));
  return best;
}

/** Model check: is `n` on the list of its own class? O(list). */
export function onItsList(n: u32): bool {
  const u = nUnits(n);
  const fl = flOf(u);
  const sl = slOf(u, fl);
  let steps: u32 = 0;
  for (let m = headAt(fl, sl); m != NONE && steps < nodeCount; m = nFnext(m), steps++) if (m == n) return true;
  return false;
}

/** Model check: free blocks on all lists, or -1 if a list or bitmap is inconsistent. */
export function countListed(): i32 {
  let count: i32 = 0;
  for (let fl: u32 = 0; fl < FL_COUNT; fl++) {
    const m = slMap(fl);
    if (((flMap >>> fl) & 1) != <u32>(m != 0)) return -1;
    for (let sl: u32 = 0; sl < SL_COUNT; sl++) {
      const head = headAt(fl, sl);
      if (((m >>> sl) & 1) != <u32>(head != NONE)) return -1;
      let prev = NONE;
      for (let n = head; n != NONE; n = nFnext(n)) {
        if (n >= nodeCount || <u32>count >= nodeCount) return -1; // out of the table, or a cycle
        if (nState(n) != ST_FREE || nFprev(n) != prev) return -1;
        const u = nUnits(n);
        const f = flOf(u);
        if (f != fl || slOf(u, f) != sl) return -1;
        prev = n;
        count++;
      }
    }
  }
  return count;
}
