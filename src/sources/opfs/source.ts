/**
 * `OpfsSource`: a PagerSource over one file of the Origin Private File System.
 * In a dedicated worker it reads with `FileSystemSyncAccessHandle.read(view,
 * { at })` straight into the target (e.g. a view of the Wasm arena): no copy.
 * On the page it falls back to `getFile().slice().arrayBuffer()` in bounded
 * slices (see opfs-async-file.ts).
 */
import type { PagerSource, ReadOptions, SourceIdentity } from '../source.ts';
import { openOpfsFile, openOpfsHandle, type OpfsAccess } from './file.ts';
import type { OpfsFile } from './opfs-file.ts';
import { checkRead } from '../read-check.ts';
import { throwIfAborted, storageError } from '../storage-env.ts';
import { GgufPagerError } from '../../errors.ts';

export interface OpfsSourceOptions {
  /** `auto` (default): sync handle in a worker, getFile() on the page. */
  access?: OpfsAccess;
}

export class OpfsSource implements PagerSource {
  readonly name: string;
  readonly identity: SourceIdentity;

  private constructor(
    readonly path: string,
    private readonly file: OpfsFile,
    identity: SourceIdentity,
  ) {
    this.name = `opfs:${path}`;
    this.identity = identity;
  }

  /** Opens an existing file (`SOURCE_NOT_FOUND` when missing). `path` is relative to the OPFS root. */
  static async open(path: string, opts: OpfsSourceOptions = {}): Promise<OpfsSource> {
    const file = await openOpfsFile(path, { create: false, access: opts.access });
    try {
      return new OpfsSource(path, file, { size: await file.size() });
    } catch (e) {
      await file.close();
      throw storageError(e, `opfs:${path}`, { path });
    }
  }

  /**
   * Opens the file behind a FileSystemFileHandle (`load(handle)`): in a worker a sync access handle reads straight
   * into the arena, where a File of the same bytes would go through a Blob stream, a fresh buffer per chunk
   * (docs/memory.md). Named `opfs:<file name>`.
   */
  static async fromHandle(handle: FileSystemFileHandle): Promise<OpfsSource> {
    const file = await openOpfsHandle(handle);
    try {
      return new OpfsSource(handle.name, file, { size: await file.size() });
    } catch (e) {
      await file.close();
      throw storageError(e, `opfs:${handle.name}`, { path: handle.name });
    }
  }

  get size(): number {
    return this.identity.size;
  }

  /** True when reads go through a sync access handle (worker). */
  get sync(): boolean {
    return this.file.sync;
  }

  async readInto(offset: number, target: Uint8Array, opts: ReadOptions = {}): Promise<void> {
    checkRead(this.name, this.size, offset, target);
    throwIfAborted(opts.signal, `${this.name} read at ${offset}`);
    if (target.length === 0) return;
    const n = await this.file.read(offset, target);
    if (n !== target.length) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: read of ${target.length} bytes at offset ${offset} got ${n} (the file shrank since open?)`, {
        offset,
        length: target.length,
        got: n,
      });
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
