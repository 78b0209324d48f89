/**
 * A PagerSource over a Blob or File: a local file the user picked, or an OPFS
 * file handed over as `File`. Each read slices the Blob (a lazy view, no copy)
 * and copies one bounded piece at a time into the target.
 */
import { GgufPagerError } from '../core/errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from './source.ts';

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
    for (let at = offset; at < end; at += BLOB_READ_PIECE) {
      if (opts.signal?.aborted) {
        throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${at} aborted`, { source: this.name, offset: at });
      }
      const n = Math.min(BLOB_READ_PIECE, end - at);
      const piece = await this.blob.slice(at, at + n).arrayBuffer();
      if (piece.byteLength !== n) {
        throw new GgufPagerError('SOURCE_CHANGED', `${this.name}: the file changed while it was read (got ${piece.byteLength} of ${n} bytes at ${at})`,
          { source: this.name, offset: at });
      }
      target.set(new Uint8Array(piece), at - offset);
    }
  }
}
