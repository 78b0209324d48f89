/**
 * The compute pool, seen from thread 0 (the thread that owns the pager and
 * the engine): N − 1 compute workers on the shared core memory, and one call
 * per parallel op that posts it through the control block (control.ts), runs
 * thread 0's own share, and returns when every share is done. No postMessage
 * per op: Atomics only, workers spin briefly before they sleep.
 *
 * Failure never hangs and never changes a result: a share nobody has claimed
 * is run by thread 0 itself; a worker that fails to start, dies or stalls
 * (a claimed share not done within `stallMs`) ends the pool: the workers are
 * terminated, thread 0 computes what is missing, and every later op runs on
 * one thread, with `reason` saying why.
 */
import {
  ARGS, CONTROL_WORDS, EPOCH, HI, LO, MAX_THREADS, OP, OP_EXIT, SHARE, SLEEPERS, STATUS,
} from './control.ts';
import { spawnComputeWorker, type ComputeWorker } from './spawn.ts';

export interface PoolOptions {
  /** Threads computing, thread 0 included (2..16). */
  threads: number;
  /** Atomics.load rounds a worker spins on the control block before it sleeps (default 20000). */
  spin?: number;
  /**
   * Atomics.load rounds thread 0 waits, after its own share, for a worker to claim its share
   * before it runs that share itself (default 256; tests raise it so every worker computes).
   */
  claimSpin?: number;
  /** Then milliseconds thread 0 sleeps waiting for that claim, where it may block (default 0: it runs the share at once). */
  claimWaitMs?: number;
  /** Milliseconds every worker has to start (default 15000). */
  startMs?: number;
  /** Milliseconds a claimed share may take before the pool gives up on its worker (default 60000). */
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

/** A share's runner on thread 0: status of the kernel over [lo, hi). */
export type LocalRun = (lo: number, hi: number) => number;

const DEFAULT_SPIN = 20000;
const DEFAULT_CLAIM_SPIN = 256;
const WAIT_SLICE_MS = 50;

export class ComputePool {
  /** Threads computing now (1 after a failure). */
  threads: number;
  /** Why the pool runs fewer threads than asked (null while it runs them all). */
  reason: string | null = null;
  /** Ops posted to the workers, and shares thread 0 took over from them. */
  readonly counts = { ops: 0, stolen: 0 };
  readonly #w: Int32Array;
  readonly #f: Float32Array;
  readonly #stallMs: number;
  readonly #claimSpin: number;
  readonly #claimWaitMs: number;
  readonly #canBlock = canBlock();
  #workers: ComputeWorker[] = [];
  #epoch = 0;

  private constructor(core: PoolCore, threads: number, opts: PoolOptions) {
    this.threads = threads;
    this.#claimSpin = opts.claimSpin ?? DEFAULT_CLAIM_SPIN;
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
        starts.push(new Promise<void>((resolve, reject) => {
          w.onMessage((m) => (m.ready ? resolve() : reject(new Error(`compute thread ${t} did not start: ${m.error ?? 'no reason given'}`))));
          w.onFailure((why) => { reject(new Error(why)); pool.fail(why); });
          w.post({ module: core.module, memory: core.memory, init: [...core.init], thread: t, control: core.control, spin: opts.spin ?? DEFAULT_SPIN });
        }));
      }
      await withTimeout(Promise.all(starts), opts.startMs ?? 15000, `the compute threads did not start within ${opts.startMs ?? 15000} ms`);
    } catch (e) {
      pool.fail((e as Error).message);
    }
    return pool;
  }

  /**
   * Runs op over the shares `bounds` gives ([bounds[t], bounds[t+1]) for
   * thread t; bounds.length = threads + 1), with thread 0's share and any
   * unclaimed one run by `local`. Returns the first negative status, else 0.
   */
  run(op: number, args: readonly number[], f32Arg: number, f32: number, bounds: readonly number[], local: LocalRun): number {
    const n = this.threads;
    if (n === 1) return local(bounds[0], bounds[bounds.length - 1]);
    const w = this.#w;
    const e = (this.#epoch = (this.#epoch % 0x3fffffff) + 1);
    this.counts.ops++;
    Atomics.store(w, OP, op);
    for (let i = 0; i < args.length; i++) w[ARGS + i] = args[i];
    if (f32Arg >= 0) this.#f[ARGS + f32Arg] = f32;
    for (let t = 0; t < n; t++) { w[LO + t] = bounds[t]; w[HI + t] = bounds[t + 1]; }
    for (let t = 1; t < n; t++) Atomics.store(w, SHARE + t, e);
    Atomics.store(w, EPOCH, e);
    if (Atomics.load(w, SLEEPERS) > 0) Atomics.notify(w, EPOCH);
    let status = local(bounds[0], bounds[1]);
    for (let t = 1; t < n; t++) {
      let s: number;
      for (let i = 0; i < this.#claimSpin && Atomics.load(w, SHARE + t) === e; i++);
      if (this.#claimWaitMs > 0 && this.#canBlock) Atomics.wait(w, SHARE + t, e, this.#claimWaitMs);
      if (Atomics.compareExchange(w, SHARE + t, e, 0) === e) {
        this.counts.stolen++;
        s = local(bounds[t], bounds[t + 1]);
      } else if (this.#awaitShare(t, e)) {
        s = w[STATUS + t];
      } else {
        s = local(bounds[t], bounds[t + 1]); // the worker stalled or died holding it: same bits from here
      }
      if (status >= 0 && s < 0) status = s;
    }
    return status;
  }

  /** True when share t of epoch e is done; false (and the pool ended) when its worker stalled. */
  #awaitShare(t: number, e: number): boolean {
    const w = this.#w;
    for (let i = 0; i < 2000; i++) if (Atomics.load(w, SHARE + t) !== -e) return true;
    const t0 = performance.now();
    while (Atomics.load(w, SHARE + t) === -e) {
      if (performance.now() - t0 > this.#stallMs) {
        this.fail(`compute thread ${t} did not finish an op within ${this.#stallMs} ms`);
        return false;
      }
      if (this.#canBlock) Atomics.wait(w, SHARE + t, -e, WAIT_SLICE_MS);
    }
    return true;
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
      for (let t = 1; t < this.threads; t++) Atomics.store(w, SHARE + t, e);
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
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
