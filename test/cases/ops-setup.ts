/**
 * What the ops cases share: a core with an arena (and optionally a KV pool),
 * f32/i32 buffers as pinned arena blocks, seeded random data, and the error
 * measures each case states its bound in.
 */
import { createCore, type Core, type CoreOptions, type KvOptions } from '../../src/core/core.ts';
import { CaseFailed, prng } from './arena-harness.ts';
import { testingCoreBuild } from './core-builds.ts';
import { createTestingCore, type TestingCore } from './testing-core.ts';

export const MiB = 1024 * 1024;

export async function opsCore(kv?: KvOptions, arenaBytes = 4 * MiB): Promise<Core> {
  return createCore(opsCoreOptions(kv, arenaBytes));
}

/** opsCore on the test/bench build (simd flavour), for the cases that call its scalar oracles. */
export async function oracleCore(kv?: KvOptions, arenaBytes = 4 * MiB): Promise<TestingCore> {
  return createTestingCore({ ...opsCoreOptions(kv, arenaBytes), module: await testingCoreBuild('simd') });
}

function opsCoreOptions(kv: KvOptions | undefined, arenaBytes: number): CoreOptions {
  const pageBytes = kv ? Math.ceil((kv.pageElems * (kv.dtype === 'f16' ? 2 : 4)) / 64) * 64 : 0;
  return { arenaBytes: arenaBytes + (kv ? kv.pages * pageBytes : 0), ...(kv ? { kv } : {}) };
}

export interface Buf {
  ptr: number;
  length: number;
  /** A fresh Float32Array view (the memory never grows, but views are made per use, as src/core/view.ts does). */
  f32(): Float32Array;
  i32(): Int32Array;
  set(values: ArrayLike<number>): Buf;
}

/** `length` f32 (or i32) in a pinned arena block, 64-byte aligned. */
export function buf(core: Core, length: number): Buf {
  const h = core.arena.alloc(Math.max(4, length * 4));
  core.arena.pin(h);
  const ptr = core.arena.ptr(h);
  const b: Buf = {
    ptr,
    length,
    f32: () => new Float32Array(core.memory.buffer, ptr, length),
    i32: () => new Int32Array(core.memory.buffer, ptr, length),
    set(values) {
      b.f32().set(values);
      return b;
    },
  };
  return b;
}

/** n uniform values in [lo, hi), seeded. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rnd = prng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());
}

/** Throws unless |got[i] - want[i]| ≤ bound(i, want[i]) for every i; returns the largest error / bound seen. */
export function checkClose(got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number, want: number) => number, what: string): number {
  if (got.length !== want.length) throw new CaseFailed(`${what}: length ${got.length}, expected ${want.length}`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = got[i] === want[i] ? 0 : Math.abs(got[i]! - want[i]!);
    const b = bound(i, want[i]!);
    if (!(err <= b)) throw new CaseFailed(`${what}: element ${i} is ${got[i]}, expected ${want[i]} ± ${b} (error ${err})`);
    worst = Math.max(worst, b > 0 ? err / b : 0);
  }
  return worst;
}

/** One unit in the last place of f32 at |x| (2^-149 below the normals). */
export const ulp32 = (x: number): number => {
  const a = Math.abs(x);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
};

/** The value of f16 bits h, decoded by its definition. */
export function f16Value(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
}
