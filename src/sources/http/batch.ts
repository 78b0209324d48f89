/**
 * The HTTP source's request queue: at most `limit` requests in flight (a
 * semaphore), and reads that wait for a slot are coalesced. Reads issued in
 * the same tick (they are queued and the queue is drained in a microtask) or
 * queued behind the limit are grouped with their neighbours: a read joins a
 * group when it starts no more than `gapBytes` after the group's end (or ends
 * no more than `gapBytes` before its start) and the group stays within
 * `maxBytes` and `maxReads`. One group = one Range request; the gap bytes are
 * downloaded and dropped. Groups are taken oldest read first.
 */

export interface PendingRead {
  readonly offset: number;
  /** target.length when the read was made: a detached target's length drops to 0, this does not. */
  readonly length: number;
  readonly target: Uint8Array;
  /** Set once resolved or rejected: nothing may write into `target` after that. */
  settled: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/** Reads served by one request for bytes [start, end), sorted by offset. */
export interface ReadGroup {
  start: number;
  end: number;
  reads: PendingRead[];
}

export interface CoalescePolicy {
  gapBytes: number;
  maxBytes: number;
  maxReads: number;
}

const endOf = (r: PendingRead) => r.offset + r.length;

export class ReadQueue {
  private pending: PendingRead[] = [];
  private active = 0;
  private scheduled = false;

  constructor(
    private readonly limit: number,
    private readonly policy: CoalescePolicy,
    private readonly run: (group: ReadGroup) => Promise<void>,
  ) {}

  /** Requests in flight now. */
  get inFlight(): number {
    return this.active;
  }

  push(read: PendingRead): void {
    this.pending.push(read);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Forgets a read that was settled while still waiting (aborted, closed). */
  remove(read: PendingRead): void {
    const i = this.pending.indexOf(read);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** Rejects every read still waiting with `error(read)`. */
  rejectAll(error: (read: PendingRead) => unknown): void {
    const waiting = this.pending;
    this.pending = [];
    for (const r of waiting) if (!r.settled) (r.settled = true), r.reject(error(r));
  }

  private pump(): void {
    while (this.active < this.limit) {
      const group = this.take();
      if (!group) return;
      this.active++;
      this.run(group)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }

  /** The oldest waiting read with its coalescable neighbours, taken off the queue. */
  private take(): ReadGroup | undefined {
    this.pending = this.pending.filter((r) => !r.settled);
    const first = this.pending[0];
    if (!first) return undefined;
    const sorted = [...this.pending].sort((a, b) => a.offset - b.offset);
    const at = sorted.indexOf(first);
    const { gapBytes, maxBytes, maxReads } = this.policy;
    const members = [first];
    let start = first.offset;
    let end = endOf(first);
    for (let j = at + 1; j < sorted.length && members.length < maxReads; j++) {
      const r = sorted[j];
      const newEnd = Math.max(end, endOf(r));
      if (r.offset > end + gapBytes || newEnd - start > maxBytes) break;
      members.push(r);
      end = newEnd;
    }
    for (let j = at - 1; j >= 0 && members.length < maxReads; j--) {
      const r = sorted[j];
      const newEnd = Math.max(end, endOf(r));
      if (endOf(r) + gapBytes < start || newEnd - r.offset > maxBytes) break;
      members.push(r);
      start = r.offset;
      end = newEnd;
    }
    const taken = new Set(members);
    this.pending = this.pending.filter((r) => !taken.has(r));
    return { start, end, reads: members.sort((a, b) => a.offset - b.offset) };
  }
}

/**
 * Copies the part of `chunk` (file bytes [at, at + chunk.length)) that each
 * unsettled read wants into its target, and resolves every read whose last
 * byte has now arrived. Bytes arrive in order, so a read is whole once the
 * stream has passed its end.
 */
export function deliver(reads: readonly PendingRead[], chunk: Uint8Array, at: number): void {
  const chunkEnd = at + chunk.length;
  for (const r of reads) {
    if (r.settled) continue;
    const end = endOf(r);
    const a = Math.max(at, r.offset);
    const b = Math.min(chunkEnd, end);
    if (a < b) r.target.set(chunk.subarray(a - at, b - at), a - r.offset); // throws if the target was detached
    if (end <= chunkEnd) {
      r.settled = true;
      r.resolve();
    }
  }
}
