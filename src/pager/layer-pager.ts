/**
 * LayerPager: a budgeted resident set of tensor bytes inside one fixed Wasm
 * arena, loaded on demand from PagerSources (one per shard), with leases.
 *
 * Per tensor t (index into model.tensors) the state lives in typed arrays:
 *
 *   ABSENT ──reserve (sync: evict + arena.tryAlloc)──▶ LOADING ──read ok──▶ RESIDENT
 *      ▲                                                 │ read failed        │ evict (no lease,
 *      └──────────────── block freed ◀───────────────────┴────────────────────┘  not pinned)
 *
 * - A miss reserves its block synchronously, before any await, so "does it
 *   fit" and the reservation are one step; resident + loading
 *   bytes never exceed the budget. The block is pinned in the arena while its
 *   bytes are read straight into it, and while any lease on it is alive: a
 *   leased or loading tensor is never evicted, moved or overwritten.
 * - Concurrent acquires of a missing tensor share one read.
 * - The policy's pinned set is reserved in the accounting up front: unpinned
 *   tensors live in `budget − pinnedBytes`. A pinned set over the budget fails
 *   at construction (PAGER_PINS_OVER_BUDGET); a tensor, or a group acquired
 *   together, that can never fit fails at acquire (PAGER_TENSOR_TOO_LARGE).
 * - When a request fits the budget but everything evictable is gone (the rest
 *   is leased, pinned or loading), it WAITS, in arrival order, for a release or
 *   a finished load, for at most `waitTimeoutMs` (and until its AbortSignal),
 *   then fails with PAGER_NO_SPACE. A group claims all its tensors at once or
 *   none, so two waiting groups cannot deadlock on partial reservations.
 * - A block stays pinned after its last release until this pager's next
 *   allocation or the next macrotask (`releaseIdlePins`), so a tensor leased
 *   again and again costs no Wasm call (see pins.ts).
 * - Victims come from the eviction policy (`auto`: furthest next use on the
 *   forward-pass cycle; `lru`), both O(1) per hit.
 * - Prefetch is real: acquiring a tensor of group g starts loading
 *   groups g+1..g+n in the background, evicting only tensors needed later
 *   than the one it loads, and skipping when it cannot.
 */
import type { Arena } from '../core/arena.ts';
import { GgufPagerError } from '../errors.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { PagerSource } from '../sources/source.ts';
import { createEviction, type EvictionPolicy } from './eviction.ts';
import type { PagerEvent, PagerEventType, PagerListener, PagerStats } from './events.ts';
import { Lease, LeaseGroup, type LayerLease } from './lease.ts';
import { checkPolicy, evictionKind, pinnedSet, prefetchAhead, ramBudgetBytes, type OffloadPolicy } from './policy.ts';
import { forwardSchedule, type Schedule } from './schedule.ts';
import { WaitQueue } from './waiters.ts';
import { Residency, ABSENT, RESIDENT } from './residency.ts';

export interface LayerPagerOptions {
  arena: Arena;
  /** One source per shard, in shard order. */
  sources: PagerSource[];
  model: GgufModel;
  policy: OffloadPolicy;
  /** How long a request waits for room before PAGER_NO_SPACE (default 10 s; 0 = fail at once). */
  waitTimeoutMs?: number;
}

export interface AcquireOptions {
  signal?: AbortSignal;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

export class LayerPager {
  readonly model: GgufModel;
  readonly policy: OffloadPolicy;
  readonly schedule: Schedule;
  readonly budgetBytes: number;
  readonly pinnedBytes: number;
  readonly waitTimeoutMs: number;
  private readonly r: Residency;
  private readonly index = new Map<string, number>();
  private readonly prefetchN: number;
  private readonly waiters: WaitQueue;
  private listeners: Set<PagerListener> | null = null;
  private lastPrefetchGroup = -1;
  /** Only LRU keeps per-hit order; furthest-next-use needs just the cursor. */
  private readonly touchOnHit: boolean;
  /** schedule.pos, kept at hand for the hit path. */
  private readonly pos: Int32Array;
  private disposed = false;

