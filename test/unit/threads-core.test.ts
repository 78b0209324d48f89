import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/core/core.ts';
import {
  ARGS,
  BUSY,
  CHUNKS,
  CONTROL_BYTES,
  CONTROL_WORDS,
  COUNT,
  DONE,
  EPOCH,
  NEXT,
  OP,
  OP_ATTENTION_EXT_HEADS,
  OP_EXIT,
  OP_GLU,
  OP_MATMUL_MANY,
  OP_MATMUL_ROWS,
  OP_PREPARE_ROWS,
  MAX_MATRICES,
  SIZE,
  SLEEPERS,
  STATUS,
  TAG_MASK,
  WAITING,
} from '../../src/core/threads/control.ts';
import { computeWorkerMain } from '../../src/core/threads/worker-main.ts';
import { compileSharedCore, loadedCoreBuild } from '../../src/core/wasm.ts';

/**
 * The shared-memory build of the core: chosen as the single-memory builds are (Relaxed SIMD where the
 * engine runs it: the unit project runs Node with the flag), its memory shared and fixed (maximum =
 * initial: it cannot grow), the arena and KV layout the single-memory build's, the threads' control
 * block counted in the budget, and a compute instance made later on the same memory changes nothing.
 */
const cores: Core[] = [];
afterEach(() => {
  for (const c of cores.splice(0)) c.threads.close();
});
const OPTS = { arenaBytes: 8 << 20, kv: { pages: 16, pageElems: 4096 } } as const;

async function open(threads: number): Promise<Core> {
  const c = await createCore({ ...OPTS, threads });
  cores.push(c);
  return c;
}

describe('the shared-memory core', () => {
  it('loads core.shared-relaxed.wasm where Relaxed SIMD runs', async () => {
    await open(2);
    const info = loadedCoreBuild(true)!;
    expect(info.build).toBe('relaxed');
    expect(info.url).toMatch(/core\.shared-relaxed\.wasm$/);
  });

  it('has a shared memory of fixed size that cannot grow', async () => {
    const c = await open(2);
    expect(c.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const bytes = c.memoryBytes();
    expect(() => c.memory.grow(1)).toThrow(RangeError);
    expect(c.memoryBytes()).toBe(bytes);
  });

  it('lays out the arena and KV pages as the single-memory build does, and counts the control block in the budget', async () => {
    const one = await open(1);
    const two = await open(2);
    expect(two.arena.base).toBe(one.arena.base);
    expect(two.arena.capacity).toBe(one.arena.capacity);
    expect(two.exports.kvPagePtr(3)).toBe(one.exports.kvPagePtr(3));
    expect(two.arena.stats().used - one.arena.stats().used).toBe(Math.ceil(CONTROL_BYTES / 64) * 64);
    expect(two.arena.stats().pinnedBlocks).toBe(1);
  });

  it('is not changed by one more instance of the module on its memory (a compute worker that starts late)', async () => {
    // the shared core without workers, so no worker touches the control block meanwhile
    const c = await createCore({
      ...OPTS,
      threads: 2,
      threadOptions: {
        spawn: () => {
          throw new Error('none');
        },
      },
    });
    cores.push(c);
    expect(c.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const hs = [1000, 5000, 300].map((n) => {
      const h = c.arena.alloc(n);
      c.arena.pin(h);
      return h;
    });
    c.arena.unpin(hs[1]);
    c.arena.free(hs[1]);
    const before = c.arena.stats();
    const snapshot = new Uint8Array(c.memory.buffer).slice();
    await WebAssembly.instantiate(await compileSharedCore(), { env: { memory: c.memory } });
    const changed: number[] = [];
    new Uint8Array(c.memory.buffer).forEach((b, i) => {
      if (b !== snapshot[i]) changed.push(i);
    });
    expect(changed).toEqual([]);
    expect(c.exports.arenaCheck()).toBe(0);
    expect(c.arena.stats()).toEqual(before);
  });
});

it('the compute worker program reads the control block words control.ts defines (it cannot import them)', () => {
  // whitespace and number literals as the transform left them (esbuild writes 0x7fff as 32767)
  const src = computeWorkerMain
    .toString()
    .replace(/\s+/g, ' ')
    .replace(/0x[0-9a-f]+/gi, (h) => String(Number.parseInt(h, 16)));
  expect([EPOCH, SLEEPERS, OP, ARGS, NEXT, CHUNKS, SIZE, COUNT, DONE, STATUS, WAITING, BUSY, CONTROL_WORDS]).toEqual([
    0, 1, 2, 3, 24, 25, 26, 27, 28, 29, 30, 32, 48,
  ]);
  expect([OP_MATMUL_ROWS, OP_EXIT, OP_ATTENTION_EXT_HEADS, OP_MATMUL_MANY, MAX_MATRICES, OP_PREPARE_ROWS, OP_GLU, TAG_MASK]).toEqual([
    1, 3, 4, 5, 5, 6, 7, 0x7fff,
  ]);
  for (const needle of [
    'Atomics.load(w, 0)',
    'Atomics.add(w, 1, 1)',
    'Atomics.wait(w, 0, seen)',
    'Atomics.load(w, 2) === 3',
    'const tag = (e & 32767) << 16',
    'Atomics.load(w, 24)',
    '(v & 2147418112) !== tag',
    'const n = w[25]',
    'Atomics.compareExchange(w, 24, v, v + 1)',
    'const size = w[26]',
    'Math.min(w[27], lo + size)',
    'Atomics.add(w, 28, 1) + 1 === n',
    'Atomics.load(w, 30) !== 0',
    'Atomics.notify(w, 28)',
    'Atomics.compareExchange(w, 29, 0, status)',
    'Atomics.store(w, 32 + t, e)',
    'Atomics.store(w, 32 + t, 0)',
    'control, 48)',
    'x.kMatmulRows(w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], lo, hi)',
    'x.kAttentionExtHeads(w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], fw[11], fw[12], w[13], lo, hi)',
    'i < w[8]',
    'off += w[10 + 3 * i]',
    'x.kMatmulRows(w[3], w[9 + 3 * i], w[10 + 3 * i], w[4], w[5], w[6], w[11 + 3 * i], w[7], a, b)',
    'x.kMatmulPrepare(w[3], w[4], w[5], w[6], w[7] + lo * w[6] * 4, hi - lo, w[8], w[9] + lo * w[10])',
    '(w[3] === 0 ? x.kSwiglu : x.kGeglu)(w[4] + lo * 4, w[5] + lo * 4, w[6] + lo * 4, hi - lo)',
  ]) {
    expect(src, needle).toContain(needle);
  }
});
