/**
 * Randomized alloc / free / pin / unpin / compact of mixed sizes, seeded, and
 * checked after every step against a model of the arena kept in JS:
 *  - every live block is 64-byte aligned, inside the arena, and overlaps no other;
 *  - each block keeps the byte pattern written into it (checked after every
 *    compaction and every 64 steps), so a move never loses or mixes bytes;
 *  - a pinned block never moves;
 *  - used + free = capacity, used and counts equal the model's;
 *  - the Wasm memory's byte length never changes;
 *  - an allocation fails exactly when the model says no window can hold it
 *    (too many handles, too little free space, or pins splitting it) and
 *    succeeds otherwise;
 *  - double frees, stale handles and frees of pinned blocks are rejected.
 */
import type { Arena, Handle } from '../../src/core/arena.ts';
import { createCore } from '../../src/core/core.ts';
import type { CoreModuleSource } from '../../src/core/wasm.ts';
import { type Cases, between, check, checkEq, checkThrows, fillPattern, patternMismatch, prng } from './arena-harness.ts';

const KiB = 1024;
const UNIT = 64;

interface Block {
  size: number;
  units: number;
  tag: number;
  pins: number;
  pinnedAt: number;
}

interface Model {
  arena: Arena;
  live: Map<Handle, Block>;
  dead: Handle[];
  capacity: number;
  maxBlocks: number;
  memoryBytes: number;
}

/** Mixed sizes: mostly small, some medium, a few large (relative to a 256 KiB arena). */
function randomSize(rnd: () => number): number {
  const r = rnd();
  if (r < 0.55) return between(rnd, 0, 2 * KiB);
  if (r < 0.9) return between(rnd, 2 * KiB, 16 * KiB);
  return between(rnd, 16 * KiB, 64 * KiB);
}

const unitsOf = (size: number): number => Math.max(1, Math.ceil(size / UNIT));

/** Can a block of `units` exist after compaction? Pinned blocks split the arena into segments. */
function fitsAfterCompaction(m: Model, units: number): boolean {
  if (m.live.size >= m.maxBlocks) return false;
  const pinned = [...m.live].filter(([, b]) => b.pins > 0).map(([h, b]) => ({ start: m.arena.ptr(h) - m.arena.base, units: b.units }));
  pinned.sort((a, b) => a.start - b.start);
  const bounds = [...pinned.map((p) => p.start / UNIT), m.capacity / UNIT];
  const segFree = bounds.map((end, i) => end - (i === 0 ? 0 : pinned[i - 1]!.start / UNIT + pinned[i - 1]!.units));
  for (const [h, b] of m.live) {
    if (b.pins > 0) continue;
    const at = (m.arena.ptr(h) - m.arena.base) / UNIT;
    const seg = bounds.findIndex((end) => at < end);
    segFree[seg]! -= b.units;
  }
  return segFree.some((f) => f >= units);
}

function verifyAll(m: Model, step: number): void {
  const placed = [...m.live].map(([h, b]) => ({ h, b, p: m.arena.ptr(h) })).sort((x, y) => x.p - y.p);
  for (let i = 0; i < placed.length; i++) {
    const { h, b, p } = placed[i]!;
    checkEq(p % UNIT, 0, `step ${step}: block ${h} offset mod 64`);
    check(p >= m.arena.base && p + b.units * UNIT <= m.arena.base + m.capacity, `step ${step}: block ${h} at ${p} inside the arena`);
    if (i > 0) {
      const prev = placed[i - 1]!;
      check(prev.p + prev.b.units * UNIT <= p, `step ${step}: blocks ${prev.h} and ${h} overlap`);
    }
    if (b.pins > 0) checkEq(p, b.pinnedAt, `step ${step}: pinned block ${h} address`);
    checkEq(patternMismatch(m.arena.bytes(h), b.tag), -1, `step ${step}: first changed byte of block ${h}`);
  }
}

function verifyStats(m: Model, step: number): void {
  const s = m.arena.stats();
  let used = 0;
  let pinned = 0;
  for (const b of m.live.values()) {
    used += b.units * UNIT;
    if (b.pins > 0) pinned++;
  }
  checkEq(s.used + s.free, m.capacity, `step ${step}: used + free`);
  checkEq(s.used, used, `step ${step}: used bytes`);
  checkEq(s.liveBlocks, m.live.size, `step ${step}: live blocks`);
  checkEq(s.pinnedBlocks, pinned, `step ${step}: pinned blocks`);
  check(s.largestFree <= s.free, `step ${step}: largest free <= free`);
  checkEq(s.memoryBytes, m.memoryBytes, `step ${step}: memory bytes`);
  m.arena.check();
}

