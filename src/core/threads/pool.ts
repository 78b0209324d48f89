/**
 * The compute pool, seen from thread 0 (the thread that owns the pager and
 * the engine): N − 1 compute workers on the shared core memory, and one call
 * per parallel op that posts it through the control block (control.ts), takes
 * chunks of it like every worker, and returns when every chunk is done. No
 * postMessage per op: Atomics only; workers spin briefly before they sleep.
 *
 * Chunks are taken, not assigned: a worker that is asleep, late or
 * descheduled costs the op nothing but its share of the parallelism (thread 0
 * takes the chunks it does not), and an op never waits for a worker that has
 * not started it. Failure never hangs and never changes a result: a worker
 * that fails to start, dies or stalls (a chunk not done within `stallMs`)
 * ends the pool: the workers are terminated, thread 0 computes the whole op
 * again (every kernel writes its outputs from its inputs only, so the bits
 * are the same), and every later op runs on one thread, with `reason` saying why.
 */
import {
  ARGS,
  BUSY,
  CHUNKS,
  MAX_ARGS,
  CONTROL_WORDS,
  COUNT,
  DONE,
  EPOCH,
  MAX_CHUNKS,
  MAX_THREADS,
  NEXT,
  OP,
  OP_EXIT,
  SIZE,
  SLEEPERS,
  STATUS,
  TAG_MASK,
  WAITING,
} from './control.ts';
import { spawnComputeWorker, type ComputeWorker } from './spawn.ts';

export interface PoolOptions {
  /** Threads computing, thread 0 included (2..16). */
  threads: number;
  /** Milliseconds a worker spins on the control block after its last op before it sleeps (default 1). */
  spinMs?: number;
  /**
   * Milliseconds thread 0 waits, before it takes any chunk of an op, for every worker to take one
   * (default 0: it starts at once). Tests set it so that the workers surely compute.
   */
  claimWaitMs?: number;
  /** Milliseconds every worker has to start (default 15000). */
  startMs?: number;
  /** Milliseconds an op's chunks may take after thread 0 has run out of chunks, before the pool gives up on its workers (default 60000). */
  stallMs?: number;
  /** Starts one worker (tests give one that fails). */
  spawn?: (name: string) => ComputeWorker;
}

export interface PoolCore {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The six arguments init() was called with. */
  init: readonly number[];
  /** Byte address of the control block (CONTROL_BYTES, 4-aligned, in the shared memory). */
  control: number;
}

/** A range's runner on thread 0: status of the kernel over [lo, hi). */
export type LocalRun = (lo: number, hi: number) => number;

const DEFAULT_SPIN_MS = 1;
const WAIT_SLICE_MS = 50;
const DONE_SPIN = 4096;

export class ComputePool {
  /** Threads computing now (1 after a failure). */
  threads: number;
  /** Why the pool runs fewer threads than asked (null while it runs them all). */
  reason: string | null = null;
  /** Ops posted to the workers, their chunks, and the chunks thread 0 ran itself. */
  readonly counts = { ops: 0, chunks: 0, ownChunks: 0 };
  readonly #w: Int32Array;
  readonly #f: Float32Array;
  readonly #stallMs: number;
  readonly #claimWaitMs: number;
  readonly #canBlock = canBlock();
  #workers: ComputeWorker[] = [];
  #epoch = 0;

  private constructor(core: PoolCore, threads: number, opts: PoolOptions) {
    this.threads = threads;
    this.#claimWaitMs = opts.claimWaitMs ?? 0;
    this.#w = new Int32Array(core.memory.buffer, core.control, CONTROL_WORDS);
    this.#f = new Float32Array(core.memory.buffer, core.control, CONTROL_WORDS);
    this.#stallMs = opts.stallMs ?? 60000;
  }

  /** Starts threads − 1 workers on the core; resolves when all attached, or with threads = 1 and a reason. */
  static async start(core: PoolCore, opts: PoolOptions): Promise<ComputePool> {
    const n = opts.threads;
    if (!Number.isInteger(n) || n < 2 || n > MAX_THREADS) throw new RangeError(`threads must be an integer in 2..${MAX_THREADS}, got ${n}`);
    const pool = new ComputePool(core, n, opts);
    const spawn = opts.spawn ?? spawnComputeWorker;
    const starts: Promise<void>[] = [];
    try {
      for (let t = 1; t < n; t++) {
        const w = spawn(`gguf-pager compute ${t}`);
        pool.#workers.push(w);
        starts.push(
          new Promise<void>((resolve, reject) => {
            w.onMessage((m) => (m.ready ? resolve() : reject(new Error(`compute thread ${t} did not start: ${m.error ?? 'no reason given'}`))));
            w.onFailure((why) => {
              reject(new Error(why));
              pool.fail(why);
            });
            w.post({
              module: core.module,
              memory: core.memory,
              init: [...core.init],
              thread: t,
              control: core.control,
              spinMs: opts.spinMs ?? DEFAULT_SPIN_MS,
            });
          }),
        );
      }
      await withTimeout(Promise.all(starts), opts.startMs ?? 15000, `the compute threads did not start within ${opts.startMs ?? 15000} ms`);
    } catch (e) {
      pool.fail((e as Error).message);
    }
    return pool;
  }

