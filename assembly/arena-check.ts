// Arena statistics and the model check (a walk over every block that verifies
// the invariants the allocator relies on; the tests call it after each step).
//
//  stats block (STATS_SIZE = 40 bytes, static), filled by arenaStats()
//  ┌──────────┬──────┬──────┬─────────────┬────────────┬──────────────┬─────────────┬───────────┬──────────────────┐
//  │ capacity │ used │ free │ largestFree │ liveBlocks │ pinnedBlocks │ compactions │ maxBlocks │ bytesMoved (u64) │
//  │ +0       │ +4   │ +8   │ +12         │ +16        │ +20          │ +24         │ +28       │ +32              │
//  └──────────┴──────┴──────┴─────────────┴────────────┴──────────────┴─────────────┴───────────┴──────────────────┘
//  sizes in bytes (u32: the arena is below 4 GiB); bytesMoved counts since init.

import { ALIGN_BITS, OK, E_CORRUPT } from './common';
import {
  SENTINEL, ST_FREE, ST_LIVE, ST_SENTINEL, nodeCount, unusedCount,
  nOff, nUnits, nPrev, nNext, nSize, nState, nPins,
} from './nodes';
import { largestFree, onItsList, countListed } from './freelists';
import { capUnits, usedUnits, liveCount, pinnedCount, compactions, bytesMoved, maxLive, unitsFor } from './arena';

// @ts-ignore: decorator
@inline const STATS_SIZE: i32 = 40;
const stats: usize = memory.data(STATS_SIZE, 8);

/** Fill the stats block; returns its address. O(one size class). */
export function arenaStats(): usize {
  store<u32>(stats, capUnits << ALIGN_BITS, 0);
  store<u32>(stats, usedUnits << ALIGN_BITS, 4);
  store<u32>(stats, (capUnits - usedUnits) << ALIGN_BITS, 8);
  store<u32>(stats, capUnits == 0 ? 0 : largestFree() << ALIGN_BITS, 12);
  store<u32>(stats, liveCount, 16);
  store<u32>(stats, pinnedCount, 20);
  store<u32>(stats, compactions, 24);
  store<u32>(stats, maxLive, 28);
  store<u64>(stats, bytesMoved, 32);
  return stats;
}

// Broken invariants, reported as E_CORRUPT - k.
// @ts-ignore: decorator
@inline const BAD_SENTINEL: i32 = 1;
// @ts-ignore: decorator
@inline const BAD_LINK: i32 = 2;      // a link leaves the table, or the walk cycles
// @ts-ignore: decorator
@inline const BAD_BACKLINK: i32 = 3;  // next(prev(n)) != n
// @ts-ignore: decorator
@inline const BAD_TILING: i32 = 4;    // a block does not start where the previous one ends, or is empty
// @ts-ignore: decorator
@inline const FREE_NEIGHBOURS: i32 = 5;
// @ts-ignore: decorator
@inline const BAD_LIVE_SIZE: i32 = 6; // units != unitsFor(size)
// @ts-ignore: decorator
@inline const BAD_STATE: i32 = 7;
// @ts-ignore: decorator
@inline const NOT_LISTED: i32 = 8;    // a free block missing from its size-class list
// @ts-ignore: decorator
@inline const BAD_LISTS: i32 = 9;     // lists, bitmaps and free blocks disagree
// @ts-ignore: decorator
@inline const BAD_USED: i32 = 10;
// @ts-ignore: decorator
@inline const BAD_LIVE_COUNT: i32 = 11;
// @ts-ignore: decorator
@inline const BAD_PIN_COUNT: i32 = 12;
// @ts-ignore: decorator
@inline const BAD_END: i32 = 13;      // the blocks do not end at the capacity
// @ts-ignore: decorator
@inline const LOST_NODES: i32 = 14;   // blocks + unused nodes != table size

/** OK, or E_CORRUPT - k for the first broken invariant k. O(blocks · list length). */
export function arenaCheck(): i32 {
  if (capUnits == 0) return OK;
  if (nState(SENTINEL) != ST_SENTINEL || nOff(SENTINEL) != capUnits) return E_CORRUPT - BAD_SENTINEL;
  let expectOff: u32 = 0;
  let used: u32 = 0;
  let live: u32 = 0;
  let pinned: u32 = 0;
  let free: i32 = 0;
  let walked: u32 = 0;
  let prev = SENTINEL;
  let n = nNext(SENTINEL);
  while (n != SENTINEL) {
    if (n >= nodeCount || ++walked >= nodeCount) return E_CORRUPT - BAD_LINK;
    if (nPrev(n) != prev) return E_CORRUPT - BAD_BACKLINK;
    const units = nUnits(n);
    if (nOff(n) != expectOff || units == 0 || units > capUnits - expectOff) return E_CORRUPT - BAD_TILING;
    const st = nState(n);
    if (st == ST_FREE) {
      if (nState(prev) == ST_FREE) return E_CORRUPT - FREE_NEIGHBOURS;
      if (!onItsList(n)) return E_CORRUPT - NOT_LISTED;
      free++;
    } else if (st == ST_LIVE) {
      if (unitsFor(nSize(n)) != units) return E_CORRUPT - BAD_LIVE_SIZE;
      used += units;
      live++;
      if (nPins(n) != 0) pinned++;
    } else {
      return E_CORRUPT - BAD_STATE;
    }
    expectOff += units;
    prev = n;
    n = nNext(n);
  }
  if (nPrev(SENTINEL) != prev) return E_CORRUPT - BAD_BACKLINK;
  if (expectOff != capUnits) return E_CORRUPT - BAD_END;
  if (countListed() != free) return E_CORRUPT - BAD_LISTS;
  if (used != usedUnits) return E_CORRUPT - BAD_USED;
  if (live != liveCount || live > maxLive) return E_CORRUPT - BAD_LIVE_COUNT;
  if (pinned != pinnedCount) return E_CORRUPT - BAD_PIN_COUNT;
  if (walked + 1 + unusedCount != nodeCount) return E_CORRUPT - LOST_NODES;
  return OK;
}
