/**
 * The tensor arena: a typed wrapper over the Wasm core's allocator
 * (assembly/arena.ts). Blocks are named by handles because unpinned blocks
 * move when the arena compacts; `ptr(h)` is stable only while `h` is pinned.
 *
 * Hit-path calls (`pin`, `unpin`, `ptr`) are one Wasm call and an integer
 * compare: O(1), no allocation on the JS side.
 */
import { GgufPagerError } from '../errors.ts';
import type { CoreExports } from './exports.ts';
import { Status } from './status.ts';
import { bytesAt, u32At } from './view.ts';

/** A block's name: a small positive integer; 0 means "no block". */
export type Handle = number;

export interface ArenaStats {
  /** Bytes the arena hands out (tensor share of the budget). */
  capacity: number;
  /** Bytes in live blocks, including each block's round-up to 64. */
  used: number;
  /** capacity - used. */
  free: number;
  /** The largest free block, in bytes (what fits without compaction). */
  largestFree: number;
  liveBlocks: number;
  pinnedBlocks: number;
  /** Compactions since init (explicit or to satisfy an allocation). */
  compactions: number;
  /** Bytes moved by compactions since init. */
  bytesMoved: number;
  /** Byte length of the whole Wasm memory (constant after init). */
  memoryBytes: number;
  /** Live blocks the handle table holds at most. */
  maxBlocks: number;
}

const STATS_WORDS = 10; // assembly/arena-check.ts, stats block
const NO_MOVE_LIMIT = 0xffffffff; // u32.MAX: the core's "move as much as it takes"

/** A move limit as the core's u32: NaN or negative → 0, beyond u32 → no limit. */
const moveLimit = (bytes: number): number => (bytes >= NO_MOVE_LIMIT ? NO_MOVE_LIMIT : bytes > 0 ? Math.floor(bytes) : 0);

/** A handle as the i32 the core takes; anything not an int32 becomes 0, which no block has. */
const asHandle = (h: Handle): number => ((h | 0) === h ? h : 0);

export class Arena {
  /** Bytes available to blocks. */
  readonly capacity: number;
  /** Address of the arena's first byte in the Wasm memory. */
  readonly base: number;

  /** @internal Made by createCore once `init` has succeeded. */
  constructor(private readonly ex: CoreExports) {
    this.base = ex.arenaBasePtr() >>> 0;
    this.capacity = this.stats().capacity;
  }

