/**
 * Embedding rows without paging the whole table: a row of `token_embd` comes
 * from the arena when the table is resident (a hit, no load), else its few
 * bytes are read straight from the source into scratch and decoded there.
 * A table of hundreds of MiB is never paged in for one token.
 */
import { GgufPagerError } from '../errors.ts';
import type { TensorInfo } from '../gguf/types.ts';
import type { LayerPager } from '../pager/layer-pager.ts';
import type { PagerSource } from '../sources/source.ts';
import type { KernelApi } from './kernel-api.ts';

export class Embeddings {
  /** Bytes read from the source for rows (the table was not resident). */
  bytesRead = 0;
  readonly rowBytes: number;
  readonly cols: number;
  readonly rows: number;

  constructor(
    private readonly info: TensorInfo,
    private readonly pager: LayerPager,
    private readonly sources: readonly PagerSource[],
    private readonly kernels: KernelApi,
    private readonly memory: WebAssembly.Memory,
    /** Scratch of at least rowBytes bytes for a row read from the source. */
    private readonly rowPtr: number,
  ) {
    this.cols = info.dims[0];
    this.rows = info.dims[1];
    this.rowBytes = kernels.rowBytes(info.type, this.cols);
  }

  /** Writes the f32 rows of `ids` to dst (ids.length × cols f32). */
  async lookup(ids: readonly number[], dst: number, signal?: AbortSignal): Promise<void> {
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.rows) {
        throw new GgufPagerError('INVALID_ARGUMENT', `token id ${id} is outside the vocabulary (0..${this.rows - 1})`, { token: id, vocab: this.rows });
      }
    }
    const lease = this.pager.isResident(this.info.name) ? this.pager.tryAcquire(this.info.name) : undefined;
    try {
      for (let i = 0; i < ids.length; i++) {
        const out = dst + i * this.cols * 4;
        if (lease) {
          this.kernels.getRows(this.info.type, lease.ptr, this.cols, ids[i], out);
        } else {
          const target = new Uint8Array(this.memory.buffer, this.rowPtr, this.rowBytes);
          await this.sources[this.info.shard].readInto(this.info.offset + ids[i] * this.rowBytes, target, { signal });
          this.bytesRead += this.rowBytes;
          this.kernels.getRows(this.info.type, this.rowPtr, this.cols, 0, out);
        }
      }
    } finally {
      if (lease) this.pager.release(lease);
    }
  }
}
