/**
 * One open OPFS file, the same four operations whatever the context:
 *
 *   dedicated worker: FileSystemSyncAccessHandle — read/write straight from and
 *                     into the caller's view (a Wasm arena view included),
 *                     in place, durable after flush();
 *   page:             no sync handles there — reads go through
 *                     getFile().slice().arrayBuffer() in bounded slices; writes
 *                     go to one createWritable({ keepExistingData }) stream and
 *                     become visible (atomically) at flush(). Chromium copies the
 *                     whole file into the stream's swap file when it opens, so a
 *                     page flush costs O(file size) (64 MiB measured ≈ 270 ms).
 *
 * Paths are '/'-separated, relative to the OPFS root: `cache/abc/data`.
 */
import { GgufPagerError } from '../../errors.ts';
import { opfsRoot, storageError, hasSyncAccessHandles } from '../storage-env.ts';
import { openSyncOpfsFile } from './sync-file.ts';
import { AsyncOpfsFile } from './async-file.ts';
import type { OpfsFile } from './opfs-file.ts';

/** `auto`: sync handles where the context has them, else the page path. */
export type OpfsAccess = 'auto' | 'sync' | 'async';

export interface OpenOpfsFileOptions {
  /** Create the file (and its directories) when missing. Default false. */
  create?: boolean;
  access?: OpfsAccess;
  /**
   * Sync handles only: open in `readwrite-unsafe` mode, which other tabs and
   * workers may hold on the same file at the same time (Chromium 121+). The
   * caller keeps writers to one (the cache's write lock).
   */
  shared?: boolean;
}

/** The segments of an OPFS path; rejects empty, `.` and `..` segments. */
export function splitOpfsPath(path: string): string[] {
  const parts = path.split('/').filter((p) => p.length > 0);
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..')) {
    throw new GgufPagerError('INVALID_ARGUMENT', `bad OPFS path "${path}"`, { path });
  }
  return parts;
}

/** The directory holding `path`'s last segment, plus that segment. */
export async function opfsParent(path: string, create: boolean): Promise<{ dir: FileSystemDirectoryHandle; name: string }> {
  const parts = splitOpfsPath(path);
  let dir = await opfsRoot();
  try {
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create });
  } catch (e) {
    throw storageError(e, `opfs:${path}`, { path });
  }
  return { dir, name: parts[parts.length - 1] };
}

export async function opfsFileHandle(path: string, create = false): Promise<FileSystemFileHandle> {
  const { dir, name } = await opfsParent(path, create);
  try {
    return await dir.getFileHandle(name, { create });
  } catch (e) {
    throw storageError(e, `opfs:${path}`, { path });
  }
}

export async function openOpfsFile(path: string, opts: OpenOpfsFileOptions = {}): Promise<OpfsFile> {
  const access = opts.access ?? 'auto';
  const sync = access === 'sync' || (access === 'auto' && hasSyncAccessHandles());
  if (sync && !hasSyncAccessHandles()) {
    throw new GgufPagerError('STORAGE_UNAVAILABLE', `opfs:${path}: sync access handles exist only in a dedicated worker`, { path });
  }
  const handle = await opfsFileHandle(path, opts.create ?? false);
  return sync ? openSyncOpfsFile(path, handle, opts.shared ?? false) : new AsyncOpfsFile(path, handle);
}

let handles = 0;

/**
 * An OpfsFile over a handle the caller holds (a model an app stored in OPFS and handed over as its
 * FileSystemFileHandle), for reading: a sync access handle in a dedicated worker, opened `readwrite-unsafe` so
 * other tabs and workers may read the file too; the page path elsewhere. A handle does not tell its path, so the
 * file is named by its name and a number of its own (the sync-handle table is keyed by name).
 */
export async function openOpfsHandle(handle: FileSystemFileHandle): Promise<OpfsFile> {
  const key = `${handle.name}#${++handles}`;
  // as openOpfsFile's getFileHandle does for a path: a removed file is SOURCE_NOT_FOUND here (a sync handle on
  // it opens, and its reads fail later with nonsense counts)
  try {
    await handle.getFile();
  } catch (e) {
    throw storageError(e, `opfs:${handle.name}`, { path: handle.name });
  }
  return hasSyncAccessHandles() ? openSyncOpfsFile(key, handle, true) : new AsyncOpfsFile(key, handle);
}

/** Removes a file or a directory tree; a missing entry is not an error. Returns whether it existed. */
export async function removeOpfsEntry(path: string): Promise<boolean> {
  let parent: { dir: FileSystemDirectoryHandle; name: string };
  try {
    parent = await opfsParent(path, false);
  } catch (e) {
    if ((e as GgufPagerError).code === 'SOURCE_NOT_FOUND') return false;
    throw e;
  }
  try {
    await parent.dir.removeEntry(parent.name, { recursive: true });
    return true;
  } catch (e) {
    const err = storageError(e, `opfs:${path}`, { path });
    if (err.code === 'SOURCE_NOT_FOUND') return false;
    throw err;
  }
}
