/**
 * Requests that did not fit: each waits, in arrival order, for something to
 * free room (a release, a finished or failed load), bounded by a timeout and
 * an AbortSignal. `drain` retries every waiter's synchronous claim once; a
 * claim either takes all it needs at once or nothing, so waiters never hold
 * partial reservations (no deadlock between two waiting groups).
 *
 * Queues made for the same arena (several models paged through one arena)
 * form a group: a release in any of them retries the waiters of all, since
 * room freed by one model is room for another. A claim that finds the arena
 * full may also ask the other models of the group to evict one of their idle
 * (unleased, unpinned) tensors: `evictIdle` is each pager's way to do so.
 */
import { GgufPagerError } from '../errors.ts';

interface Waiter {
  tryClaim: () => boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
  cleanup: () => void;
}

const groups = new WeakMap<object, Set<WaitQueue>>();

export class WaitQueue {
  private readonly queue: Waiter[] = [];
  private scheduled = false;
  private readonly group: Set<WaitQueue>;

  /** `shared`: the arena the queue waits on; queues of one arena wake each other. */
  constructor(shared?: object) {
    if (!shared) this.group = new Set([this]);
    else {
      let g = groups.get(shared);
      if (!g) groups.set(shared, (g = new Set()));
      g.add(this);
      this.group = g;
    }
  }

  /** Set by the pager's residency: evicts one idle tensor of that pager; false when it has none. */
  evictIdle: (() => boolean) | undefined;

  /** Asks the other pagers of the arena, in turn, to evict one idle tensor; true once one did. */
  evictFromPeers(): boolean {
    for (const q of this.group) if (q !== this && q.evictIdle?.()) return true;
    return false;
  }

  /** Leaves the arena's group (the pager is disposed). */
  leave(): void {
    this.evictIdle = undefined;
    this.group.delete(this);
  }

  get length(): number {
    return this.queue.length;
  }

  /**
   * Resolves once `tryClaim()` returns true on a later `drain`; rejects with
   * PAGER_NO_SPACE after `timeoutMs`, or with SOURCE_ABORTED when `signal` aborts.
   */
  wait(tryClaim: () => boolean, timeoutMs: number, what: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        this.remove(w);
        reject(new GgufPagerError('SOURCE_ABORTED', `${what}: aborted while waiting for room`, { tensor: what }));
      };
      const w: Waiter = {
        tryClaim,
        resolve,
        reject,
        cleanup: () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      timer = setTimeout(() => {
        this.remove(w);
        reject(
          new GgufPagerError('PAGER_NO_SPACE', `${what}: no room in the budget after ${timeoutMs} ms: everything resident is leased, pinned or loading`, {
            tensor: what,
            waitTimeoutMs: timeoutMs,
          }),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(w);
    });
  }

  /** Retry the waiters of every queue of the arena soon (coalesced into one microtask per queue). */
  schedule(): void {
    for (const q of this.group) q.scheduleOwn();
  }

  private scheduleOwn(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /** Retry every waiter's claim in arrival order now. */
  drain(): void {
    for (let i = 0; i < this.queue.length; ) {
      const w = this.queue[i];
      let ok: boolean;
      try {
        ok = w.tryClaim();
      } catch (e) {
        this.queue.splice(i, 1);
        w.cleanup();
        w.reject(e);
        continue;
      }
      if (!ok) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      w.cleanup();
      w.resolve();
    }
  }

  /** Reject every waiter with `error`. */
  rejectAll(error: unknown): void {
    for (const w of this.queue.splice(0)) {
      w.cleanup();
      w.reject(error);
    }
  }

  private remove(w: Waiter): void {
    const i = this.queue.indexOf(w);
    if (i >= 0) this.queue.splice(i, 1);
    w.cleanup();
  }
}
