/**
 * A test-only PagerSource over a Uint8Array that counts reads and bytes, can
 * hold reads until released, delay them, write them in chunks with a pause
 * between (so a block that moved mid-read would be caught), and fail on demand.
 */
import { GgufPagerError } from '../../src/errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from '../../src/sources/source.ts';

export interface TestSourceOptions {
  name?: string;
  /** Milliseconds before each read's data arrives (a number or a function of the read). */
  delayMs?: number | ((offset: number, length: number) => number);
  /** Write each read in this many chunks, yielding between them (default 1). */
  chunks?: number;
}

export class TestSource implements PagerSource {
  readonly name: string;
  readonly size: number;
  readonly identity: SourceIdentity;
  readonly data: Uint8Array;
  reads = 0;
  bytesRead = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Offsets of every read, in order. */
  readonly offsets: number[] = [];
  /** When set, a read at this offset fails with it (once). */
  failAt = new Map<number, Error>();
  /** Reads at these offsets wait until `resume()`; the others run. */
  holdAt = new Set<number>();
  private readonly opts: TestSourceOptions;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private held: Promise<void> | null = null;
  private openHeld: (() => void) | null = null;

  constructor(data: Uint8Array, opts: TestSourceOptions = {}) {
    this.data = data;
    this.size = data.length;
    this.name = opts.name ?? 'test.gguf';
    this.identity = { size: data.length };
    this.opts = opts;
  }

  /** Hold every read (new and in flight) until `resume()`. */
  pause(): void {
    if (!this.gate) this.gate = new Promise((r) => (this.openGate = r));
  }

  /** Releases the reads held by `pause()` and by `holdAt`. */
  resume(): void {
    this.holdAt.clear();
    this.openGate?.();
    this.gate = null;
    this.openGate = null;
    this.openHeld?.();
    this.held = null;
    this.openHeld = null;
  }

  async readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    if (offset < 0 || offset + target.length > this.size) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: read of ${target.length} bytes at ${offset} is past the end (${this.size})`, { offset });
    }
    this.reads++;
    this.offsets.push(offset);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const fail = this.failAt.get(offset);
      if (fail) {
        this.failAt.delete(offset);
        await tick();
        throw fail;
      }
      const chunks = Math.max(1, this.opts.chunks ?? 1);
      const step = Math.ceil(target.length / chunks) || 1;
      for (let at = 0; at < target.length || at === 0; at += step) {
        await this.wait(offset, target.length, opts?.signal);
        const end = Math.min(target.length, at + step);
        target.set(this.data.subarray(offset + at, offset + end), at);
        if (target.length === 0) break;
      }
      this.bytesRead += target.length;
    } finally {
      this.inFlight--;
    }
  }

  private async wait(offset: number, length: number, signal?: AbortSignal): Promise<void> {
    const d = typeof this.opts.delayMs === 'function' ? this.opts.delayMs(offset, length) : (this.opts.delayMs ?? 0);
    if (d > 0) await new Promise((r) => setTimeout(r, d));
    else await tick();
    while (this.gate) await this.gate;
    while (this.holdAt.has(offset)) await (this.held ??= new Promise((r) => (this.openHeld = r)));
    if (signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${offset} aborted`, { offset });
  }
}

function tick(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
