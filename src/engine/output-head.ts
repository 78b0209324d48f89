/**
 * The output head when it cannot fit the budget (a 262 k-token tied head of
 * 170 MB and more beside a budget of a few tens of MB): its rows are read
 * straight from the source in chunks into two scratch buffers — the next
 * chunk's read runs while the current one is multiplied — so the head costs
 * 2 × chunkBytes of arena instead of its size, and is read once per token.
 * A head that fits is leased through the pager as any tensor (forward.ts).
 */
import type { TensorInfo } from '../gguf/types.ts';
import type { LayerPager } from '../pager/layer-pager.ts';
import type { PagerSource } from '../sources/source.ts';
import type { KernelApi } from './kernel-api.ts';

/** Bytes of each of the two chunk buffers (a multiple of the head's row bytes, at least one row). */
export function headChunkBytes(rowBytes: number, headBytes: number): number {
  const target = 2 ** 21;
  return Math.min(headBytes, Math.max(1, Math.floor(target / rowBytes)) * rowBytes);
}

/** Whether the head (with output_norm, acquired together) can never fit the pager's unpinned budget. */
export function headStreams(pager: LayerPager, head: TensorInfo, norm: TensorInfo): boolean {
  if (pager.isPinned(head.name)) return false;
  return head.size + norm.size > pager.budgetBytes - pager.pinnedBytes;
}

export class StreamedHead {
  /** Bytes read from the source for the head. */
  bytesRead = 0;
  private readonly rowBytes: number;
  private readonly chunkRows: number;

  constructor(
    private readonly info: TensorInfo,
    private readonly sources: readonly PagerSource[],
    private readonly kernels: KernelApi,
    private readonly memory: WebAssembly.Memory,
    /** Two buffers of chunkBytes each. */
    private readonly chunks: readonly [number, number],
    chunkBytes: number,
  ) {
    this.rowBytes = kernels.rowBytes(info.type, info.dims[0]);
    this.chunkRows = Math.floor(chunkBytes / this.rowBytes);
  }

  /** y (vocab f32) = head · x (cols f32), chunk by chunk; `work` is the kernels' scratch. */
  async project(x: number, y: number, work: number, signal?: AbortSignal): Promise<void> {
    const rows = this.info.dims[1];
    const cols = this.info.dims[0];
    const read = (r0: number, buf: number): Promise<void> => {
      const n = Math.min(this.chunkRows, rows - r0);
      this.bytesRead += n * this.rowBytes;
      return this.sources[this.info.shard].readInto(this.info.offset + r0 * this.rowBytes, new Uint8Array(this.memory.buffer, buf, n * this.rowBytes), {
        signal,
      });
    };
    let pending = read(0, this.chunks[0]);
    try {
      for (let r0 = 0, i = 0; r0 < rows; r0 += this.chunkRows, i ^= 1) {
        await pending;
        const next = r0 + this.chunkRows;
        if (next < rows) pending = read(next, this.chunks[i ^ 1]);
        const n = Math.min(this.chunkRows, rows - r0);
        this.kernels.matvec(this.info.type, this.chunks[i], n, cols, x, y + r0 * 4, work);
      }
    } finally {
      await pending.catch(() => {}); // no read left running into a buffer after a failure
    }
  }
}