let tags = 0;

function stepAlloc(m: Model, rnd: () => number, step: number): boolean {
  const size = randomSize(rnd);
  const possible = fitsAfterCompaction(m, unitsOf(size));
  const before = m.arena.stats().compactions;
  const h = m.arena.tryAlloc(size);
  checkEq(h !== 0, possible, `step ${step}: allocation of ${size} bytes succeeded as the model predicts`);
  if (h === 0) return false;
  check(!m.live.has(h), `step ${step}: handle ${h} is not live twice`);
  const b: Block = { size, units: unitsOf(size), tag: ++tags, pins: 0, pinnedAt: 0 };
  m.live.set(h, b);
  fillPattern(m.arena.bytes(h), b.tag);
  return m.arena.stats().compactions !== before;
}

function pick<T>(rnd: () => number, xs: T[]): T | undefined {
  return xs.length === 0 ? undefined : xs[Math.floor(rnd() * xs.length)];
}

function stepFree(m: Model, rnd: () => number, step: number): void {
  const h = pick(rnd, [...m.live.keys()]);
  if (h === undefined) return;
  const b = m.live.get(h)!;
  if (b.pins > 0) {
    checkThrows(() => m.arena.free(h), 'ARENA_PINNED', `step ${step}: free of pinned block ${h}`);
    return;
  }
  m.arena.free(h);
  m.live.delete(h);
  m.dead.push(h);
}

function stepPin(m: Model, rnd: () => number, pin: boolean): void {
  const hs = [...m.live].filter(([, b]) => (pin ? b.pins < 3 : b.pins > 0)).map(([h]) => h);
  const h = pick(rnd, hs);
  if (h === undefined) return;
  const b = m.live.get(h)!;
  if (pin) {
    m.arena.pin(h);
    if (b.pins++ === 0) b.pinnedAt = m.arena.ptr(h);
  } else {
    m.arena.unpin(h);
    b.pins--;
  }
}

function stepBadHandle(m: Model, rnd: () => number, step: number): void {
  const h = pick(rnd, m.dead);
  if (h === undefined || m.live.has(h)) return;
  checkThrows(() => m.arena.free(h), 'ARENA_BAD_HANDLE', `step ${step}: double free of ${h}`);
  checkThrows(() => m.arena.pin(h), 'ARENA_BAD_HANDLE', `step ${step}: pin of freed ${h}`);
}

/** `steps` random operations from `seed`, on the default core or on `module` (e.g. the debug build). */
export async function stress(seed: number, steps: number, module?: CoreModuleSource): Promise<void> {
  const rnd = prng(seed);
  const capacity = 256 * KiB;
  const core = await createCore({ arenaBytes: capacity, maxBlocks: 96, module });
  const m: Model = { arena: core.arena, live: new Map(), dead: [], capacity, maxBlocks: 96, memoryBytes: core.memoryBytes() };
  let moves = 0;
  for (let step = 0; step < steps; step++) {
    const r = rnd();
    let moved = false;
    if (r < 0.45) moved = stepAlloc(m, rnd, step);
    else if (r < 0.78) stepFree(m, rnd, step);
    else if (r < 0.86) stepPin(m, rnd, true);
    else if (r < 0.94) stepPin(m, rnd, false);
    else if (r < 0.97) stepBadHandle(m, rnd, step);
    else moved = m.arena.compact() > 0;
    verifyStats(m, step);
    if (moved || step % 64 === 0) verifyAll(m, step);
    if (moved) moves++;
  }
  verifyAll(m, steps);
  check(moves > 10, `the run compacted often enough to test moves (${moves})`);
  checkEq(core.memoryBytes(), m.memoryBytes, 'memory bytes at the end');
}

export const arenaStressCases: Cases = {
  async 'survives 3000 random alloc/free/pin/compact steps checked against a model (seed 1)'() {
    await stress(1, 3000);
  },
  async 'survives 3000 random alloc/free/pin/compact steps checked against a model (seed 2)'() {
    await stress(2, 3000);
  },
};
