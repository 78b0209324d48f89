// The node table: one record per block of the arena, kept outside the arena so
// tensor bytes never sit next to allocator metadata (a tensor write past its
// end cannot corrupt the allocator) and every block is a clean 64-byte run.
//
//  node record, NODE_SIZE = 32 bytes, table of `nodeCount` records at `nodeBase`
//  ┌───────┬───────┬───────┬───────┬───────┬───────┬───────┬───────────────────────────┐
//  │ off   │ units │ prev  │ next  │ fprev │ fnext │ size  │ tag                       │
//  │ +0    │ +4    │ +8    │ +12   │ +16   │ +20   │ +24   │ +28                       │
//  └───────┴───────┴───────┴───────┴───────┴───────┴───────┴───────────────────────────┘
//  off, units   position and length of the block, in ALIGN units from the arena base
//  prev, next   physical neighbours, a circular list through the sentinel node 0;
//               `next` also links the FIFO of unused nodes
//  fprev, fnext links of a free block in its size-class list (freelists.ts)
//  size         bytes the caller asked for (live blocks)
//
//  tag, 32 bits
//  ┌──────────────────────┬────────────────────────────────┬───────────┐
//  │ gen (12)        31-20│ pins (16)                 19-4 │ state  3-0│
//  └──────────────────────┴────────────────────────────────┴───────────┘
//  gen is bumped each time the node becomes live; a handle carries it, so a
//  stale handle (freed, then its node reused) is told apart from the new owner.
//
//  handle = gen << INDEX_BITS | node index   (gen >= 1, so a handle is > 0 and < 2^30)

import { DEBUG, NONE } from './common';

// @ts-ignore: decorator
@inline export const NODE_SIZE: u32 = 32;
// @ts-ignore: decorator
@inline const F_OFF: u32 = 0;
// @ts-ignore: decorator
@inline const F_UNITS: u32 = 4;
// @ts-ignore: decorator
@inline const F_PREV: u32 = 8;
// @ts-ignore: decorator
@inline const F_NEXT: u32 = 12;
// @ts-ignore: decorator
@inline const F_FPREV: u32 = 16;
// @ts-ignore: decorator
@inline const F_FNEXT: u32 = 20;
// @ts-ignore: decorator
@inline const F_SIZE: u32 = 24;
// @ts-ignore: decorator
@inline const F_TAG: u32 = 28;

// @ts-ignore: decorator
@inline const STATE_BITS: u32 = 4;
// @ts-ignore: decorator
@inline const STATE_MASK: u32 = (1 << STATE_BITS) - 1;
// @ts-ignore: decorator
@inline const PIN_BITS: u32 = 16;
// @ts-ignore: decorator
@inline const PIN_SHIFT: u32 = STATE_BITS;
// @ts-ignore: decorator
@inline export const PIN_MAX: u32 = (1 << PIN_BITS) - 1;
// @ts-ignore: decorator
@inline const GEN_SHIFT: u32 = PIN_SHIFT + PIN_BITS;
// @ts-ignore: decorator
@inline const GEN_BITS: u32 = 32 - GEN_SHIFT;
// @ts-ignore: decorator
@inline const GEN_MAX: u32 = (1 << GEN_BITS) - 1;

/** Handle = gen << INDEX_BITS | index; INDEX_BITS + GEN_BITS = 30 keeps handles small positive ints. */
// @ts-ignore: decorator
@inline export const INDEX_BITS: u32 = 30 - GEN_BITS;
// @ts-ignore: decorator
@inline const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;
/** Live blocks at most: the table needs 2·MAX_BLOCKS + 2 nodes (see nodesFor). */
// @ts-ignore: decorator
@inline export const MAX_BLOCKS: u32 = 1 << 16;

// States of a node.
// @ts-ignore: decorator
@inline export const ST_UNUSED: u32 = 0;
// @ts-ignore: decorator
@inline export const ST_FREE: u32 = 1;
// @ts-ignore: decorator
@inline export const ST_LIVE: u32 = 2;
// @ts-ignore: decorator
@inline export const ST_SENTINEL: u32 = 3;

/** Node 0 closes the physical list: its `next` is the first block, its `prev` the last. */
// @ts-ignore: decorator
@inline export const SENTINEL: u32 = 0;

let nodeBase: usize = 0;
export let nodeCount: u32 = 0;
let unusedHead: u32 = NONE;
let unusedTail: u32 = NONE;
export let unusedCount: u32 = 0;

/**
 * Nodes needed for `maxBlocks` live blocks: free blocks never touch (they
 * coalesce), so there are at most maxBlocks + 1 of them, plus the sentinel.
 */
export function nodesFor(maxBlocks: u32): u32 {
  return 2 * maxBlocks + 2;
}

// @ts-ignore: decorator
@inline function at(n: u32, field: u32): usize {
  if (DEBUG) assert(n < nodeCount);
  return nodeBase + <usize>n * NODE_SIZE + field;
}