  constructor(opts: LayerPagerOptions) {
    const { arena, sources, model, policy } = opts;
    checkPolicy('LayerPager', policy);
    this.model = model;
    this.policy = policy;
    this.waitTimeoutMs = opts.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    this.waiters = new WaitQueue(arena);
    this.budgetBytes = Math.min(ramBudgetBytes(policy) ?? arena.capacity, arena.capacity);
    model.tensors.forEach((t, i) => {
      if (!sources[t.shard])
        throw new GgufPagerError('INVALID_ARGUMENT', `tensor ${t.name} is in shard ${t.shard}, but only ${sources.length} source(s) were given`, {
          tensor: t.name,
          shard: t.shard,
        });
      this.index.set(t.name, i);
    });
    const pins = pinnedSet(model, policy);
    let pinnedBytes = 0;
    for (const name of pins) pinnedBytes += model.tensors[this.index.get(name)!].size;
    this.pinnedBytes = pinnedBytes;
    if (pinnedBytes > this.budgetBytes) {
      throw new GgufPagerError(
        'PAGER_PINS_OVER_BUDGET',
        `${sources[0]?.name ?? 'model'}: the pinned set (${pins.size} tensors, ${pinnedBytes} bytes) exceeds the budget of ${this.budgetBytes} bytes`,
        { pinnedBytes, budgetBytes: this.budgetBytes, pinned: pins.size },
      );
    }
    this.schedule = forwardSchedule(model);
    this.prefetchN = prefetchAhead(policy);
    this.pos = this.schedule.pos;
    const eviction: EvictionPolicy = createEviction(evictionKind(policy), this.schedule, model.tensors.length);
    this.touchOnHit = eviction.kind === 'lru';
    this.r = new Residency({
      arena,
      sources,
      model,
      schedule: this.schedule,
      eviction,
      budgetBytes: this.budgetBytes,
      pinnedBytes,
      pinned: pins,
      emit: (type, t, error) => this.emit(type, t, error),
      waiters: this.waiters,
    });
  }

  /** @internal A fresh view of tensor t's bytes (for Lease.bytes). */
  viewOf(t: number): Uint8Array {
    const v = this.r.arena.bytes(this.r.handle[t]);
    const size = this.r.sizes[t];
    return v.length === size ? v : v.subarray(0, size);
  }

  /** True once dispose() ran. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  isPinned(id: string): boolean {
    const t = this.index.get(id);
    return t !== undefined && this.r.pinned[t] === 1;
  }

  isResident(id: string): boolean {
    const t = this.index.get(id);
    return t !== undefined && this.r.state[t] === RESIDENT;
  }

  residentCount(): number {
    return this.r.counts.residentCount;
  }

  /** Subscribe to events; returns the unsubscribe function. Costs nothing without listeners. */
  onEvent(cb: PagerListener): () => void {
    (this.listeners ??= new Set()).add(cb);
    return () => {
      this.listeners?.delete(cb);
      if (this.listeners?.size === 0) this.listeners = null;
    };
  }

  /** The hit path, synchronous: a lease when `id` is resident, else undefined. */
  tryAcquire(id: string): Lease | undefined {
    const t = this.index.get(id);
    if (t === undefined || this.disposed) return this.lookupFailed(id);
    const r = this.r;
    if (r.state[t] !== RESIDENT) return undefined;
    r.cursor = this.pos[t];
    const ptr = r.takeLease(t);
    r.counts.hits++;
    if (this.touchOnHit) r.eviction.access(t);
    if (this.listeners) this.emit('hit', t);
    if (this.prefetchN > 0) this.maybePrefetch(this.schedule.groupOf[t]);
    return new Lease(this, t, id, ptr, r.sizes[t]);
  }

