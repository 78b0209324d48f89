import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/core/core.ts';
import { GgmlType } from '../../src/gguf/ggml-types.ts';
import type { ComputeWorker } from '../../src/core/threads/spawn.ts';
import { computeWorkerMain } from '../../src/core/threads/worker-main.ts';

/**
 * A compute pool that loses a worker falls back to one thread, says why, and still computes the
 * same bits: a worker that cannot be started, one that reports an error, one that dies between
 * ops, and one that claims a share and never finishes it (stallMs bounds the wait).
 */
const ROWS = 256;
const COLS = 256;
const cores: Core[] = [];
afterEach(() => {
  for (const c of cores.splice(0)) c.threads.close();
});

/** y = W·x through the kernels (split when the pool runs), and the same product by the single-thread export. */
function matvecBoth(core: Core): { split: Float32Array; serial: Float32Array } {
  const alloc = (bytes: number) => {
    const h = core.arena.alloc(bytes);
    core.arena.pin(h);
    return core.arena.ptr(h);
  };
  const w = alloc(ROWS * COLS * 4),
    x = alloc(COLS * 4),
    y = alloc(ROWS * 4),
    y1 = alloc(ROWS * 4);
  const f = (p: number, n: number) => new Float32Array(core.memory.buffer, p, n);
  f(w, ROWS * COLS).forEach((_, i, a) => {
    a[i] = Math.sin(i * 0.37);
  });
  f(x, COLS).forEach((_, i, a) => {
    a[i] = Math.cos(i * 0.11);
  });
  core.kernels.matvec(GgmlType.F32, w, ROWS, COLS, x, y, 0);
  expect(core.exports.kMatvec(GgmlType.F32, w, ROWS, COLS, x, y1, 0)).toBe(0);
  return { split: f(y, ROWS).slice(), serial: f(y1, ROWS).slice() };
}

async function open(threads: number, spawn?: (name: string) => ComputeWorker, stallMs?: number): Promise<Core> {
  const core = await createCore({
    arenaBytes: 4 << 20,
    threads,
    threadOptions: { minSplitBytes: 0, claimWaitMs: 2000, startMs: 5000, ...(spawn ? { spawn } : {}), ...(stallMs ? { stallMs } : {}) },
  });
  cores.push(core);
  return core;
}

/** A real worker running `body` (the start message arrives as `m`; `post` answers thread 0). */
function scripted(body: string): (name: string) => ComputeWorker {
  return wrap(
    [],
    `const { parentPort } = require('node:worker_threads'); const post = (x) => parentPort.postMessage(x);
      parentPort.once('message', (m) => { ${body} });`,
  );
}

/** Workers from source text, each pushed to `raw` so a test can end it behind the pool's back. */
function wrap(raw: Worker[], source: string): (name: string) => ComputeWorker {
  return () => {
    const w = new Worker(source, { eval: true });
    w.unref();
    raw.push(w);
    let ended = false;
    return {
      post: (m) => w.postMessage(m),
      onMessage: (cb) => w.on('message', cb),
      onFailure: (cb) => {
        w.on('error', (e) => {
          if (!ended) cb(String(e));
        });
        w.on('exit', (c) => {
          if (!ended) cb(`compute worker exited (code ${c})`);
        });
      },
      terminate: () => {
        ended = true;
        void w.terminate();
      },
    };
  };
}

describe('compute threads that fail', () => {
  it('computes on 2 threads with the same bits as the serial kernel', async () => {
    const core = await open(2);
    expect(core.threads.count).toBe(2);
    const { split, serial } = matvecBoth(core);
    expect(Buffer.from(split.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
    expect(core.threads.parallel!.pool.counts.ops).toBeGreaterThan(0);
  });

  it('computes on 1 thread and says why where the realm is not cross-origin isolated (as a page without COOP/COEP)', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    g.crossOriginIsolated = false; // what a browser sets on a page served without COOP/COEP
    try {
      const core = await open(4);
      expect(core.threads.count).toBe(1);
      expect(core.threads.reason).toMatch(/the page is not cross-origin isolated/);
      const { split, serial } = matvecBoth(core);
      expect(Buffer.from(split.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
    } finally {
      delete g.crossOriginIsolated;
    }
  });

  it('falls back to 1 thread with the reason when a worker cannot be started', async () => {
    const core = await open(3, () => {
      throw new Error('no workers here');
    });
    expect(core.threads.count).toBe(1);
    expect(core.threads.reason).toMatch(/no workers here.*1 thread/);
    const { split, serial } = matvecBoth(core);
    expect(Buffer.from(split.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
  });

  it('falls back to 1 thread when a worker reports that it could not instantiate the core', async () => {
    const core = await open(2, scripted(`post({ error: 'CompileError: no core' });`));
    expect(core.threads.count).toBe(1);
    expect(core.threads.reason).toMatch(/compute thread 1 did not start: CompileError: no core/);
  });

  it('falls back to 1 thread when a worker never answers (startMs)', async () => {
    const core = await createCore({ arenaBytes: 1 << 20, threads: 2, threadOptions: { startMs: 50, spawn: scripted('setInterval(() => {}, 1000);') } });
    cores.push(core);
    expect(core.threads.count).toBe(1);
    expect(core.threads.reason).toMatch(/did not start within 50 ms/);
  });

  it('goes on with the same bits on 1 thread after a worker dies between ops', async () => {
    const raw: Worker[] = [];
    const core = await open(2, wrap(raw, `(${computeWorkerMain.toString()})(true);`));
    expect(core.threads.count).toBe(2);
    matvecBoth(core);
    await raw[0].terminate(); // as a crash ends it: the pool hears 'exit'
    await new Promise((r) => setTimeout(r, 20));
    expect(core.threads.count).toBe(1);
    expect(core.threads.reason).toMatch(/exited.*1 thread/);
    const { split, serial } = matvecBoth(core);
    expect(Buffer.from(split.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
  });

  it('does not hang when a worker takes a chunk and never finishes it (stallMs)', async () => {
    // takes the first chunk of the first op (compareExchange on NEXT, as computeWorkerMain does) and never marks it done
    const claimAndHang = `
      const w = new Int32Array(m.memory.buffer, m.control, 48); post({ ready: true });
      for (;;) { const e = Atomics.load(w, 0); const v = Atomics.load(w, 24);
        if (e > 0 && (v >>> 16) === (e & 0x7fff) && Atomics.compareExchange(w, 24, v, v + 1) === v) { Atomics.store(w, 32 + m.thread, e); Atomics.wait(w, 47, 0); }
        Atomics.wait(w, 0, e, 5); }`;
    const core = await open(2, scripted(claimAndHang), 200);
    expect(core.threads.count).toBe(2);
    const { split, serial } = matvecBoth(core);
    expect(Buffer.from(split.buffer).equals(Buffer.from(serial.buffer))).toBe(true);
    expect(core.threads.count).toBe(1);
    expect(core.threads.reason).toMatch(/compute thread 1 did not finish an op within 200 ms: computing on 1 thread/);
  });
});
