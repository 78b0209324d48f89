/**
 * A PagerSource over a Blob or File: a local file the user picked, or an OPFS
 * file handed over as `File`. Each read slices the Blob (a lazy view, no copy)
 * and streams it into the target through one pooled bounce buffer (a BYOB
 * reader, http-body.ts): `slice().arrayBuffer()` per read left garbage the
 * size of every byte read, and the tab's memory grew with the model until a
 * collection (docs/memory.md). Where Blob streams are not byte streams, it
 * falls back to bounded `arrayBuffer()` pieces.
 */
import { GgufPagerError } from '../core/errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from './source.ts';
import { bodyReader } from './http-body.ts';

/** The most bytes one read pulls into a temporary ArrayBuffer before copying into the target. */
export const BLOB_READ_PIECE = 8 << 20;

export class BlobSource implements PagerSource {
  readonly name: string;
  readonly size: number;
  readonly identity: SourceIdentity;

  constructor(private readonly blob: Blob, name?: string) {
    const file = blob as Partial<File>;
    this.name = name ?? (file.name ? `file:${file.name}` : 'blob');
    this.size = blob.size;
    this.identity = { size: blob.size, ...(file.lastModified ? { lastModified: new Date(file.lastModified).toUTCString() } : {}) };
  }

  async readInto(offset: number, target: Uint8Array, opts: ReadOptions = {}): Promise<void> {
    const end = offset + target.length;
    if (!Number.isInteger(offset) || offset < 0 || end > this.size) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: read of ${target.length} bytes at ${offset} is past the end (${this.size} bytes)`,
        { source: this.name, offset, length: target.length, size: this.size });
    }
    const changed = (got: number, at: number) => new GgufPagerError('SOURCE_CHANGED',
      `${this.name}: the file changed while it was read (got ${got} of ${end - at} bytes at ${at})`, { source: this.name, offset: at });
    if (typeof this.blob.stream === 'function') {
      const reader = bodyReader(this.blob.slice(offset, end).stream() as ReadableStream<Uint8Array>);
      let got = 0;
      try {
        for (;;) {
          if (opts.signal?.aborted) {
            throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${offset + got} aborted`, { source: this.name, offset: offset + got });
          }
          const piece = await reader.read();
          if (!piece) break;
          if (got + piece.length > target.length) throw changed(got + piece.length, offset);
          target.set(piece, got);
          got += piece.length;
        }
      } catch (e) {
        reader.cancel().catch(() => undefined);
        throw e;
      } finally {
        reader.release();
      }
      if (got !== target.length) throw changed(got, offset);
      return;
    }
    for (let at = offset; at < end; at += BLOB_READ_PIECE) {
      if (opts.signal?.aborted) {
        throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${at} aborted`, { source: this.name, offset: at });
      }
      const n = Math.min(BLOB_READ_PIECE, end - at);
      const piece = await this.blob.slice(at, at + n).arrayBuffer();
      if (piece.byteLength !== n) throw changed(piece.byteLength, at);
      target.set(new Uint8Array(piece), at - offset);
    }
  }
}