  /** Lease tensor `id`, loading it on a miss. */
  acquire(id: string, opts?: AcquireOptions): Promise<Lease> {
    try {
      const hit = this.tryAcquire(id);
      if (hit) return Promise.resolve(hit);
      return this.acquireSet([this.index.get(id)!], opts?.signal, id).then((ls) => ls[0]);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Lease several tensors at once (they are claimed together, released together). */
  async acquireMany(ids: readonly string[], opts?: AcquireOptions): Promise<LeaseGroup> {
    const set = ids.map((id) => this.lookup(id));
    const label = ids.length === 1 ? ids[0] : `${ids.length} tensors (${ids[0]} …)`;
    return new LeaseGroup(-1, await this.acquireSet(set, opts?.signal, label));
  }

  /** Lease every tensor of block i (`blk.i.*`). */
  async acquireLayer(i: number, opts?: AcquireOptions): Promise<LayerLease> {
    this.checkLive();
    const g = this.schedule.groupOfBlock(i);
    if (g < 0) throw new GgufPagerError('PAGER_UNKNOWN_TENSOR', `block ${i} is not in the model (no blk.${i}.* tensors)`, { layer: i });
    return new LeaseGroup(i, await this.acquireSet(Array.from(this.schedule.groups[g]), opts?.signal, `block ${i}`));
  }

  /** End a lease, or every lease of a group. Twice, or a foreign lease: PAGER_BAD_LEASE. */
  release(lease: Lease | LeaseGroup): void {
    if (this.disposed) this.checkLive();
    if (lease instanceof Lease) {
      if (lease.owner !== this || lease.released) this.checkLease(lease);
      lease.released = true;
      this.r.releaseLease(lease.index);
    } else {
      if (!(lease instanceof LeaseGroup)) throw new GgufPagerError('PAGER_BAD_LEASE', 'release of something that is not a lease');
      if (lease.released) throw new GgufPagerError('PAGER_BAD_LEASE', `lease group (${lease.leases.length} tensors) released twice`, { layer: lease.layer });
      for (const l of lease.leases) this.checkLease(l);
      lease.released = true;
      for (const l of lease.leases) this.releaseOne(l);
    }
  }

  /**
   * Start loading tensors in the background without leasing them; resolves when
   * the loads settle. An abort of `signal` rejects at once (SOURCE_ABORTED) and
   * aborts the loads no acquire waits for.
   */
  async prefetch(ids: readonly string[], opts?: AcquireOptions): Promise<void> {
    const set = ids.map((id) => this.lookup(id));
    const signal = opts?.signal;
    const aborted = () => new GgufPagerError('SOURCE_ABORTED', `prefetch of ${ids.length} tensor(s) aborted`, { tensor: ids[0] });
    if (signal?.aborted) throw aborted();
    const loads: Promise<unknown>[] = [];
    for (const t of set) {
      if (this.r.state[t] === ABSENT && this.r.tryPrefetch(t)) loads.push(this.r.loads[t]!);
    }
    if (!signal) return void (await Promise.all(loads));
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        if (!this.disposed) this.r.cancelUnwanted();
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void Promise.all(loads).then(() => (signal.removeEventListener('abort', onAbort), resolve()));
    });
  }

  /** Load every pinned tensor now (they stay resident: pins are never evicted). */
  async loadPinned(): Promise<void> {
    const ids = this.model.tensors.filter((_, t) => this.r.pinned[t] === 1).map((t) => t.name);
    if (ids.length === 0) return;
    const cursor = this.r.cursor;
    const group = await this.acquireMany(ids);
    this.release(group);
    this.r.cursor = cursor;
  }

  stats(): PagerStats {
    const r = this.r;
    return {
      budgetBytes: this.budgetBytes,
      ...r.counts,
      leasedBytes: r.leasedBytes,
      pinnedBytes: this.pinnedBytes,
      memoryBytes: this.disposed ? 0 : r.arena.stats().memoryBytes,
    };
  }

