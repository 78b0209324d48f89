/**
 * The pager's bookkeeping: per-tensor state in typed arrays, the byte
 * accounting, reservations, loads, leases and evictions. Everything here is
 * synchronous except the reads themselves; LayerPager adds ids, waiting,
 * prefetch triggers and the public API on top.
 *
 *   per tensor t:  state[t]   ABSENT | LOADING | RESIDENT
 *                  handle[t]  arena block (0 = none)
 *                  leases[t]  live leases (block pinned in the arena while > 0, see pins.ts)
 *                  want[t]    acquirers waiting for the load in flight; they
 *                             become leases the moment the read succeeds
 *                  gen[t]     load generation (tells a waiter's load from a later one)
 *                  guard[t]   = the active claim's stamp: not evictable during that claim
 *
 *   accounting:    unpinnedUsed ≤ budget − pinnedBytes,  pinned used ≤ pinnedBytes
 *                  ⇒ usedBytes (resident + loading) ≤ budget, always.
 */
import type { Arena } from '../core/arena.ts';
import { GgufPagerError, isGgufPagerError } from '../errors.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { PagerSource } from '../sources/source.ts';
import type { EvictionPolicy } from './eviction.ts';
import { LeasePins } from './pins.ts';
import type { WaitQueue } from './waiters.ts';
import type { PagerEvent, PagerEventType, PagerStats } from './events.ts';
import type { Schedule } from './schedule.ts';

export const ABSENT = 0;
export const LOADING = 1;
export const RESIDENT = 2;

/** The running counts of PagerStats that the residency keeps (all start at 0). */
const COUNTS = [
  'residentBytes',
  'residentCount',
  'maxResidentBytes',
  'loadingBytes',
  'loadsInFlight',
  'hits',
  'misses',
  'evictions',
  'bytesLoaded',
  'bytesEvicted',
  'prefetches',
] as const satisfies readonly (keyof PagerStats)[];

type ResidencyCounts = Record<(typeof COUNTS)[number], number>;

export interface ResidencyOptions {
  arena: Arena;
  sources: PagerSource[];
  model: GgufModel;
  schedule: Schedule;
  eviction: EvictionPolicy;
  budgetBytes: number;
  pinnedBytes: number;
  pinned: ReadonlySet<string>;
  emit: (type: PagerEventType, t: number, error?: PagerEvent['error']) => void;
  /** Retried when something may have made room (a release, a finished or failed load). */
  waiters: WaitQueue;
}

/** One acquirer's claim on a set of tensors. */
export interface Claim {
  readonly set: number[];
  /** Per member: -1 = leased at claim time, else the generation of the load it waits for. */
  readonly gens: Int32Array;
  readonly loads: (Promise<unknown> | undefined)[];
}

export class Residency {
  readonly arena: Arena;
  readonly sources: PagerSource[];
  readonly eviction: EvictionPolicy;
  readonly sizes: Float64Array;
  readonly state: Uint8Array;
  readonly handle: Int32Array;
  readonly pinned: Uint8Array;
  readonly loads: (Promise<unknown> | undefined)[];
  /** Per loading tensor: aborts its read when no claim wants it any more (an aborted acquire closes its requests). */
  private readonly loadAborts: (AbortController | undefined)[];
  private readonly leases: Int32Array;
  private readonly want: Int32Array;
  private readonly gen: Int32Array;
  private readonly guard: Int32Array;
  private readonly o: ResidencyOptions;
  private readonly unpinnedBudget: number;
  private readonly pins: LeasePins;
  private readonly waiters: WaitQueue;
  private readonly abort = new AbortController();
  private stamp = 0;
  private activeStamp = -1;
  private disposed = false;
  /** Schedule position of the latest demand access (-1: none yet). */
  cursor = -1;
  usedBytes = 0;
  unpinnedUsed = 0;
  /** The running counts the pager reports in its stats. */
  readonly counts = Object.fromEntries(COUNTS.map((k) => [k, 0])) as ResidencyCounts;

