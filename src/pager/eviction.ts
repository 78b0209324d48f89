/**
 * Eviction policies: which resident, evictable tensor to drop first.
 *
 * - `lru`: least recently used (the seed's order, made O(1) by `Lru`). On the
 *   cyclic access of inference it is the worst choice: when the unpinned
 *   weights exceed the budget, every token reloads every one of them.
 * - `auto`: furthest next use over the known forward-pass cycle (Belady's rule
 *   applied to a future we know). With `cursor` = the schedule position of the
 *   latest demand access, the tensor at `cursor` is needed furthest ahead (a
 *   full cycle), then `cursor - 1`, and so on: the victim search walks the
 *   cycle backwards from the cursor and stops at the first candidate, which in
 *   steady state is a tensor of the group just released.
 *
 * Tensors pinned by the policy are never added. `add`, `access` and `remove`
 * are O(1); `victim` is called only on a miss that needs room.
 */
import type { EvictionKind } from './policy.ts';
import type { Schedule } from './schedule.ts';
import { Lru } from './lru.ts';

export interface EvictionPolicy {
  readonly kind: EvictionKind;
  /** t became resident and evictable by this policy. */
  add(t: number): void;
  /** t was read by a caller (a hit, or a demand load). */
  access(t: number): void;
  /** t left the resident set. */
  remove(t: number): void;
  /**
   * The best victim among added tensors for which `canEvict` holds, or -1.
   * `cursor` is the schedule position of the latest demand access (-1: none yet).
   */
  victim(cursor: number, canEvict: (t: number) => boolean): number;
}

export class LruEviction implements EvictionPolicy {
  readonly kind = 'lru' as const;
  private readonly lru: Lru;

  constructor(tensorCount: number) {
    this.lru = new Lru(tensorCount);
  }

  add(t: number): void {
    this.lru.touch(t);
  }

  access(t: number): void {
    if (this.lru.has(t)) this.lru.touch(t);
  }

  remove(t: number): void {
    this.lru.delete(t);
  }

  victim(_cursor: number, canEvict: (t: number) => boolean): number {
    for (let t = this.lru.oldest(); t !== -1; t = this.lru.newer(t)) if (canEvict(t)) return t;
    return -1;
  }
}

export class FurthestNextUseEviction implements EvictionPolicy {
  readonly kind = 'auto' as const;
  private readonly schedule: Schedule;
  private readonly member: Uint8Array;
  private count = 0;

  constructor(schedule: Schedule, tensorCount: number) {
    this.schedule = schedule;
    this.member = new Uint8Array(tensorCount);
  }

  add(t: number): void {
    if (this.member[t] === 0) {
      this.member[t] = 1;
      this.count++;
    }
  }

  access(_t: number): void {
    // The cursor, owned by the pager, carries all the state this policy needs.
  }

  remove(t: number): void {
    if (this.member[t] === 1) {
      this.member[t] = 0;
      this.count--;
    }
  }

  victim(cursor: number, canEvict: (t: number) => boolean): number {
    const order = this.schedule.order;
    const n = order.length;
    let p = cursor < 0 ? n - 1 : cursor;
    let seen = 0;
    for (let step = 0; step < n && seen < this.count; step++) {
      const t = order[p];
      if (this.member[t] === 1) {
        seen++;
        if (canEvict(t)) return t;
      }
      p = p === 0 ? n - 1 : p - 1;
    }
    return -1;
  }
}

export function createEviction(kind: EvictionKind, schedule: Schedule, tensorCount: number): EvictionPolicy {
  return kind === 'lru' ? new LruEviction(tensorCount) : new FurthestNextUseEviction(schedule, tensorCount);
}