  /**
   * Unpin blocks whose last lease ended (the pager keeps their pins until its
   * next allocation or the next macrotask, to make repeated hits free). Call
   * before something else allocates in a shared arena within the same task.
   */
  releaseIdlePins(): void {
    if (!this.disposed) this.r.releaseIdlePins();
  }

  /** Free every block this pager holds; in-flight reads are aborted and free theirs when they settle. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.waiters.rejectAll(this.disposedError('dispose'));
    this.waiters.leave();
    this.r.dispose();
    this.listeners = null;
  }

  private async acquireSet(set: number[], signal: AbortSignal | undefined, label: string): Promise<Lease[]> {
    this.checkLive();
    if (set.length === 0) return [];
    this.r.checkFits(set, label);
    if (signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${label}: acquire aborted`, { tensor: label });
    const claim = this.r.newClaim(set);
    const tryClaim = () => {
      this.checkLive();
      return this.r.claim(claim);
    };
    if (!tryClaim()) {
      if (this.waitTimeoutMs <= 0) {
        throw new GgufPagerError('PAGER_NO_SPACE', `${label}: no room in the budget: everything resident is leased, pinned or loading`, { tensor: label });
      }
      await this.waiters.wait(tryClaim, this.waitTimeoutMs, label, signal);
    }
    if (this.prefetchN > 0) this.maybePrefetch(this.schedule.groupOf[set[set.length - 1]]);
    try {
      await this.r.settle(claim, signal, label);
      this.checkLive();
    } catch (e) {
      if (!this.disposed) this.r.abandon(claim, signal?.aborted === true);
      throw e;
    }
    return set.map((t) => new Lease(this, t, this.model.tensors[t].name, this.r.ptr(t), this.r.sizes[t]));
  }

  /** Acquiring group g starts groups g+1..g+n (wrapping) loading in the background. */
  private maybePrefetch(g: number): void {
    if (g === this.lastPrefetchGroup || this.disposed) return;
    this.lastPrefetchGroup = g;
    const groups = this.schedule.groups;
    for (let k = 1; k <= this.prefetchN && k < groups.length; k++) {
      for (const t of groups[(g + k) % groups.length]) {
        if (this.r.state[t] === ABSENT && !this.r.tryPrefetch(t)) return;
      }
    }
  }

  private releaseOne(l: Lease): void {
    l.released = true;
    this.r.releaseLease(l.index);
  }

  private checkLease(l: Lease): void {
    if (l.owner !== this) throw new GgufPagerError('PAGER_BAD_LEASE', `lease on ${l.id} was not issued by this pager`, { tensor: l.id });
    if (l.released) throw new GgufPagerError('PAGER_BAD_LEASE', `lease on ${l.id} released twice`, { tensor: l.id });
  }

  private lookup(id: string): number {
    const t = this.index.get(id);
    return t === undefined || this.disposed ? this.lookupFailed(id) : t;
  }

  private lookupFailed(id: string): never {
    this.checkLive();
    throw new GgufPagerError('PAGER_UNKNOWN_TENSOR', `tensor ${id} is not in ${this.r.sources[0]?.name ?? 'the model'}`, { tensor: id });
  }

  private checkLive(): void {
    if (this.disposed) throw this.disposedError('call');
  }

  private disposedError(what: string): GgufPagerError {
    return new GgufPagerError('PAGER_DISPOSED', `pager for ${this.r?.sources[0]?.name ?? 'model'} was disposed (${what})`);
  }

  private emit(type: PagerEventType, t: number, error?: PagerEvent['error']): void {
    if (!this.listeners) return;
    const e: PagerEvent = { type, id: this.model.tensors[t].name, bytes: this.model.tensors[t].size };
    if (error) e.error = error;
    for (const cb of this.listeners) cb(e);
  }
}