  /**
   * Runs op over [0, count) in chunks of `size` (the last one shorter), each taken by whichever
   * thread comes first; thread 0's chunks are run by `local`. Returns the first negative status, else 0.
   */
  run(op: number, args: readonly number[], f32Arg: number, f32: number, count: number, size: number, local: LocalRun): number {
    if (args.length > MAX_ARGS) throw new RangeError(`an op takes at most ${MAX_ARGS} arguments, got ${args.length}`);
    const chunks = Math.ceil(count / size);
    if (this.threads === 1 || chunks < 2) return local(0, count);
    if (chunks > MAX_CHUNKS) throw new RangeError(`an op of ${count} in chunks of ${size} has more than ${MAX_CHUNKS} chunks`);
    const w = this.#w;
    const e = (this.#epoch = (this.#epoch % 0x3fffffff) + 1);
    const tag = (e & TAG_MASK) << 16;
    this.counts.ops++;
    this.counts.chunks += chunks;
    w[OP] = op;
    for (let i = 0; i < args.length; i++) w[ARGS + i] = args[i];
    if (f32Arg >= 0) this.#f[ARGS + f32Arg] = f32;
    w[CHUNKS] = chunks;
    w[SIZE] = size;
    w[COUNT] = count;
    w[DONE] = 0;
    w[STATUS] = 0;
    Atomics.store(w, NEXT, tag);
    Atomics.store(w, EPOCH, e);
    if (Atomics.load(w, SLEEPERS) > 0) Atomics.notify(w, EPOCH);
    if (this.#claimWaitMs > 0) this.#awaitClaims(tag, Math.min(chunks, this.threads - 1));
    let status = 0;
    for (;;) {
      const v = Atomics.load(w, NEXT);
      const c = v & 0xffff;
      if (c >= chunks) break;
      if (Atomics.compareExchange(w, NEXT, v, v + 1) !== v) continue;
      this.counts.ownChunks++;
      const lo = c * size;
      const s = local(lo, Math.min(count, lo + size));
      if (s < 0 && status === 0) status = s;
      Atomics.add(w, DONE, 1);
    }
    if (!this.#awaitDone(chunks)) return local(0, count); // the pool has ended: every chunk again, same bits
    const s = Atomics.load(w, STATUS);
    return status < 0 ? status : s;
  }

  /** Tests: until `want` chunks are taken by the workers, or claimWaitMs. */
  #awaitClaims(tag: number, want: number): void {
    const w = this.#w;
    const t0 = performance.now();
    while (Atomics.load(w, NEXT) < tag + want && performance.now() - t0 < this.#claimWaitMs) {
      if (this.#canBlock) Atomics.wait(w, NEXT, Atomics.load(w, NEXT), 1);
    }
  }

  /** True when all `chunks` are done; false (and the pool ended) when a worker holds one past stallMs. */
  #awaitDone(chunks: number): boolean {
    const w = this.#w;
    for (let i = 0; i < DONE_SPIN; i++) if (Atomics.load(w, DONE) === chunks) return true;
    const t0 = performance.now();
    for (let d = Atomics.load(w, DONE); d !== chunks; d = Atomics.load(w, DONE)) {
      if (performance.now() - t0 > this.#stallMs) {
        this.fail(`compute thread ${this.#busyThread()} did not finish an op within ${this.#stallMs} ms`);
        return false;
      }
      if (this.#canBlock) {
        Atomics.store(w, WAITING, 1);
        Atomics.wait(w, DONE, d, WAIT_SLICE_MS);
        Atomics.store(w, WAITING, 0);
      }
    }
    return true;
  }

  /** The worker that holds a chunk (for the reason given when the pool ends). */
  #busyThread(): number {
    for (let t = 1; t < this.threads; t++) if (Atomics.load(this.#w, BUSY + t) !== 0) return t;
    return 1;
  }

  /** Ends the pool: every worker terminated, one thread from now on. */
  fail(reason: string): void {
    if (this.threads === 1 && this.reason !== null) return;
    this.threads = 1;
    this.reason = `${reason}: computing on 1 thread`;
    this.#stop();
  }

  /** Stops the workers (the pool computes on one thread afterwards). */
  close(): void {
    if (this.threads > 1) {
      const w = this.#w;
      const e = (this.#epoch = (this.#epoch % 0x3fffffff) + 1);
      Atomics.store(w, OP, OP_EXIT);
      Atomics.store(w, EPOCH, e);
      Atomics.notify(w, EPOCH);
      this.threads = 1;
      this.reason ??= 'the pool was closed';
    }
    this.#stop();
  }

  #stop(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}

/** Atomics.wait is allowed here (a worker, Node's main thread), not on a page's main thread. */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
