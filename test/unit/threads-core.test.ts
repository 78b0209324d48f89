import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/core/core.ts';
import { ARGS, CONTROL_BYTES, CONTROL_WORDS, EPOCH, HI, LO, OP, OP_ATTENTION_HEADS, OP_EXIT, OP_MATMUL_ROWS, SHARE, SLEEPERS, STATUS } from '../../src/core/threads/control.ts';
import { computeWorkerMain } from '../../src/core/threads/worker-main.ts';
import { compileSharedCore, loadedCoreBuild } from '../../src/core/wasm.ts';

/**
 * The shared-memory build of the core: chosen as the single-memory builds are (Relaxed SIMD where the
 * engine runs it: the unit project runs Node with the flag), its memory shared and fixed (maximum =
 * initial: it cannot grow), the arena and KV layout the single-memory build's, the threads' control
 * block counted in the budget, and a compute instance made later on the same memory changes nothing.
 */
const cores: Core[] = [];
afterEach(() => { for (const c of cores.splice(0)) c.threads.close(); });
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
    const c = await createCore({ ...OPTS, threads: 2, threadOptions: { spawn: () => { throw new Error('none'); } } });
    cores.push(c);
    expect(c.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const hs = [1000, 5000, 300].map((n) => { const h = c.arena.alloc(n); c.arena.pin(h); return h; });
    c.arena.unpin(hs[1]);
    c.arena.free(hs[1]);
    const before = c.arena.stats();
    const snapshot = new Uint8Array(c.memory.buffer).slice();
    await WebAssembly.instantiate(await compileSharedCore(), { env: { memory: c.memory } });
    const changed: number[] = [];
    new Uint8Array(c.memory.buffer).forEach((b, i) => { if (b !== snapshot[i]) changed.push(i); });
    expect(changed).toEqual([]);
    expect(c.exports.arenaCheck()).toBe(0);
    expect(c.arena.stats()).toEqual(before);
  });
});

it('the compute worker program reads the control block words control.ts defines (it cannot import them)', () => {
  const src = computeWorkerMain.toString().replace(/\s+/g, ' ');
  expect([EPOCH, SLEEPERS, OP, ARGS, SHARE, LO, HI, STATUS, CONTROL_WORDS]).toEqual([0, 1, 2, 3, 16, 32, 48, 64, 80]);
  expect([OP_MATMUL_ROWS, OP_ATTENTION_HEADS, OP_EXIT]).toEqual([1, 2, 3]);
  for (const needle of ['Atomics.load(w, 0)', 'Atomics.add(w, 1, 1)', 'Atomics.wait(w, 0, seen)', 'Atomics.compareExchange(w, 16 + t, e, -e)',
    'Atomics.load(w, 2)', 'w[32 + t]', 'w[48 + t]', 'w[64 + t] = status', 'Atomics.store(w, 16 + t, 0)', 'control, 80)',
    'x.kMatmulRows(w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], lo, hi)',
    'x.kAttentionHeads(w[3], w[4], w[5], w[6], w[7], w[8], w[9], fw[10], w[11], lo, hi)']) {
    expect(src, needle).toContain(needle);
  }
});
