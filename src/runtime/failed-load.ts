/**
 * What a failed load leaves behind: nothing it did not need. A cache entry
 * that holds no byte (the load failed before the first chunk was stored, e.g.
 * on `HTTP_BAD_LENGTH`) is deleted, so `cache.list()` does not show a 0-byte
 * model; an entry with chunks is kept, for the next load to resume.
 */
import { GgufPagerError, isGgufPagerError } from '../core/errors.ts';
import { CachedSource } from '../sources/cached.ts';
import type { SourceRef } from './source-pool.ts';

export async function dropEmptyEntries(ref: SourceRef, cause: unknown): Promise<void> {
  if (!ref.sole) return; // another load reads from these sources: leave them to it
  const reason = isGgufPagerError(cause) ? cause : new GgufPagerError('SOURCE_ABORTED', `load failed: ${String(cause)}`, {});
  for (const s of ref.opened.sources) {
    if (s instanceof CachedSource && s.stats().cachedBytes === 0) await s.discard(reason).catch(() => undefined);
  }
}
