/**
 * The worker side of an OPFS file: one FileSystemSyncAccessHandle per path,
 * shared (reference-counted) by every OpfsFile opened on that path in this
 * worker, because Chromium allows one sync handle per file at a time
 * (a second `createSyncAccessHandle` throws NoModificationAllowedError).
 * Reads and writes go straight between the file and the caller's view.
 */
import { GgufPagerError } from '../../errors.ts';
import type { OpfsFile } from './opfs-file.ts';
import { storageError } from '../storage-env.ts';

interface Shared {
  handle: Promise<FileSystemSyncAccessHandle>;
  refs: number;
}

const open = new Map<string, Shared>();

export async function openSyncOpfsFile(path: string, fileHandle: FileSystemFileHandle, acrossContexts = false): Promise<OpfsFile> {
  let shared = open.get(path);
  if (!shared) {
    type WithMode = { createSyncAccessHandle(o?: { mode: 'readwrite-unsafe' }): Promise<FileSystemSyncAccessHandle> };
    const handle = acrossContexts
      ? (fileHandle as unknown as WithMode).createSyncAccessHandle({ mode: 'readwrite-unsafe' })
      : fileHandle.createSyncAccessHandle();
    shared = { handle, refs: 0 };
    open.set(path, shared);
  }
  shared.refs++;
  try {
    return new SyncOpfsFile(path, await shared.handle, shared);
  } catch (e) {
    release(path, shared);
    throw storageError(e, `opfs:${path}`, { path });
  }
}

/** Drops one reference; true when it was the last (the caller then closes the handle). */
function release(path: string, shared: Shared): boolean {
  shared.refs--;
  if (shared.refs > 0) return false;
  if (open.get(path) === shared) open.delete(path);
  return true;
}

class SyncOpfsFile implements OpfsFile {
  readonly sync = true;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly handle: FileSystemSyncAccessHandle,
    private readonly shared: Shared,
  ) {}

  async read(at: number, target: Uint8Array): Promise<number> {
    this.check();
    let done = 0;
    try {
      while (done < target.length) {
        const n = this.handle.read(target.subarray(done), { at: at + done });
        if (n <= 0) break;
        done += n;
      }
    } catch (e) {
      throw storageError(e, `opfs:${this.path} read at ${at + done}`, { path: this.path, offset: at + done });
    }
    return done;
  }

  async write(at: number, data: Uint8Array): Promise<void> {
    this.writeSync(at, data);
  }

  /** write(), synchronously (the handle's calls are): a quota error is thrown as the browser's QuotaExceededError. */
  writeSync(at: number, data: Uint8Array): void {
    this.check();
    let done = 0;
    try {
      while (done < data.length) {
        const n = this.handle.write(data.subarray(done), { at: at + done });
        // Chromium 156 does not throw when the origin's quota is full: write returns 4294967288 (-8 as a u32).
        // Any count outside [1, what was asked] wrote nothing we can trust.
        if (n > data.length - done)
          throw new DOMException(
            `opfs:${this.path}: write of ${data.length - done} bytes at ${at + done} returned ${n} (the quota is full)`,
            'QuotaExceededError',
          );
        if (!(n > 0)) throw new Error(`write returned ${n}`);
        done += n;
      }
    } catch (e) {
      if ((e as { name?: string })?.name === 'QuotaExceededError') throw e;
      throw storageError(e, `opfs:${this.path} write of ${data.length} bytes at ${at}`, { path: this.path, offset: at, length: data.length });
    }
  }

  async truncate(size: number): Promise<void> {
    this.check();
    try {
      this.handle.truncate(size);
    } catch (e) {
      throw storageError(e, `opfs:${this.path} truncate to ${size}`, { path: this.path, size });
    }
  }

  async flush(): Promise<void> {
    this.check();
    try {
      this.handle.flush();
    } catch (e) {
      throw storageError(e, `opfs:${this.path} flush`, { path: this.path });
    }
  }

  async size(): Promise<number> {
    this.check();
    return this.handle.getSize();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (release(this.path, this.shared)) this.handle.close();
    else this.handle.flush();
  }

  private check(): void {
    if (this.closed) throw new GgufPagerError('STORAGE_UNAVAILABLE', `opfs:${this.path}: file already closed`, { path: this.path });
  }
}