  /**
   * A handle to a 64-byte aligned block of `size` bytes, or 0 when nothing
   * fits even after compaction. When the free space suffices but is split,
   * the arena slides unpinned blocks together, moving at most `maxMoveBytes`
   * (default: no limit); a pager that would rather evict one more tensor than
   * move many bytes passes a limit, then evicts, then retries.
   */
  tryAlloc(size: number, maxMoveBytes = Infinity): Handle {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new GgufPagerError('INVALID_ARGUMENT', `arena: cannot allocate ${size} bytes (not a byte count)`, { size });
    }
    if (size > this.capacity) return 0;
    const h = this.ex.arenaAlloc(size, moveLimit(maxMoveBytes));
    return h > 0 ? h : 0;
  }

  /** Like tryAlloc, but throws ARENA_FULL with {size, free, largestFree} when nothing fits. */
  alloc(size: number, maxMoveBytes = Infinity): Handle {
    const h = this.tryAlloc(size, maxMoveBytes);
    if (h !== 0) return h;
    const s = this.stats();
    const why =
      s.liveBlocks >= s.maxBlocks
        ? `all ${s.maxBlocks} block handles are live`
        : `${s.free} bytes free, largest free block ${s.largestFree}, ${s.pinnedBlocks} blocks pinned`;
    throw new GgufPagerError('ARENA_FULL', `arena: no block of ${size} bytes fits in ${s.capacity} (${why})`, {
      size,
      free: s.free,
      largestFree: s.largestFree,
      capacity: s.capacity,
      pinnedBlocks: s.pinnedBlocks,
      liveBlocks: s.liveBlocks,
    });
  }

  /** Returns the block. Throws ARENA_BAD_HANDLE (never given, freed, stale) or ARENA_PINNED. */
  free(h: Handle): void {
    const r = this.ex.arenaFree(asHandle(h));
    if (r !== Status.OK) this.fail(r, 'free', h);
  }

  /** Pins the block: it is never moved or freed until as many unpins. O(1). */
  pin(h: Handle): void {
    const r = this.ex.arenaPin(asHandle(h));
    if (r !== Status.OK) this.fail(r, 'pin', h);
  }

  /** O(1). Throws INVALID_ARGUMENT when the block is not pinned. */
  unpin(h: Handle): void {
    const r = this.ex.arenaUnpin(asHandle(h));
    if (r !== Status.OK) this.fail(r, 'unpin', h);
  }

  /** Byte address of the block now (stable while pinned). O(1). */
  ptr(h: Handle): number {
    const p = this.ex.arenaPtr(asHandle(h));
    if (p === 0) this.fail(Status.E_BAD_HANDLE, 'ptr', h);
    return p >>> 0;
  }

  /** Bytes asked for when the block was allocated. */
  size(h: Handle): number {
    const s = this.ex.arenaSize(asHandle(h));
    if (s === -1) this.fail(Status.E_BAD_HANDLE, 'size', h);
    return s >>> 0;
  }

  /** Pin count of the block. */
  pins(h: Handle): number {
    const p = this.ex.arenaPins(asHandle(h));
    if (p < 0) this.fail(Status.E_BAD_HANDLE, 'pins', h);
    return p;
  }

  /** A fresh view of the block's bytes at its current address (pin it to keep the address). */
  bytes(h: Handle): Uint8Array {
    return bytesAt(this.ex.memory, this.ptr(h), this.size(h));
  }

  /** Slides every unpinned block down over the free space; returns the bytes moved. */
  compact(): number {
    return this.ex.arenaCompact() >>> 0;
  }

  stats(): ArenaStats {
    const w = u32At(this.ex.memory, this.ex.arenaStats() >>> 0, STATS_WORDS);
    return {
      capacity: w[0]!,
      used: w[1]!,
      free: w[2]!,
      largestFree: w[3]!,
      liveBlocks: w[4]!,
      pinnedBlocks: w[5]!,
      compactions: w[6]!,
      maxBlocks: w[7]!,
      bytesMoved: w[8]! + w[9]! * 2 ** 32,
      memoryBytes: this.ex.memory.buffer.byteLength,
    };
  }

  /** Walks every block and free list; throws ARENA_CORRUPT naming the first broken invariant. */
  check(): void {
    const r = this.ex.arenaCheck();
    if (r !== Status.OK) {
      const k = Status.E_CORRUPT - r;
      throw new GgufPagerError('ARENA_CORRUPT', `arena: invariant ${k} broken (${ARENA_INVARIANTS[k] ?? 'unknown'})`, { invariant: k });
    }
  }

  private fail(r: number, op: string, h: Handle): never {
    switch (r) {
      case Status.E_PINNED:
        throw new GgufPagerError('ARENA_PINNED', `arena: cannot ${op} handle ${h}: the block is pinned`, { handle: h });
      case Status.E_NOT_PINNED:
        throw new GgufPagerError('INVALID_ARGUMENT', `arena: cannot unpin handle ${h}: the block is not pinned`, { handle: h });
      case Status.E_PIN_OVERFLOW:
        throw new GgufPagerError('INVALID_ARGUMENT', `arena: cannot pin handle ${h}: pin count at its limit`, { handle: h });
      default:
        throw new GgufPagerError('ARENA_BAD_HANDLE', `arena: cannot ${op} handle ${h}: never handed out, freed already, or stale`, { handle: h });
    }
  }
}

/** Names of the invariants arenaCheck verifies (assembly/arena-check.ts). */
const ARENA_INVARIANTS: Record<number, string> = {
  1: 'sentinel node',
  2: 'a link leaves the node table or the block list cycles',
  3: 'a back link',
  4: 'blocks tile the arena',
  5: 'no two free blocks touch',
  6: 'a live block spans exactly its size',
  7: 'a node state',
  8: 'a free block is on its size-class list',
  9: 'free lists and bitmaps agree',
  10: 'used bytes',
  11: 'live block count',
  12: 'pinned block count',
  13: 'blocks end at the capacity',
  14: 'every node is a block or unused',
};
