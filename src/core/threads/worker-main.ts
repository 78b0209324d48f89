/**
 * The whole program of a compute worker, started from its source text (a
 * Blob URL in a browser, `eval` in Node's worker_threads) so it needs no
 * bundler support and no file of its own: this function must stay
 * self-contained (no imports, no outer names). The word numbers below are
 * control.ts's; test/unit/threads-core.test.ts checks they agree.
 *
 * First message: { module, memory, init: [6 init args], thread, control, spinMs }.
 * It instantiates the same compiled core on the shared memory, attaches as
 * thread `thread` (globals only: no byte of memory is written), answers
 * { ready: true } or { error }, then loops until OP_EXIT: it spins on EPOCH
 * for spinMs, else sleeps on it; on a new epoch it takes chunks of the op
 * (compareExchange on NEXT) and runs them until none is left.
 * `node`: started by Node's worker_threads (else a browser Worker).
 */
export function computeWorkerMain(node: boolean): void {
  type Exports = Record<string, (...a: number[]) => number>;
  interface Start {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    init: number[];
    thread: number;
    control: number;
    spinMs: number;
  }
  const g = globalThis as unknown as {
    process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
    postMessage?: (m: unknown) => void;
    onmessage?: ((e: { data: Start }) => void) | null;
  };
  const port = node
    ? (g.process!.getBuiltinModule!('node:worker_threads') as { parentPort: { postMessage(m: unknown): void; once(ev: string, f: (m: Start) => void): void } })
        .parentPort
    : null;
  const post = (m: unknown): void => {
    if (port) port.postMessage(m);
    else g.postMessage!(m);
  };
  const start = async (msg: Start): Promise<void> => {
    let x: Exports;
    try {
      const imports = {
        env: {
          memory: msg.memory,
          abort: () => {
            throw new Error('the core aborted in a compute worker');
          },
        },
      };
      const instance = await WebAssembly.instantiate(msg.module, imports);
      x = instance.exports as unknown as Exports;
      const [a, b, c, d, e, f] = msg.init;
      const r = x.attach(a, b, c, d, e, f, msg.thread);
      if (r !== 0) throw new Error(`attach as thread ${msg.thread} answered status ${r}`);
    } catch (e) {
      post({ error: String(e) });
      return;
    }
    post({ ready: true });
    const t = msg.thread;
    const w = new Int32Array(msg.memory.buffer, msg.control, 48);
    const fw = new Float32Array(msg.memory.buffer, msg.control, 48);
    /** Runs chunk c of the op posted at epoch e (claimed): the kernel over its range, then DONE. */
    const runChunk = (e: number, c: number, n: number): void => {
      Atomics.store(w, 32 + t, e);
      const size = w[26];
      const lo = c * size,
        hi = Math.min(w[27], lo + size);
      const op = w[2];
      let status = 0;
      try {
        if (op === 1) status = x.kMatmulRows(w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], lo, hi);
        else if (op === 4) status = x.kAttentionExtHeads(w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], fw[11], fw[12], w[13], lo, hi);
        else if (op === 5) {
          // matrix after matrix: w[9 + 3i], w[10 + 3i] rows, y at w[11 + 3i]; this chunk's part of each
          for (let i = 0, off = 0; i < w[8] && status >= 0; off += w[10 + 3 * i], i++) {
            const a = Math.max(lo - off, 0),
              b = Math.min(hi - off, w[10 + 3 * i]);
            if (a < b) status = x.kMatmulRows(w[3], w[9 + 3 * i], w[10 + 3 * i], w[4], w[5], w[6], w[11 + 3 * i], w[7], a, b);
          }
        } else if (op === 6) status = x.kMatmulPrepare(w[3], w[4], w[5], w[6], w[7] + lo * w[6] * 4, hi - lo, w[8], w[9] + lo * w[10]);
        else if (op === 7) status = (w[3] === 0 ? x.kSwiglu : x.kGeglu)(w[4] + lo * 4, w[5] + lo * 4, w[6] + lo * 4, hi - lo);
        else status = -1000;
      } catch {
        status = -1001;
      }
      if (status < 0) Atomics.compareExchange(w, 29, 0, status);
      Atomics.store(w, 32 + t, 0);
      if (Atomics.add(w, 28, 1) + 1 === n && Atomics.load(w, 30) !== 0) Atomics.notify(w, 28);
    };
    let seen = Atomics.load(w, 0);
    for (;;) {
      let e = Atomics.load(w, 0);
      if (e === seen) {
        const t0 = performance.now();
        for (let i = 1; e === seen; i++) {
          e = Atomics.load(w, 0);
          if ((i & 1023) === 0 && performance.now() - t0 > msg.spinMs) break;
        }
      }
      if (e === seen) {
        Atomics.add(w, 1, 1);
        Atomics.wait(w, 0, seen);
        Atomics.sub(w, 1, 1);
        continue;
      }
      seen = e;
      if (Atomics.load(w, 2) === 3) return;
      const tag = (e & 0x7fff) << 16;
      for (;;) {
        const v = Atomics.load(w, 24);
        if ((v & 0x7fff0000) !== tag) break; // a newer op: the next round of the outer loop sees its epoch
        const n = w[25];
        if ((v & 0xffff) >= n) break;
        if (Atomics.compareExchange(w, 24, v, v + 1) === v) runChunk(e, v & 0xffff, n);
      }
    }
  };
  if (port) port.once('message', (m) => void start(m));
  else
    g.onmessage = (ev) => {
      g.onmessage = null;
      void start(ev.data);
    };
}