  constructor(o: ResidencyOptions) {
    const n = o.model.tensors.length;
    this.o = o;
    this.arena = o.arena;
    this.sources = o.sources;
    this.eviction = o.eviction;
    this.unpinnedBudget = o.budgetBytes - o.pinnedBytes;
    this.sizes = Float64Array.from(o.model.tensors, (t) => t.size);
    this.pinned = Uint8Array.from(o.model.tensors, (t) => (o.pinned.has(t.name) ? 1 : 0));
    this.state = new Uint8Array(n);
    this.handle = new Int32Array(n);
    this.leases = new Int32Array(n);
    this.want = new Int32Array(n);
    this.gen = new Int32Array(n);
    this.guard = new Int32Array(n);
    this.loads = new Array(n).fill(undefined);
    this.loadAborts = new Array(n).fill(undefined);
    this.pins = new LeasePins(o.arena, this.handle, this.leases);
    this.waiters = o.waiters;
    this.waiters.evictIdle = () => !this.disposed && this.activeStamp < 0 && this.evictOne(0);
  }

  /** Throws PAGER_TENSOR_TOO_LARGE when `set` (unpinned part, deduplicated) can never fit. */
  checkFits(set: readonly number[], label: string): void {
    const stamp = ++this.stamp;
    let sum = 0;
    for (const t of set) {
      if (this.pinned[t] === 1 || this.guard[t] === stamp) continue;
      this.guard[t] = stamp;
      const size = this.sizes[t];
      const name = this.o.model.tensors[t].name;
      if (size > this.unpinnedBudget) throw this.tooLarge(`tensor ${name} (${size} bytes)`, size, name);
      sum += size;
    }
    if (sum > this.unpinnedBudget) throw this.tooLarge(`${label}, ${set.length} tensors acquired together (${sum} bytes)`, sum, label);
  }

  newClaim(set: number[]): Claim {
    return { set, gens: new Int32Array(set.length), loads: new Array(set.length) };
  }

  /** All of the claim's tensors at once, or nothing (false: no room now). Synchronous. */
  claim(c: Claim): boolean {
    const { set } = c;
    this.cursor = this.o.schedule.pos[set[set.length - 1]];
    const stamp = ++this.stamp;
    for (const t of set) this.guard[t] = stamp;
    this.activeStamp = stamp;
    const started = new Set<number>();
    try {
      for (const t of set) {
        if (this.state[t] !== ABSENT) continue;
        if (!this.reserve(t, 0)) {
          for (const s of started) this.unreserve(s);
          return false;
        }
        started.add(t);
      }
    } finally {
      this.activeStamp = -1;
    }
    for (const t of started) this.startLoad(t, false);
    set.forEach((t, i) => {
      this.eviction.access(t);
      if (this.state[t] === RESIDENT) {
        this.takeLease(t);
        c.gens[i] = -1;
      } else {
        this.want[t]++;
        c.gens[i] = this.gen[t];
        c.loads[i] = this.loads[t];
      }
      if (!started.has(t)) {
        this.counts.hits++;
        this.o.emit('hit', t);
      }
    });
    return true;
  }

  /** Wait for the claim's loads; throws the first failure (the caller then abandons). */
  async settle(c: Claim, signal: AbortSignal | undefined, label: string): Promise<void> {
    for (let i = 0; i < c.set.length; i++) {
      if (c.gens[i] < 0) continue;
      const res = await raceAbort(c.loads[i]!, signal, label);
      if (res instanceof Error) throw res;
    }
  }

  /**
   * Give back what a failed or aborted claim holds. With `cancel` (the claim's
   * caller aborted), every load no claim waits for any more is aborted too,
   * prefetches included: their requests close instead of streaming on.
   */
  abandon(c: Claim, cancel = false): void {
    c.set.forEach((t, i) => {
      const g = c.gens[i];
      if (g < 0) this.releaseLease(t);
      else if (this.gen[t] === g && this.state[t] === LOADING) this.want[t]--;
      else if (this.gen[t] === g && this.state[t] === RESIDENT) this.releaseLease(t);
    });
    if (cancel) this.cancelUnwanted();
  }

