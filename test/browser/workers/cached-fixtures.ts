/**
 * What the CachedSource tests (page and worker) build on: a remote that serves
 * the test pattern (test/servers/pattern.ts) and counts every byte and read it
 * serves, with hooks to slow it down, abort or fail a read; and store wrappers
 * that inject failures.
 */
import { GgufPagerError } from '../../../src/errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from '../../../src/sources/source.ts';
import type { CacheStore } from '../../../src/sources/cache/store.ts';
import { fillPattern, firstPatternMismatch } from '../../servers/pattern.ts';

export interface CountingRemoteOptions {
  seed?: number;
  etag?: string;
  lastModified?: string;
  /** Runs before each read is served; may await, abort, or throw. */
  beforeRead?: (offset: number, length: number, readNumber: number) => void | Promise<void>;
}

/** Serves pattern `seed` of `size` bytes and counts what it served. */
export class CountingRemote implements PagerSource {
  readonly name: string;
  readonly identity: SourceIdentity;
  /** Bytes served (successful reads only). */
  bytes = 0;
  /** [offset, length] of every successful read, in completion order. */
  readonly reads: Array<[number, number]> = [];
  private started = 0;
  closed = false;

  constructor(
    readonly size: number,
    private readonly opts: CountingRemoteOptions = {},
  ) {
    this.name = `counting-remote(${size})`;
    this.identity = { size };
    if (opts.etag !== undefined) this.identity.etag = opts.etag;
    if (opts.lastModified !== undefined) this.identity.lastModified = opts.lastModified;
  }

  get seed(): number {
    return this.opts.seed ?? 1;
  }

  async readInto(offset: number, target: Uint8Array, o: ReadOptions = {}): Promise<void> {
    if (offset + target.length > this.size) throw new GgufPagerError('SOURCE_EOF', `${this.name}: past the end`);
    await this.opts.beforeRead?.(offset, target.length, ++this.started);
    if (o.signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${offset} aborted`);
    fillPattern(target, offset, this.seed);
    this.bytes += target.length;
    this.reads.push([offset, target.length]);
  }

  /** Offsets of the reads served, sorted. */
  offsets(): number[] {
    return this.reads.map(([o]) => o).sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads the whole source and returns where it first differs from pattern `seed` (-1: all equal). */
export async function readAllMismatch(src: PagerSource, seed: number, opts: ReadOptions = {}): Promise<number> {
  const all = new Uint8Array(src.size);
  await src.readInto(0, all, opts);
  return firstPatternMismatch(all, 0, seed);
}

/** Offsets of chunks [0, n) of `chunkSize`. */
export function chunkOffsets(size: number, chunkSize: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < size; o += chunkSize) out.push(o);
  return out;
}

/**
 * Wraps a store so that each writeChunk goes through `fn`, which gets the real
 * write to run (or not), the chunk index and the call number (from 1).
 */
export function interceptWrites(fn: (write: () => Promise<void>, index: number, call: number) => Promise<void>): (s: CacheStore) => CacheStore {
  return (inner) => {
    let calls = 0;
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'writeChunk') {
          return (m: Parameters<CacheStore['writeChunk']>[0], index: number, bytes: Uint8Array) => fn(() => target.writeChunk(m, index, bytes), index, ++calls);
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
}

export const quotaError = () => new DOMException('simulated: the origin is over its quota', 'QuotaExceededError');
