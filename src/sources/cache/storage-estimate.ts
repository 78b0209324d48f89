/**
 * The origin's storage numbers (`navigator.storage.estimate()`) and the
 * persistence request. Re-exported by storage.ts.
 */
import { GgufPagerError } from '../../errors.ts';
import { describe } from '../storage-env.ts';

export interface StorageNumbers {
  /** Bytes the origin uses (OPFS, IndexedDB, caches, …), as the browser estimates them. */
  usage: number;
  /** Bytes the origin may use. */
  quota: number;
  /** `quota - usage`, never negative. */
  available: number;
}

export async function estimate(): Promise<StorageNumbers> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.estimate !== 'function') {
    throw new GgufPagerError('STORAGE_UNAVAILABLE', 'navigator.storage.estimate() is not available here');
  }
  let e: StorageEstimate;
  try {
    e = await navigator.storage.estimate();
  } catch (err) {
    throw new GgufPagerError('STORAGE_UNAVAILABLE', `navigator.storage.estimate() failed: ${describe(err)}`, {}, { cause: err });
  }
  const usage = e.usage ?? 0;
  const quota = e.quota ?? 0;
  return { usage, quota, available: Math.max(0, quota - usage) };
}

/**
 * Asks the browser to keep this origin's storage under pressure
 * (`navigator.storage.persist()`); resolves to whether it is persistent now.
 * Only the page may ask: in a worker it is `STORAGE_UNAVAILABLE`.
 */
export async function persist(): Promise<boolean> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (typeof storage?.persist !== 'function') {
    throw new GgufPagerError('STORAGE_UNAVAILABLE', 'navigator.storage.persist() is not available here (it exists on the page only, not in workers)');
  }
  return storage.persist();
}

/** The `STORAGE_QUOTA` error for a write of `needed` bytes to `what` that hit the quota, with the numbers. */
export async function quotaFailure(cause: unknown, what: string, needed: number): Promise<GgufPagerError> {
  const est = await estimate().catch(() => undefined);
  return new GgufPagerError(
    'STORAGE_QUOTA',
    `${what}: storage quota exceeded writing ${needed} bytes (${est ? `${est.available} of ${est.quota} bytes available` : 'no estimate'})`,
    { needed, available: est?.available, usage: est?.usage, quota: est?.quota },
    { cause },
  );
}