  /** Aborts the reads of loads no claim waits for (prefetches, loads of aborted claims); they settle as failed. */
  cancelUnwanted(): void {
    for (let t = 0; t < this.loadAborts.length; t++) {
      if (this.state[t] === LOADING && this.want[t] === 0) this.loadAborts[t]?.abort();
    }
  }

  /** Start a background load of absent t if room can be made from tensors needed later than t. */
  tryPrefetch(t: number): boolean {
    if (!this.reserve(t, this.o.schedule.distance(this.cursor, t))) return false;
    this.startLoad(t, true);
    return true;
  }

  /** One more lease on resident t; returns the block's (pinned) address. */
  takeLease(t: number): number {
    this.leases[t]++;
    return this.pins.hold(t);
  }

  /** Bytes of tensors with at least one lease (a scan: for stats, not the hit path). */
  get leasedBytes(): number {
    let sum = 0;
    for (let t = 0; t < this.leases.length; t++) if (this.leases[t] > 0) sum += this.sizes[t];
    return sum;
  }

  /** Address of a leased tensor's block. */
  ptr(t: number): number {
    return this.pins.hold(t);
  }

  releaseLease(t: number): void {
    if (--this.leases[t] === 0) {
      this.pins.rest(t);
      this.waiters.schedule();
    }
  }

  /** Drop the pins kept on unleased blocks (the runtime calls this before another user allocates). */
  releaseIdlePins(): void {
    this.pins.releaseIdle();
  }

  /** Free every settled block; loads in flight are aborted and free theirs when they settle. */
  dispose(): void {
    this.disposed = true;
    this.abort.abort();
    for (let t = 0; t < this.state.length; t++) {
      if (this.state[t] !== RESIDENT) continue;
      this.pins.drop(t);
      this.arena.free(this.handle[t]);
      this.handle[t] = 0;
      this.state[t] = ABSENT;
      this.leases[t] = 0;
    }
    this.pins.dispose();
    this.counts.residentBytes = this.counts.residentCount = this.usedBytes = this.unpinnedUsed = 0;
  }

  private readonly canEvict = (t: number): boolean =>
    this.state[t] === RESIDENT && this.leases[t] === 0 && this.guard[t] !== this.activeStamp && this.pinned[t] === 0;

  /**
   * Make room for t and allocate its block, evicting as the policy orders;
   * with `minDistance > 0` (prefetch) only tensors needed later than that.
   */
  private reserve(t: number, minDistance: number): boolean {
    const size = this.sizes[t];
    if (this.pins.idleBlocks > 0) this.pins.releaseIdle();
    if (this.pinned[t] === 0) {
      while (this.unpinnedUsed + size > this.unpinnedBudget) if (!this.evictOne(minDistance)) return false;
    }
    let h: number;
    // The arena is shared by every model of the runtime: on demand (not for a prefetch), another model's idle tensor may go.
    while ((h = this.arena.tryAlloc(Math.max(size, 1))) === 0) {
      if (!this.evictOne(minDistance) && !(minDistance === 0 && this.waiters.evictFromPeers())) return false;
    }
    this.handle[t] = h;
    this.state[t] = LOADING;
    this.usedBytes += size;
    if (this.pinned[t] === 0) this.unpinnedUsed += size;
    this.counts.loadingBytes += size;
    if (this.usedBytes > this.counts.maxResidentBytes) this.counts.maxResidentBytes = this.usedBytes;
    return true;
  }

  private unreserve(t: number): void {
    const size = this.sizes[t];
    this.arena.free(this.handle[t]);
    this.handle[t] = 0;
    this.state[t] = ABSENT;
    this.usedBytes -= size;
    if (this.pinned[t] === 0) this.unpinnedUsed -= size;
    this.counts.loadingBytes -= size;
  }