// @ts-ignore: decorator
@inline export function nOff(n: u32): u32 { return load<u32>(at(n, F_OFF)); }
// @ts-ignore: decorator
@inline export function setOff(n: u32, v: u32): void { store<u32>(at(n, F_OFF), v); }
// @ts-ignore: decorator
@inline export function nUnits(n: u32): u32 { return load<u32>(at(n, F_UNITS)); }
// @ts-ignore: decorator
@inline export function setUnits(n: u32, v: u32): void { store<u32>(at(n, F_UNITS), v); }
// @ts-ignore: decorator
@inline export function nPrev(n: u32): u32 { return load<u32>(at(n, F_PREV)); }
// @ts-ignore: decorator
@inline export function setPrev(n: u32, v: u32): void { store<u32>(at(n, F_PREV), v); }
// @ts-ignore: decorator
@inline export function nNext(n: u32): u32 { return load<u32>(at(n, F_NEXT)); }
// @ts-ignore: decorator
@inline export function setNext(n: u32, v: u32): void { store<u32>(at(n, F_NEXT), v); }
// @ts-ignore: decorator
@inline export function nFprev(n: u32): u32 { return load<u32>(at(n, F_FPREV)); }
// @ts-ignore: decorator
@inline export function setFprev(n: u32, v: u32): void { store<u32>(at(n, F_FPREV), v); }
// @ts-ignore: decorator
@inline export function nFnext(n: u32): u32 { return load<u32>(at(n, F_FNEXT)); }
// @ts-ignore: decorator
@inline export function setFnext(n: u32, v: u32): void { store<u32>(at(n, F_FNEXT), v); }
// @ts-ignore: decorator
@inline export function nSize(n: u32): u32 { return load<u32>(at(n, F_SIZE)); }
// @ts-ignore: decorator
@inline export function setSize(n: u32, v: u32): void { store<u32>(at(n, F_SIZE), v); }

// @ts-ignore: decorator
@inline function tag(n: u32): u32 { return load<u32>(at(n, F_TAG)); }
// @ts-ignore: decorator
@inline function setTag(n: u32, v: u32): void { store<u32>(at(n, F_TAG), v); }

// @ts-ignore: decorator
@inline export function nState(n: u32): u32 { return tag(n) & STATE_MASK; }
// @ts-ignore: decorator
@inline export function nPins(n: u32): u32 { return (tag(n) >>> PIN_SHIFT) & PIN_MAX; }
// @ts-ignore: decorator
@inline export function nGen(n: u32): u32 { return tag(n) >>> GEN_SHIFT; }

/** Set the state; a node that stops being live loses its pins, keeps its gen. */
export function setState(n: u32, st: u32): void {
  if (DEBUG) assert(st <= STATE_MASK);
  const t = tag(n);
  const pins = st == ST_LIVE ? t & (PIN_MAX << PIN_SHIFT) : 0;
  setTag(n, (t & (GEN_MAX << GEN_SHIFT)) | pins | st);
}

export function setPins(n: u32, pins: u32): void {
  if (DEBUG) assert(pins <= PIN_MAX && nState(n) == ST_LIVE);
  setTag(n, (tag(n) & ~(PIN_MAX << PIN_SHIFT)) | (pins << PIN_SHIFT));
}

/** Make `n` live under a new generation; returns its handle. */
export function makeLive(n: u32): i32 {
  let gen = nGen(n) + 1;
  if (gen > GEN_MAX) gen = 1;
  setTag(n, (gen << GEN_SHIFT) | ST_LIVE);
  return <i32>((gen << INDEX_BITS) | n);
}

/** The node a handle names if that handle is still live, else NONE. O(1). */
// @ts-ignore: decorator
@inline export function resolve(h: i32): u32 {
  const n = <u32>h & INDEX_MASK;
  if (h <= 0 || n == SENTINEL || n >= nodeCount) return NONE;
  const t = tag(n);
  if ((t & STATE_MASK) != ST_LIVE || (t >>> GEN_SHIFT) != (<u32>h >>> INDEX_BITS)) return NONE;
  return n;
}

/** Lay the table out at `base` and put every node but the sentinel on the unused FIFO. */
export function nodesSetup(base: usize, count: u32): void {
  if (DEBUG) assert(count >= 2 && count - 1 <= INDEX_MASK);
  nodeBase = base;
  nodeCount = count;
  memory.fill(base, 0, <usize>count * NODE_SIZE);
  setState(SENTINEL, ST_SENTINEL);
  unusedHead = NONE;
  unusedTail = NONE;
  unusedCount = 0;
  for (let n: u32 = 1; n < count; n++) releaseNode(n);
}

/** Take the oldest unused node. FIFO spreads reuse over the table, so gens wrap late. */
export function takeNode(): u32 {
  const n = unusedHead;
  if (n == NONE) unreachable(); // nodesFor() sizes the table for the worst case
  unusedHead = nNext(n);
  if (unusedHead == NONE) unusedTail = NONE;
  unusedCount--;
  return n;
}

export function releaseNode(n: u32): void {
  setState(n, ST_UNUSED);
  setNext(n, NONE);
  if (unusedTail == NONE) unusedHead = n;
  else setNext(unusedTail, n);
  unusedTail = n;
  unusedCount++;
}

/** Put `n` into the physical list just before `at`. */
export function linkBefore(n: u32, at: u32): void {
  const p = nPrev(at);
  setPrev(n, p);
  setNext(n, at);
  setNext(p, n);
  setPrev(at, n);
}

/** Take `n` out of the physical list. */
export function unlink(n: u32): void {
  const p = nPrev(n);
  const x = nNext(n);
  setNext(p, x);
  setPrev(x, p);
}
