/**
 * A PagerSource over a Blob or File: a local file the user picked, or an OPFS
 * file handed over as `File`. Each read slices the Blob (a lazy view, no copy)
 * and streams it into the target in the small chunks the browser hands out:
 * `slice().arrayBuffer()` per read left garbage the size of every byte read,
 * and the tab's memory grew with the model until a collection (docs/memory.md).
 * A default reader, not a BYOB one: BYOB reads of a Blob stream (with the
 * bounce buffer of http-body.ts) hung now and then in full test runs in
 * Chromium 156. Where Blobs have no stream(), bounded `arrayBuffer()` pieces.
 */
import { GgufPagerError } from '../errors.ts';
import { checkRead } from './read-check.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from './source.ts';

/** The most bytes one read pulls into a temporary ArrayBuffer before copying into the target. */
export const BLOB_READ_PIECE = 8 << 20;

export class BlobSource implements PagerSource {
  readonly name: string;
  readonly size: number;
  readonly identity: SourceIdentity;

  constructor(
    private readonly blob: Blob,
    name?: string,
  ) {
    const file = blob as Partial<File>;
    this.name = name ?? (file.name ? `file:${file.name}` : 'blob');
    this.size = blob.size;
    this.identity = { size: blob.size, ...(file.lastModified ? { lastModified: new Date(file.lastModified).toUTCString() } : {}) };
  }

  async readInto(offset: number, target: Uint8Array, opts: ReadOptions = {}): Promise<void> {
    checkRead(this.name, this.size, offset, target);
    const end = offset + target.length;
    const changed = (got: number, at: number) =>
      new GgufPagerError('SOURCE_CHANGED', `${this.name}: the file changed while it was read (got ${got} of ${end - at} bytes at ${at})`, {
        source: this.name,
        offset: at,
      });
    if (typeof this.blob.stream === 'function') {
      const reader = this.blob.slice(offset, end).stream().getReader();
      let got = 0;
      try {
        for (;;) {
          if (opts.signal?.aborted) {
            throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${offset + got} aborted`, { source: this.name, offset: offset + got });
          }
          const { done, value: piece } = await reader.read();
          if (done || !piece) break;
          if (got + piece.length > target.length) throw changed(got + piece.length, offset);
          target.set(piece, got);
          got += piece.length;
        }
      } catch (e) {
        reader.cancel().catch(() => undefined);
        throw e;
      } finally {
        reader.releaseLock();
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