  private evictOne(minDistance: number): boolean {
    const v = this.eviction.victim(this.cursor, this.canEvict);
    if (v < 0) return false;
    if (minDistance > 0 && this.o.schedule.distance(this.cursor, v) <= minDistance) return false;
    const size = this.sizes[v];
    this.pins.drop(v);
    this.arena.free(this.handle[v]);
    this.handle[v] = 0;
    this.state[v] = ABSENT;
    this.loads[v] = undefined;
    this.usedBytes -= size;
    this.unpinnedUsed -= size;
    this.counts.residentBytes -= size;
    this.counts.residentCount--;
    this.counts.evictions++;
    this.counts.bytesEvicted += size;
    this.eviction.remove(v);
    this.o.emit('evict', v);
    return true;
  }

  private startLoad(t: number, prefetch: boolean): void {
    const h = this.handle[t];
    this.arena.pin(h);
    this.gen[t]++;
    this.counts.loadsInFlight++;
    if (prefetch) this.counts.prefetches++;
    else this.counts.misses++;
    this.o.emit(prefetch ? 'prefetch' : 'miss', t);
    this.o.emit('load-start', t);
    const info = this.o.model.tensors[t];
    const size = this.sizes[t];
    const src = this.sources[info.shard];
    const ctrl = new AbortController();
    this.loadAborts[t] = ctrl;
    const read = (async () => {
      const v = this.arena.bytes(h);
      await src.readInto(info.offset, v.length === size ? v : v.subarray(0, size), { signal: AbortSignal.any([this.abort.signal, ctrl.signal]) });
    })();
    const done = () => void (this.loadAborts[t] === ctrl && (this.loadAborts[t] = undefined));
    this.loads[t] = read.then(
      () => (done(), this.loaded(t, h)),
      (e: unknown) => (done(), this.failed(t, h, e)),
    );
  }

  private loaded(t: number, h: number): Error | undefined {
    if (this.disposed) return this.settleDisposed(t, h);
    const size = this.sizes[t];
    this.state[t] = RESIDENT;
    this.counts.loadingBytes -= size;
    this.counts.loadsInFlight--;
    this.counts.residentBytes += size;
    this.counts.residentCount++;
    this.counts.bytesLoaded += size;
    const w = this.want[t];
    this.want[t] = 0;
    this.leases[t] = w;
    if (w > 0)
      this.pins.adopt(t); // the load's pin becomes the lease pin
    else this.arena.unpin(h);
    if (this.pinned[t] === 0) this.eviction.add(t);
    this.o.emit('load-end', t);
    this.o.waiters.schedule();
    return undefined;
  }

  private failed(t: number, h: number, e: unknown): Error {
    const name = this.o.model.tensors[t].name;
    const err = isGgufPagerError(e)
      ? new GgufPagerError(e.code, `tensor ${name}: ${e.message}`, { ...e.details, tensor: name }, { cause: e })
      : e instanceof Error
        ? e
        : new Error(`tensor ${name}: ${String(e)}`);
    if (this.disposed) return this.settleDisposed(t, h);
    this.arena.unpin(h);
    this.unreserve(t);
    this.want[t] = 0;
    this.loads[t] = undefined;
    this.counts.loadsInFlight--;
    this.o.emit('load-end', t, isGgufPagerError(err) ? err.code : undefined);
    this.o.waiters.schedule();
    return err;
  }

  private settleDisposed(t: number, h: number): Error {
    this.arena.unpin(h);
    this.arena.free(h);
    this.handle[t] = 0;
    this.state[t] = ABSENT;
    return new GgufPagerError('PAGER_DISPOSED', `tensor ${this.o.model.tensors[t].name}: the pager was disposed during its load`, {
      tensor: this.o.model.tensors[t].name,
    });
  }

  private tooLarge(what: string, size: number, tensor: string): GgufPagerError {
    const b = this.o.budgetBytes;
    const p = this.o.pinnedBytes;
    return new GgufPagerError('PAGER_TENSOR_TOO_LARGE', `${what} can never fit: budget ${b} bytes, ${p} of them pinned, ${b - p} left for paged tensors`, {
      tensor,
      size,
      budgetBytes: b,
      pinnedBytes: p,
    });
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined, label: string): Promise<T> {
  if (!signal) return p;
  const abortError = () => new GgufPagerError('SOURCE_ABORTED', `${label}: acquire aborted`, { tensor: label });
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}
