/**
 * The engine's working memory: one block of the arena, pinned for the model's
 * life (it is counted in the budget like the weights it sits beside, and the
 * Wasm memory never grows for it). Carved into named, 64-byte aligned buffers.
 */
import type { Arena, Handle } from '../core/arena.ts';
import { GgufPagerError } from '../errors.ts';

const ALIGN = 64;
const up = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

export class ScratchLayout<K extends string> {
  readonly offsets = new Map<K, number>();
  bytes = 0;

  add(name: K, size: number): this {
    this.offsets.set(name, this.bytes);
    this.bytes += up(Math.max(size, 4));
    return this;
  }
}

export class Scratch<K extends string> {
  readonly handle: Handle;
  readonly base: number;
  readonly bytes: number;
  private readonly ptrs: Map<K, number>;
  private freed = false;

  constructor(
    private readonly arena: Arena,
    layout: ScratchLayout<K>,
    label: string,
  ) {
    const h = arena.tryAlloc(layout.bytes);
    if (h === 0) {
      const s = arena.stats();
      throw new GgufPagerError(
        'ARENA_FULL',
        `${label}: the engine's ${layout.bytes} bytes of activations and scratch do not fit the arena (${s.free} bytes free)`,
        { size: layout.bytes, free: s.free, capacity: s.capacity },
      );
    }
    arena.pin(h);
    this.handle = h;
    this.bytes = layout.bytes;
    this.base = arena.ptr(h);
    this.ptrs = new Map([...layout.offsets].map(([k, o]) => [k, this.base + o]));
  }

  ptr(name: K): number {
    return this.ptrs.get(name)!;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.arena.unpin(this.handle);
    this.arena.free(this.handle);
  }
}
