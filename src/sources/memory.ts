/**
 * `MemorySource`: a PagerSource over bytes already in memory (tests, fixtures,
 * a small file the caller holds). Reads copy straight into the target.
 */
import { GgufPagerError } from '../errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from './source.ts';
import { checkRead } from './read-check.ts';

export class MemorySource implements PagerSource {
  readonly size: number;
  readonly identity: SourceIdentity;

  /** Serves `bytes` under `name` (used in error messages). The bytes are not copied. */
  constructor(
    private readonly bytes: Uint8Array,
    readonly name: string = 'memory',
  ) {
    this.size = bytes.length;
    this.identity = { size: bytes.length };
  }

  async readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    checkRead(this.name, this.size, offset, target);
    if (opts?.signal?.aborted) {
      throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at offset ${offset} aborted`, { source: this.name, offset });
    }
    target.set(this.bytes.subarray(offset, offset + target.length));
  }
}
