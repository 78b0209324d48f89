/**
 * An O(1) least-recently-used list over small integer keys (tensor indices),
 * without node objects: links live in preallocated Int32Arrays, as in
 * lru-cache. Slot `capacity` is the sentinel that closes the ring, so every
 * operation is a couple of relinks with no branches for the ends.
 *
 *   next/prev: Int32Array(capacity + 1)
 *   ┌──────────┐   next   ┌───────┐   next   ┌───────┐   next
 *   │ sentinel │ ───────▶ │ LRU … │ ───────▶ │ … MRU │ ───────▶ (sentinel)
 *   └──────────┘ ◀─────── └───────┘ ◀─────── └───────┘
 *                  prev               prev
 */
const NONE = -1;

export class Lru {
  readonly capacity: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly member: Uint8Array;
  private count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.next = new Int32Array(capacity + 1);
    this.prev = new Int32Array(capacity + 1);
    this.member = new Uint8Array(capacity);
    this.next[capacity] = capacity;
    this.prev[capacity] = capacity;
  }

  get size(): number {
    return this.count;
  }

  has(key: number): boolean {
    return this.member[key] === 1;
  }

  /** Insert `key` as most recently used, or move it there. */
  touch(key: number): void {
    if (this.member[key] === 1) this.unlink(key);
    else {
      this.member[key] = 1;
      this.count++;
    }
    const s = this.capacity;
    const last = this.prev[s];
    this.next[last] = key;
    this.prev[key] = last;
    this.next[key] = s;
    this.prev[s] = key;
  }

  /** Remove `key` if present. */
  delete(key: number): void {
    if (this.member[key] !== 1) return;
    this.unlink(key);
    this.member[key] = 0;
    this.count--;
  }

  /** The least recently used key, or -1 when empty. */
  oldest(): number {
    const k = this.next[this.capacity];
    return k === this.capacity ? NONE : k;
  }

  /** The key used just after `key`, or -1 at the most recent end. */
  newer(key: number): number {
    const k = this.next[key];
    return k === this.capacity ? NONE : k;
  }

  /** Keys from least to most recently used (for tests and debugging). */
  keys(): number[] {
    const out: number[] = [];
    for (let k = this.oldest(); k !== NONE; k = this.newer(k)) out.push(k);
    return out;
  }

  private unlink(key: number): void {
    const p = this.prev[key];
    const n = this.next[key];
    this.next[p] = n;
    this.prev[n] = p;
  }
}
