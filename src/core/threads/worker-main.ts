/**
 * The whole program of a compute worker, started from its source text (a
 * Blob URL in a browser, `eval` in Node's worker_threads) so it needs no
 * bundler support and no file of its own: this function must stay
 * self-contained (no imports, no outer names). The word numbers below are
 * control.ts's; test/unit/threads-core.test.ts checks they agree.
 *
 * First message: { module, memory, init: [6 init args], thread, control, spin }.
 * It instantiates the same compiled core on the shared memory, attaches as
 * thread `thread` (globals only: no byte of memory is written), answers
 * { ready: true } or { error }, then loops on the control block until OP_EXIT.
 * `node`: started by Node's worker_threads (else a browser Worker).
 */
export function computeWorkerMain(node: boolean): void {
  type Exports = Record<string, (...a: number[]) => number>;
  interface Start { module: WebAssembly.Module; memory: WebAssembly.Memory; init: number[]; thread: number; control: number; spin: number }
  const g = globalThis as unknown as {
    process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
    postMessage?: (m: unknown) => void; onmessage?: ((e: { data: Start }) => void) | null;
  };
  const port = node
    ? (g.process!.getBuiltinModule!('node:worker_threads') as { parentPort: { postMessage(m: unknown): void; once(ev: string, f: (m: Start) => void): void } }).parentPort
    : null;
  const post = (m: unknown): void => { if (port) port.postMessage(m); else g.postMessage!(m); };
  const start = async (msg: Start): Promise<void> => {
    let x: Exports;
    try {
      const imports = { env: { memory: msg.memory, abort: () => { throw new Error('the core aborted in a compute worker'); } } };
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
    const w = new Int32Array(msg.memory.buffer, msg.control, 80);
    const fw = new Float32Array(msg.memory.buffer, msg.control, 80);
    let seen = Atomics.load(w, 0);
    for (;;) {
      let e = Atomics.load(w, 0);
      for (let i = 0; e === seen && i < msg.spin; i++) e = Atomics.load(w, 0);
      if (e === seen) {
        Atomics.add(w, 1, 1);
        Atomics.wait(w, 0, seen);
        Atomics.sub(w, 1, 1);
        continue;
      }
      seen = e;
      if (Atomics.compareExchange(w, 16 + t, e, -e) !== e) continue; // thread 0 took this share
      Atomics.notify(w, 16 + t); // thread 0 may sleep until the share is claimed (claimWaitMs)
      const op = Atomics.load(w, 2);
      const lo = w[32 + t], hi = w[48 + t];
      let status = 0;
      try {
        if (op === 1) status = x.kMatmulRows(w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], lo, hi);
        else if (op === 2) status = x.kAttentionHeads(w[3], w[4], w[5], w[6], w[7], w[8], w[9], fw[10], w[11], lo, hi);
        else if (op === 4) status = x.kAttentionExtHeads(w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], fw[11], fw[12], w[13], lo, hi);
        else if (op !== 3) status = -1000;
      } catch {
        status = -1001;
      }
      w[64 + t] = status;
      Atomics.store(w, 16 + t, 0);
      Atomics.notify(w, 16 + t);
      if (op === 3) return;
    }
  };
  if (port) port.once('message', (m) => void start(m));
  else g.onmessage = (ev) => { g.onmessage = null; void start(ev.data); };
}
