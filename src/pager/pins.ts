/**
 * The arena pins that back leases. A block is pinned while any lease on it is
 * alive (so it never moves); after its last release the pin is kept a little
 * longer ("idle"), so a tensor leased again and again — the hit path — makes
 * no Wasm call at all and reuses its cached address. Idle pins are dropped:
 *   - before this pager allocates (so compaction can move those blocks),
 *   - when the event loop turns (one timer per burst of releases),
 *   - when more than MAX_IDLE blocks are idle, and on `releaseIdle()`.
 *
 *   armed[t]  1 = this pager holds one arena pin on t's block
 *   ptrs[t]   the block's address, valid while armed[t] = 1
 *   idle      stack of tensors whose last lease ended while armed
 */
import type { Arena, Handle } from '../core/arena.ts';

export const MAX_IDLE = 256;

export class LeasePins {
  private readonly arena: Arena;
  private readonly handle: Int32Array;
  private readonly leases: Int32Array;
  private readonly armed: Uint8Array;
  private readonly ptrs: Float64Array;
  private readonly listed: Uint8Array;
  private readonly idle: Int32Array;
  private idleCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onTimer = () => {
    this.timer = undefined;
    this.releaseIdle();
  };

  constructor(arena: Arena, handle: Int32Array, leases: Int32Array) {
    const n = handle.length;
    this.arena = arena;
    this.handle = handle;
    this.leases = leases;
    this.armed = new Uint8Array(n);
    this.ptrs = new Float64Array(n);
    this.listed = new Uint8Array(n);
    this.idle = new Int32Array(n);
  }

  /** Pin t's block for a new lease (unless already pinned); returns its address. */
  hold(t: number): number {
    if (this.armed[t] === 0) this.arm(t);
    return this.ptrs[t];
  }

  /** t's block is pinned already (its load's pin), and now backs leases. */
  adopt(t: number): void {
    this.armed[t] = 1;
    this.ptrs[t] = this.arena.ptr(this.handle[t]);
  }

  /** t's last lease ended: keep the pin until the next releaseIdle. */
  rest(t: number): void {
    if (this.listed[t] === 1) return;
    this.listed[t] = 1;
    this.idle[this.idleCount++] = t;
    if (this.idleCount > MAX_IDLE) this.releaseIdle();
    else if (this.timer === undefined) this.timer = setTimeout(this.onTimer, 0);
  }

  /** Drop the pin of every block with no lease. */
  releaseIdle(): void {
    for (let i = 0; i < this.idleCount; i++) {
      const t = this.idle[i];
      this.listed[t] = 0;
      if (this.leases[t] === 0 && this.armed[t] === 1) this.disarm(t);
    }
    this.idleCount = 0;
  }

  /** Before t's block is freed: drop this pager's pin on it, if held. */
  drop(t: number): void {
    if (this.armed[t] === 1) this.disarm(t);
  }

  get idleBlocks(): number {
    return this.idleCount;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.idleCount = 0;
  }

  private arm(t: number): void {
    const h: Handle = this.handle[t];
    this.arena.pin(h);
    this.armed[t] = 1;
    this.ptrs[t] = this.arena.ptr(h);
  }

  private disarm(t: number): void {
    this.arena.unpin(this.handle[t]);
    this.armed[t] = 0;
  }
}
