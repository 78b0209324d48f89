/**
 * A PagerSource over an OPFS file handle (`FileSystemFileHandle`): a model the
 * app stored in the origin's private file system and hands over as its handle.
 *
 * In a dedicated worker (where the runtime reads) it opens a sync access handle
 * and reads straight into the target, the Wasm arena included: no buffer per
 * read, nothing for the garbage collector. A `File` of the same bytes goes
 * through BlobSource, whose Blob stream hands out a fresh buffer per chunk: paging
 * a 512 MiB model from a File held about +196 MiB of the tab's private memory,
 * from its handle it holds what a cached model does (docs/memory.md). The handle
 * opens in `readwrite-unsafe` mode, so other tabs and workers may read the file
 * at the same time (this source never writes). Where sync handles do not exist
 * (a page), it reads the handle's File through BlobSource.
 */
import { GgufPagerError } from '../core/errors.ts';
import { BlobSource } from './blob.ts';
import { openSyncOpfsFile } from './opfs-sync-file.ts';
import type { OpfsFile } from './opfs-file.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from './source.ts';

let opened = 0;

export class FileHandleSource implements PagerSource {
  private constructor(
    readonly name: string,
    readonly size: number,
    readonly identity: SourceIdentity,
    private readonly file: OpfsFile,
  ) {}

  /** A sync-handle source in a dedicated worker; elsewhere a BlobSource over the handle's File. */
  static async open(handle: FileSystemFileHandle): Promise<PagerSource> {
    const name = `opfs-file:${handle.name}`;
    let snapshot: File;
    try {
      snapshot = await handle.getFile();
    } catch (e) {
      throw new GgufPagerError('SOURCE_NOT_FOUND', `${name}: the file cannot be opened (${(e as Error)?.message ?? e})`, { source: name });
    }
    const identity: SourceIdentity = { size: snapshot.size, lastModified: new Date(snapshot.lastModified).toUTCString() };
    const canSync = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined'
      && typeof (handle as { createSyncAccessHandle?: unknown }).createSyncAccessHandle === 'function';
    if (!canSync) return new BlobSource(snapshot, name);
    // a key of its own: the shared-handle table of opfs-sync-file.ts is keyed by OPFS path, which a handle does not tell
    const file = await openSyncOpfsFile(`#handle-${++opened}/${handle.name}`, handle, true);
    return new FileHandleSource(name, snapshot.size, identity, file);
  }

  async readInto(offset: number, target: Uint8Array, opts: ReadOptions = {}): Promise<void> {
    const end = offset + target.length;
    if (!Number.isInteger(offset) || offset < 0 || end > this.size) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: read of ${target.length} bytes at ${offset} is past the end (${this.size} bytes)`,
        { source: this.name, offset, length: target.length, size: this.size });
    }
    if (opts.signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${offset} aborted`, { source: this.name, offset });
    const got = await this.file.read(offset, target);
    if (got !== target.length) {
      throw new GgufPagerError('SOURCE_CHANGED', `${this.name}: the file changed while it was read (got ${got} of ${target.length} bytes at ${offset})`,
        { source: this.name, offset });
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
