/**
 * The page side of an OPFS file (no sync access handles on the main thread).
 * Reads: `getFile().slice(a, b).arrayBuffer()` in slices of at most
 * READ_SLICE_BYTES, each copied into the target and dropped, so a large read
 * never holds more than one slice in the JS heap. Writes: one pending
 * `createWritable({ keepExistingData: true })` stream, committed atomically by
 * flush() (or close()); until then readers see the previous version, and a
 * failed write or truncate discards the unflushed ones with it.
 */
import { GgufPagerError } from '../../errors.ts';
import type { OpfsFile } from './opfs-file.ts';
import { storageError } from '../storage-env.ts';

/** Bounds the transient buffer of one page-side read step. */
export const READ_SLICE_BYTES = 8 << 20;

export class AsyncOpfsFile implements OpfsFile {
  readonly sync = false;
  private writable: FileSystemWritableFileStream | undefined;
  private closed = false;
  /** Writes, truncates and commits run one at a time: two writables opened at once would each commit over the other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly handle: FileSystemFileHandle,
  ) {}

  async read(at: number, target: Uint8Array): Promise<number> {
    this.check();
    try {
      const file = await this.handle.getFile();
      const end = Math.min(at + target.length, file.size);
      for (let p = at; p < end; p += READ_SLICE_BYTES) {
        const q = Math.min(end, p + READ_SLICE_BYTES);
        const slice = new Uint8Array(await file.slice(p, q).arrayBuffer());
        if (slice.length !== q - p) throw new Error(`slice [${p}, ${q}) returned ${slice.length} bytes`);
        target.set(slice, p - at);
      }
      return Math.max(0, end - at);
    } catch (e) {
      throw storageError(e, `opfs:${this.path} read of ${target.length} bytes at ${at}`, { path: this.path, offset: at });
    }
  }

  write(at: number, data: Uint8Array): Promise<void> {
    this.check();
    return this.serial(async () => {
      try {
        const w = await this.stream();
        await w.write({ type: 'write', position: at, data: ownBuffer(data) });
      } catch (e) {
        await this.abortPending();
        throw storageError(e, `opfs:${this.path} write of ${data.length} bytes at ${at}`, { path: this.path, offset: at, length: data.length });
      }
    });
  }

  truncate(size: number): Promise<void> {
    this.check();
    return this.serial(async () => {
      try {
        await (await this.stream()).truncate(size);
      } catch (e) {
        await this.abortPending();
        throw storageError(e, `opfs:${this.path} truncate to ${size}`, { path: this.path, size });
      }
    });
  }

  flush(): Promise<void> {
    this.check();
    return this.serial(async () => {
      const w = this.writable;
      if (!w) return;
      this.writable = undefined;
      try {
        await w.close();
      } catch (e) {
        throw storageError(e, `opfs:${this.path} commit`, { path: this.path });
      }
    });
  }

  async size(): Promise<number> {
    this.check();
    try {
      return (await this.handle.getFile()).size;
    } catch (e) {
      throw storageError(e, `opfs:${this.path} size`, { path: this.path });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
    }
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async stream(): Promise<FileSystemWritableFileStream> {
    this.writable ??= await this.handle.createWritable({ keepExistingData: true });
    return this.writable;
  }

  /** A failed write leaves the stream errored: drop it so nothing half-written is committed. */
  private async abortPending(): Promise<void> {
    const w = this.writable;
    this.writable = undefined;
    await w?.abort().catch(() => undefined);
  }

  private check(): void {
    if (this.closed) throw new GgufPagerError('STORAGE_UNAVAILABLE', `opfs:${this.path}: file already closed`, { path: this.path });
  }
}

/** createWritable refuses views of a SharedArrayBuffer: copy those only. */
function ownBuffer(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const shared = typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer;
  return shared ? (data.slice() as Uint8Array<ArrayBuffer>) : (data as Uint8Array<ArrayBuffer>);
}
