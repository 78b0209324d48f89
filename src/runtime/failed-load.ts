/**
 * What a failed load leaves behind: nothing it did not need.
 * - A cache entry that holds no byte (the load failed before the first chunk
 *   was stored, e.g. on `HTTP_BAD_LENGTH`) is deleted, so `cache.list()` does
 *   not show a 0-byte model; an entry with chunks is kept, for the next load
 *   to resume (an abort, a network failure).
 * - A download that ran out of storage (`STORAGE_QUOTA`, after evicting what
 *   the policy allows) deletes its partial entries, and fails with the bytes
 *   the model needs and the bytes that were written: figures from the writes
 *   themselves, not from `navigator.storage.estimate()`, which over-reports.
 */
import { GgufPagerError, isGgufPagerError } from '../errors.ts';
import { CachedSource } from '../sources/cache/cached.ts';
import type { SourceRef } from './source-pool.ts';

/** Cleans up after a failed load; returns the error to throw (the cause, or STORAGE_QUOTA with the figures). */
export async function settleFailedLoad(ref: SourceRef, cause: unknown): Promise<unknown> {
  if (!ref.sole) return cause; // another load reads from these sources: leave them to it
  const reason = isGgufPagerError(cause) ? cause : new GgufPagerError('SOURCE_ABORTED', `load failed: ${String(cause)}`, {});
  const cached = ref.opened.sources.filter((s): s is CachedSource => s instanceof CachedSource);
  const quota = isGgufPagerError(cause, 'STORAGE_QUOTA');
  const needed = cached.reduce((n, s) => n + s.size, 0);
  const written = cached.reduce((n, s) => n + s.stats().cachedBytes, 0);
  for (const s of cached) {
    if (quota || s.stats().cachedBytes === 0) await s.discard(reason).catch(() => undefined);
  }
  if (!quota) return cause;
  const d = (cause as GgufPagerError).details ?? {};
  return new GgufPagerError(
    'STORAGE_QUOTA',
    `${ref.opened.label}: the model needs ${needed} bytes of storage; ${written} were written before the quota ran out ` +
      `and nothing else could be evicted${Array.isArray(d.evicted) && d.evicted.length ? ` (evicted ${d.evicted.join(', ')})` : ''}; its partial cache entry was deleted`,
    { ...d, url: ref.opened.label, needed, written },
    { cause },
  );
}
