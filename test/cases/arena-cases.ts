/**
 * Arena behaviours, one case each, run in Node, a page and a Worker
 * (test/unit/arena.test.ts, test/browser/arena.test.ts, test/browser/arena-worker.test.ts).
 */
import { createCore } from '../../src/core/core.ts';
import { u32At } from '../../src/core/view.ts';
import { type Cases, check, checkEq, checkThrows, checkRejects, fillPattern, patternMismatch } from './arena-harness.ts';
import { arenaStressCases } from './arena-stress.ts';

const KiB = 1024;

export const arenaCases: Cases = {
  async 'hands out 64-byte aligned blocks inside the arena, each of the size asked for'() {
    const { arena } = await createCore({ arenaBytes: 64 * KiB });
    for (const size of [1, 63, 64, 65, 100, 1000, 4096, 5000]) {
      const h = arena.alloc(size);
      const p = arena.ptr(h);
      checkEq(p % 64, 0, `offset of a ${size}-byte block mod 64`);
      check(p >= arena.base && p + size <= arena.base + arena.capacity, `a ${size}-byte block at ${p} lies inside the arena`);
      checkEq(arena.size(h), size, 'size(h)');
      checkEq(arena.bytes(h).length, size, 'bytes(h).length');
    }
    arena.check();
  },

  async 'gives each block its own bytes: filling one never changes another'() {
    const { arena } = await createCore({ arenaBytes: 64 * KiB });
    const blocks = [100, 64, 1, 3000, 777].map((size, tag) => ({ h: arena.alloc(size), tag }));
    for (const b of blocks) fillPattern(arena.bytes(b.h), b.tag);
    for (const b of blocks) checkEq(patternMismatch(arena.bytes(b.h), b.tag), -1, `first changed byte of block ${b.tag}`);
  },

  async 'allocates a zero-byte request as one 64-byte block'() {
    const { arena } = await createCore({ arenaBytes: 4 * KiB });
    const h = arena.alloc(0);
    checkEq(arena.size(h), 0, 'size(h)');
    checkEq(arena.stats().used, 64, 'used bytes');
    arena.check();
  },

  async 'fails cleanly beyond capacity: tryAlloc answers 0 and alloc throws ARENA_FULL with the numbers'() {
    const { arena } = await createCore({ arenaBytes: 16 * KiB });
    checkEq(arena.tryAlloc(16 * KiB + 1), 0, 'tryAlloc(capacity + 1)');
    checkEq(arena.tryAlloc(2 ** 40), 0, 'tryAlloc(2^40)');
    const h = arena.alloc(10 * KiB);
    checkEq(arena.tryAlloc(7 * KiB), 0, 'tryAlloc of more than is free');
    const e = checkThrows(() => arena.alloc(7 * KiB), 'ARENA_FULL', 'alloc of more than is free');
    checkEq(e.details.size, 7 * KiB, 'details.size');
    checkEq(e.details.free, 6 * KiB, 'details.free');
    checkEq(e.details.largestFree, 6 * KiB, 'details.largestFree');
    checkThrows(() => arena.tryAlloc(-1), 'INVALID_ARGUMENT', 'tryAlloc(-1)');
    checkThrows(() => arena.tryAlloc(1.5), 'INVALID_ARGUMENT', 'tryAlloc(1.5)');
    arena.free(h);
    checkEq(arena.stats().free, 16 * KiB, 'free bytes after the failures and one free');
    arena.check();
  },

  async 'rejects a double free, a handle never handed out, and a stale handle whose slot was reused'() {
    const { arena } = await createCore({ arenaBytes: 16 * KiB });
    const a = arena.alloc(100);
    arena.free(a);
    checkThrows(() => arena.free(a), 'ARENA_BAD_HANDLE', 'double free');
    for (const bad of [0, -1, 1, 12345, 2 ** 29, 1.5, NaN]) {
      checkThrows(() => arena.free(bad), 'ARENA_BAD_HANDLE', `free(${bad})`);
      checkThrows(() => arena.pin(bad), 'ARENA_BAD_HANDLE', `pin(${bad})`);
      checkThrows(() => arena.ptr(bad), 'ARENA_BAD_HANDLE', `ptr(${bad})`);
    }
    // allocate until the freed handle's node is live again under a new generation
    const held = Array.from({ length: 20 }, () => arena.alloc(64));
    check(
      held.some((h) => (h & 0x3ffff) === (a & 0x3ffff)),
      "the freed handle's node was reused",
    );
    checkThrows(() => arena.free(a), 'ARENA_BAD_HANDLE', 'free of a stale handle');
    checkThrows(() => arena.ptr(a), 'ARENA_BAD_HANDLE', 'ptr of a stale handle');
    checkEq(arena.stats().liveBlocks, 20, 'live blocks: the stale frees touched nobody');
    arena.check();
  },

  async 'refuses to free a pinned block until every pin is undone, and rejects unpin of an unpinned block'() {
    const { arena } = await createCore({ arenaBytes: 16 * KiB });
    const h = arena.alloc(1000);
    arena.pin(h);
    arena.pin(h);
    checkEq(arena.stats().pinnedBlocks, 1, 'pinned blocks');
    checkThrows(() => arena.free(h), 'ARENA_PINNED', 'free with two pins');
    arena.unpin(h);
    checkThrows(() => arena.free(h), 'ARENA_PINNED', 'free with one pin');
    arena.unpin(h);
    checkThrows(() => arena.unpin(h), 'INVALID_ARGUMENT', 'unpin with no pin');
    arena.free(h);
    checkEq(arena.stats().pinnedBlocks, 0, 'pinned blocks after free');
    arena.check();
  },

  async 'coalesces a freed block with both free neighbours into one'() {
    const { arena } = await createCore({ arenaBytes: 4 * KiB });
    const [a, b, c, d] = [1, 2, 3, 4].map(() => arena.alloc(1 * KiB));
    arena.free(a!);
    arena.free(c!);
    checkEq(arena.stats().largestFree, 1 * KiB, 'largest free with two holes');
    arena.free(b!);
    checkEq(arena.stats().largestFree, 3 * KiB, 'largest free after the middle block joins both holes');
    arena.check();
    arena.free(d!);
    checkEq(arena.stats().largestFree, 4 * KiB, 'largest free of an empty arena');
  },

  async 'compacts unpinned blocks to fit a request only merged free space holds, keeping their bytes'() {
    const { arena } = await createCore({ arenaBytes: 8 * KiB });
    const hs = Array.from({ length: 8 }, () => arena.alloc(1 * KiB));
    hs.forEach((h, tag) => fillPattern(arena.bytes(h), tag));
    for (const i of [0, 2, 4, 6]) arena.free(hs[i]!);
    checkEq(arena.stats().largestFree, 1 * KiB, 'largest free before');
    const big = arena.alloc(3 * KiB);
    const s = arena.stats();
    check(s.compactions >= 1 && s.bytesMoved > 0, `a compaction ran (${s.compactions}, ${s.bytesMoved} bytes moved)`);
    for (const i of [1, 3, 5, 7]) checkEq(patternMismatch(arena.bytes(hs[i]!), i), -1, `first changed byte of block ${i}`);
    checkEq(arena.ptr(big) % 64, 0, 'the new block is aligned');
    arena.check();
  },

  async 'compacts only when the cheapest window moves at most maxMoveBytes'() {
    const { arena } = await createCore({ arenaBytes: 8 * KiB });
    const hs = Array.from({ length: 8 }, () => arena.alloc(1 * KiB));
    for (const i of [0, 2, 4, 6]) arena.free(hs[i]!);
    checkEq(arena.tryAlloc(2 * KiB, 1023), 0, 'a 2 KiB block when the cheapest window moves 1 KiB but 1023 bytes are allowed');
    checkEq(arena.stats().bytesMoved, 0, 'bytes moved by the refused compaction');
    check(arena.tryAlloc(2 * KiB, 1 * KiB) > 0, 'a 2 KiB block when 1 KiB may move');
    checkEq(arena.stats().bytesMoved, 1 * KiB, 'bytes moved: one block slid over one hole');
    checkEq(arena.tryAlloc(2 * KiB, 0), 0, 'no second 2 KiB block without moving');
    arena.check();
  },

  async 'never moves a pinned block, and fails when pins split the free space'() {
    const { arena } = await createCore({ arenaBytes: 8 * KiB });
    const hs = Array.from({ length: 8 }, () => arena.alloc(1 * KiB));
    for (const i of [0, 2, 4, 6]) arena.free(hs[i]!);
    for (const i of [1, 5]) arena.pin(hs[i]!);
    const before = [1, 5].map((i) => arena.ptr(hs[i]!));
    checkEq(arena.tryAlloc(3 * KiB), 0, 'a 3 KiB block when pins cut the 4 KiB free into 1 + 2 + 1');
    const h = arena.alloc(2 * KiB);
    checkEq(arena.ptr(hs[1]!), before[0], 'pinned block 1 stayed');
    checkEq(arena.ptr(hs[5]!), before[1], 'pinned block 5 stayed');
    arena.compact();
    checkEq(arena.ptr(hs[1]!), before[0], 'pinned block 1 stayed through compact()');
    checkEq(arena.ptr(hs[5]!), before[1], 'pinned block 5 stayed through compact()');
    check(arena.ptr(h) > 0, 'the 2 KiB block is live');
    arena.check();
  },

  async 'compact() slides every unpinned block down and reports the bytes moved'() {
    const { arena } = await createCore({ arenaBytes: 8 * KiB });
    const hs = Array.from({ length: 4 }, () => arena.alloc(2 * KiB));
    hs.forEach((h, tag) => fillPattern(arena.bytes(h), tag));
    arena.free(hs[0]!);
    arena.free(hs[2]!);
    checkEq(arena.compact(), 4 * KiB, 'bytes moved: blocks 1 and 3, 2 KiB each');
    checkEq(arena.ptr(hs[1]!), arena.base, 'block 1 at the base');
    checkEq(arena.ptr(hs[3]!), arena.base + 2 * KiB, 'block 3 right after it');
    checkEq(arena.stats().largestFree, 4 * KiB, 'one free block');
    for (const i of [1, 3]) checkEq(patternMismatch(arena.bytes(hs[i]!), i), -1, `first changed byte of block ${i}`);
    arena.check();
  },

  async "keeps the Wasm memory's byte length fixed after init"() {
    const core = await createCore({ arenaBytes: 256 * KiB, kv: { pages: 4, pageElems: 1024 } });
    const bytes = core.memoryBytes();
    const hs = Array.from({ length: 100 }, (_, i) => core.arena.tryAlloc(64 * (i + 1))).filter((h) => h > 0);
    hs.slice(0, 50).forEach((h) => core.arena.free(h));
    core.arena.compact();
    core.arena.tryAlloc(10 ** 9);
    core.kv!.alloc();
    checkEq(core.memoryBytes(), bytes, 'memory bytes after allocations, frees, compaction and a failure');
    checkEq(core.arena.stats().memoryBytes, bytes, 'stats().memoryBytes');
  },

  async 'rejects an invalid capacity with ARENA_INIT'() {
    for (const arenaBytes of [0, -1, 63, 1.5, NaN, 2 ** 32, 2 ** 53]) {
      await checkRejects(createCore({ arenaBytes }), 'ARENA_INIT', `createCore({ arenaBytes: ${arenaBytes} })`);
    }
    await checkRejects(createCore({ arenaBytes: 4 * KiB, maxBlocks: 0 }), 'ARENA_INIT', 'maxBlocks 0');
    await checkRejects(createCore({ arenaBytes: 2 ** 32 - 64 }), 'ARENA_INIT', 'a budget the 4 GiB memory cannot hold with its tables');
  },

  async 'fails cleanly when every block handle is live'() {
    const { arena } = await createCore({ arenaBytes: 64 * KiB, maxBlocks: 4 });
    const hs = [1, 2, 3, 4].map(() => arena.alloc(64));
    checkEq(arena.tryAlloc(64), 0, 'a fifth block');
    const e = checkThrows(() => arena.alloc(64), 'ARENA_FULL', 'alloc of a fifth block');
    check(/handles are live/.test(e.message), `the message says why: ${e.message}`);
    arena.free(hs[0]!);
    check(arena.tryAlloc(64) > 0, 'a block after one free');
    arena.check();
  },

  async 'check() reports ARENA_CORRUPT when a block record is broken'() {
    const { arena, memory } = await createCore({ arenaBytes: 4 * KiB, maxBlocks: 8 });
    const h = arena.alloc(100);
    arena.check();
    // assembly/init.ts: the node table follows the budget; a record is 8 u32, `units` at word 1
    const nodes = u32At(memory, arena.base + arena.capacity, 8 * 18);
    nodes[(h & 0x3ffff) * 8 + 1] += 1;
    checkThrows(() => arena.check(), 'ARENA_CORRUPT', 'check of a block one unit too long');
  },

  ...arenaStressCases,
};
