/**
 * What on-device storage this context offers, and how its DOMExceptions map
 * onto the library's error codes. Shared by the OPFS and IndexedDB sources,
 * the read-through cache and the storage management functions.
 */
import { GgufPagerError, isGgufPagerError } from '../errors.ts';

/** True where the Origin Private File System exists (page or worker). */
export function hasOpfs(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
}

/** True for a FileSystemFileHandle (false where the type does not exist, as in Node). */
export function isFileHandle(x: unknown): x is FileSystemFileHandle {
  return typeof FileSystemFileHandle !== 'undefined' && x instanceof FileSystemFileHandle;
}

/**
 * True where `FileSystemFileHandle.createSyncAccessHandle` exists: Chromium
 * exposes it in dedicated workers only, never on the page.
 */
export function hasSyncAccessHandles(): boolean {
  return (
    typeof FileSystemFileHandle !== 'undefined' &&
    typeof (FileSystemFileHandle.prototype as { createSyncAccessHandle?: unknown }).createSyncAccessHandle === 'function'
  );
}

export function hasIndexedDb(): boolean {
  return typeof indexedDB !== 'undefined' && indexedDB !== null;
}

/** The OPFS root directory, or `STORAGE_UNAVAILABLE`. */
export async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
  if (!hasOpfs()) {
    throw new GgufPagerError('STORAGE_UNAVAILABLE', 'OPFS is not available here (navigator.storage.getDirectory is missing)');
  }
  try {
    return await navigator.storage.getDirectory();
  } catch (e) {
    throw new GgufPagerError('STORAGE_UNAVAILABLE', `OPFS refused access: ${describe(e)}`, {}, { cause: e });
  }
}

export function requireIndexedDb(what: string): void {
  if (!hasIndexedDb()) {
    throw new GgufPagerError('STORAGE_UNAVAILABLE', `${what}: IndexedDB is not available here`);
  }
}

/** A storage quota failure: the real DOMException, or our STORAGE_QUOTA error. */
export function isQuotaError(e: unknown): boolean {
  return domName(e) === 'QuotaExceededError' || isGgufPagerError(e, 'STORAGE_QUOTA');
}

export function domName(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const name = (e as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

export function describe(e: unknown): string {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
    const { name, message } = e as { name?: string; message?: string };
    return name ? `${name}: ${message ?? ''}` : String(message);
  }
  return String(e);
}

/**
 * Turns whatever an OPFS or IndexedDB call threw into a `GgufPagerError` whose
 * message names `what` (a path, a key, an offset). Our own errors pass through.
 */
export function storageError(e: unknown, what: string, details: Record<string, unknown> = {}): GgufPagerError {
  if (isGgufPagerError(e)) return e;
  const name = domName(e);
  if (name === 'NotFoundError') {
    return new GgufPagerError('SOURCE_NOT_FOUND', `${what}: not found`, details, { cause: e });
  }
  if (name === 'QuotaExceededError') {
    return new GgufPagerError('STORAGE_QUOTA', `${what}: storage quota exceeded`, details, { cause: e });
  }
  if (name === 'NoModificationAllowedError') {
    return new GgufPagerError('STORAGE_UNAVAILABLE', `${what}: the file is locked by another access handle (another worker or tab?)`, details, { cause: e });
  }
  return new GgufPagerError('STORAGE_UNAVAILABLE', `${what}: ${describe(e)}`, details, { cause: e });
}

/** Throws `SOURCE_ABORTED` naming `what` when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) {
    throw new GgufPagerError('SOURCE_ABORTED', `${what}: aborted`, {}, { cause: signal.reason });
  }
}

export { checkReadRange } from './read-check.ts';
