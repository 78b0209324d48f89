/**
 * Test-only PagerSource over bytes in memory that records every read, so a
 * test can assert which bytes the parser touched.
 */
import { GgufPagerError } from '../../src/errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from '../../src/sources/source.ts';

export class BytesSource implements PagerSource {
  readonly identity: SourceIdentity;
  /** [offset, length] of every read, in order. */
  readonly reads: Array<[number, number]> = [];

  constructor(
    private readonly bytes: Uint8Array,
    readonly name = 'test.gguf',
  ) {
    this.identity = { size: bytes.length };
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Total bytes handed out. */
  get bytesRead(): number {
    return this.reads.reduce((n, [, len]) => n + len, 0);
  }

  /** One past the furthest byte handed out. */
  get highestByteRead(): number {
    return this.reads.reduce((m, [off, len]) => Math.max(m, off + len), 0);
  }

  async readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    if (opts?.signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read aborted`);
    if (offset < 0 || offset + target.length > this.bytes.length) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: read of ${target.length} bytes at ${offset} past the end (${this.bytes.length})`, { offset });
    }
    this.reads.push([offset, target.length]);
    target.set(this.bytes.subarray(offset, offset + target.length));
  }
}

/** Wraps any source and records the reads made through it. */
export class CountingSource implements PagerSource {
  readonly reads: Array<[number, number]> = [];
  constructor(private readonly inner: PagerSource) {}
  get name(): string {
    return this.inner.name;
  }
  get size(): number {
    return this.inner.size;
  }
  get identity(): SourceIdentity {
    return this.inner.identity;
  }
  get highestByteRead(): number {
    return this.reads.reduce((m, [off, len]) => Math.max(m, off + len), 0);
  }
  readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    this.reads.push([offset, target.length]);
    return this.inner.readInto(offset, target, opts);
  }
}
